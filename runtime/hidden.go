package runtime

import "strings"

// IsHiddenKey reports whether a config key is hidden, as machinable 2.x
// defines it: it starts with "_" and does not end with "_" (_token is
// hidden, _mixins_ is not).
func IsHiddenKey(k string) bool {
	return strings.HasPrefix(k, "_") && !strings.HasSuffix(k, "_")
}

// withoutHidden is the component as component.json records it: like 2.x
// (its config's toDict(with_hidden=False)), the hidden keys of its config
// are left out at every depth, in lists too, and so are those of its
// sub-components. schedule.json keeps them, so workers see the whole
// config.
func withoutHidden(sc *ScheduledComponent) *ScheduledComponent {
	out := *sc
	out.Config, _ = DropHidden(sc.Config).(map[string]any)
	if len(sc.Components) > 0 {
		out.Components = make([]ScheduledComponent, len(sc.Components))
		for i := range sc.Components {
			out.Components[i] = *withoutHidden(&sc.Components[i])
		}
	}
	return &out
}

// DropHidden copies v without the hidden keys of its maps, at every
// depth and in lists: what is shown to people of a config.
func DropHidden(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			if !IsHiddenKey(k) {
				out[k] = DropHidden(item)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = DropHidden(item)
		}
		return out
	}
	return v
}
