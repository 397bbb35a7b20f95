package tune

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// Call writes a space as the call that makes it in a script, for
// print(experiment): tune.uniform(0.001, 0.1), tune.choice([1, 2]),
// tune.grid_search(["a", "b"]). v may be a space or its stored JSON form;
// ok is false for anything else (and for a stored form that is no valid
// space, which the plan's reader refuses by name).
func Call(v any) (call string, ok bool) {
	if m, isMap := v.(map[string]any); isMap {
		d, tagged, err := Decode(m)
		if !tagged || err != nil {
			return "", false
		}
		v = d
	}
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	switch d := v.(type) {
	case Uniform:
		return fmt.Sprintf("tune.uniform(%s, %s)", num(d.Lo), num(d.Hi)), true
	case QUniform:
		return fmt.Sprintf("tune.quniform(%s, %s, %s)", num(d.Lo), num(d.Hi), num(d.Q)), true
	case LogUniform:
		if d.Base != 0 && d.Base != 10 {
			return fmt.Sprintf("tune.loguniform(%s, %s, base=%s)", num(d.Lo), num(d.Hi), num(d.Base)), true
		}
		return fmt.Sprintf("tune.loguniform(%s, %s)", num(d.Lo), num(d.Hi)), true
	case RandInt:
		return fmt.Sprintf("tune.randint(%d, %d)", d.Lo, d.Hi), true
	case Choice:
		return "tune.choice(" + jsonList(d.Values) + ")", true
	case Grid:
		return "tune.grid_search(" + jsonList(d.Values) + ")", true
	}
	return "", false
}

func jsonList(values []any) string {
	b, err := json.Marshal(jsonvalue.KeepFloats(values))
	if err != nil {
		return fmt.Sprint(values)
	}
	return string(b)
}
