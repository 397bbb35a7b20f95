package runtime

import "strings"

// IsHiddenKey reports whether a config key is hidden, as machinable 2.x
// defines it: it starts with "_" and does not end with "_" (_token is
// hidden, _mixins_ is not).
func IsHiddenKey(k string) bool {
	return strings.HasPrefix(k, "_") && !strings.HasSuffix(k, "_")
}

// withoutHidden is the component as component.json records it: like 2.x,
// the top-level hidden keys of its config (and of its sub-components')
// are left out. schedule.json keeps them, so workers see the whole config.
func withoutHidden(sc *ScheduledComponent) *ScheduledComponent {
	out := *sc
	out.Config = make(map[string]any, len(sc.Config))
	for k, v := range sc.Config {
		if !IsHiddenKey(k) {
			out.Config[k] = v
		}
	}
	if len(sc.Components) > 0 {
		out.Components = make([]ScheduledComponent, len(sc.Components))
		for i := range sc.Components {
			out.Components[i] = *withoutHidden(&sc.Components[i])
		}
	}
	return &out
}
