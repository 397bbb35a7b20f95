package web

import "github.com/machinable-go/machinable/runtime"

// shownMap is a config without its hidden keys (_token: often a secret),
// as component.json and `machinable show` leave them out: the page may
// be served beyond this machine.
func shownMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return runtime.DropHidden(m).(map[string]any)
}
