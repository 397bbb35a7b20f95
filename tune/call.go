package tune

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// Call writes a space as the call that makes it in a script (its
// String), for print(experiment): tune.uniform(0.001, 0.1),
// tune.choice([1, 2]). v may be a space or its stored JSON form; ok is
// false for anything else (and for a stored form that is no valid
// space, which the plan's reader refuses by name).
func Call(v any) (call string, ok bool) {
	if m, isMap := v.(map[string]any); isMap {
		d, tagged, err := Decode(m)
		if !tagged || err != nil {
			return "", false
		}
		v = d
	}
	switch v.(type) {
	case Domain, Grid:
		return fmt.Sprint(v), true
	}
	return "", false
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// jsonList writes a choice's or grid's values as JSON, floats kept.
func jsonList(values []any) string {
	b, err := json.Marshal(jsonvalue.KeepFloats(values))
	if err != nil {
		return fmt.Sprint(values)
	}
	return string(b)
}
