package runtime

import (
	"fmt"
	"maps"
	"slices"

	"github.com/machinable-go/machinable/internal/suggest"
	"github.com/machinable-go/machinable/runtime/project"
)

// unknownKeys lists the keys a plan's dict patches set that the
// component's config in machinable.yaml does not have, each with the
// nearest known key. machinable 2.0 accepts such keys silently (2.10+
// refuses them); a typo there would run the wrong experiment unnoticed,
// so the resolver warns.
func unknownKeys(component string, base map[string]any, patches []project.Patch) []string {
	var out []string
	for _, p := range patches {
		if p.Values == nil {
			continue
		}
		values, err := project.Unflatten(p.Values)
		if err != nil {
			continue // the config resolution reports it
		}
		out = append(out, unknownIn(component, "", base, values)...)
	}
	return out
}

func unknownIn(component, path string, base, patch map[string]any) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(patch)) {
		if k == MixinsKey || k == EvaluateKey || k == "_unflatten" {
			continue
		}
		key := k
		if path != "" {
			key = path + "." + k
		}
		have, ok := base[k]
		if !ok {
			msg := fmt.Sprintf("component %q: the plan sets %q, which its config in machinable.yaml does not have", component, key)
			if near := suggest.Nearest(k, slices.Collect(maps.Keys(base))); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			out = append(out, msg)
			continue
		}
		sub, isMap := patch[k].(map[string]any)
		if haveMap, ok := have.(map[string]any); ok && isMap {
			out = append(out, unknownIn(component, key, haveMap, sub)...)
		}
	}
	return out
}

// hasValues reports whether any patch is a dict, the only kind whose keys
// are checked.
func hasValues(patches []project.Patch) bool {
	for _, p := range patches {
		if p.Values != nil {
			return true
		}
	}
	return false
}
