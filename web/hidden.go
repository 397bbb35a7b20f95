package web

import "github.com/machinable-go/machinable/runtime"

// shown is a config without its hidden keys (_token: often a secret), at
// every depth, as component.json and `machinable show` leave them out:
// the page may be served beyond this machine.
func shown(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			if !runtime.IsHiddenKey(k) {
				out[k] = shown(item)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = shown(item)
		}
		return out
	}
	return v
}

func shownMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return shown(m).(map[string]any)
}
