package tune

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// TagKey marks the JSON form of a domain in a stored plan:
// {"$tune": "uniform", "lower": 0, "upper": 1}. Plans are stored as JSON
// (execution.json) and read back for resume and replay, so a domain must
// survive the round trip; Decode turns the form back into the domain.
const TagKey = "$tune"

func tagged(kind string, fields ...any) ([]byte, error) {
	m := map[string]any{TagKey: kind}
	for i := 0; i+1 < len(fields); i += 2 {
		m[fields[i].(string)] = fields[i+1]
	}
	return json.Marshal(m)
}

func (d Uniform) MarshalJSON() ([]byte, error) {
	return tagged("uniform", "lower", d.Lo, "upper", d.Hi)
}
func (d QUniform) MarshalJSON() ([]byte, error) {
	return tagged("quniform", "lower", d.Lo, "upper", d.Hi, "q", d.Q)
}
func (d LogUniform) MarshalJSON() ([]byte, error) {
	return tagged("loguniform", "lower", d.Lo, "upper", d.Hi, "base", d.Base)
}
func (d RandInt) MarshalJSON() ([]byte, error) {
	return tagged("randint", "lower", d.Lo, "upper", d.Hi)
}
func (d Choice) MarshalJSON() ([]byte, error) { return tagged("choice", "categories", d.Values) }
func (d Grid) MarshalJSON() ([]byte, error)   { return tagged("grid_search", "values", d.Values) }

// Decode turns the JSON form of a domain (a map with TagKey, numbers as
// the plan reader gives them: int64 or float64) back into the domain. ok
// is false for any other map; a map with TagKey that is no valid domain
// is an error naming what was expected.
func Decode(m map[string]any) (d any, ok bool, err error) {
	kind, tagged := m[TagKey]
	if !tagged {
		return nil, false, nil
	}
	bad := func(why string) (any, bool, error) {
		return nil, true, fmt.Errorf("search space value %v: %s", m, why)
	}
	num := func(key string) (float64, bool) {
		f, ok := jsonvalue.Float(m[key])
		return f, ok
	}
	list := func(key string) ([]any, bool) {
		l, ok := m[key].([]any)
		return l, ok
	}
	switch kind {
	case "uniform", "quniform", "loguniform":
		lo, ok1 := num("lower")
		hi, ok2 := num("upper")
		if !ok1 || !ok2 {
			return bad("expected numbers lower and upper")
		}
		switch kind {
		case "uniform":
			d = Uniform{Lo: lo, Hi: hi}
		case "quniform":
			q, ok := num("q")
			if !ok {
				return bad("expected a number q")
			}
			d = QUniform{Lo: lo, Hi: hi, Q: q}
		default:
			base, ok := num("base")
			if !ok {
				base = 10
			}
			d = LogUniform{Lo: lo, Hi: hi, Base: base}
		}
	case "randint":
		lo, ok1 := m["lower"].(int64)
		hi, ok2 := m["upper"].(int64)
		if !ok1 || !ok2 {
			return bad("expected integers lower and upper")
		}
		d = RandInt{Lo: lo, Hi: hi}
	case "choice":
		l, ok := list("categories")
		if !ok {
			return bad("expected a list categories")
		}
		d = Choice{Values: l}
	case "grid_search":
		l, ok := list("values")
		if !ok {
			return bad("expected a list values")
		}
		d = Grid{Values: l}
	default:
		return bad(`expected "$tune" to be one of uniform, quniform, loguniform, randint, choice, grid_search`)
	}
	if err := Check(fmt.Sprint(kind), d); err != nil {
		return nil, true, fmt.Errorf("search space value: %w", err)
	}
	return d, true, nil
}

// IsSpace says whether v is a domain or a grid.
func IsSpace(v any) bool {
	switch v.(type) {
	case Domain, Grid:
		return true
	}
	return false
}

// Find returns the dotted path of the first domain or grid anywhere in v
// (maps and lists), "" for none: a space left where no trial draws it (a
// list item, a plan that is not tuned) is refused with this path.
func Find(v any, path string) string {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if f := Find(x[k], p); f != "" {
				return f
			}
		}
	case []any:
		for i, item := range x {
			if f := Find(item, fmt.Sprintf("%s.%d", path, i)); f != "" {
				return f
			}
		}
	default:
		if IsSpace(v) {
			if path == "" {
				return "(value)"
			}
			return path
		}
	}
	return ""
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// DecodeAll replaces, anywhere in v (maps and lists), the JSON forms of
// domains with the domains, and returns the result.
func DecodeAll(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if d, ok, err := Decode(x); ok {
			return d, err
		}
		for k, item := range x {
			d, err := DecodeAll(item)
			if err != nil {
				return nil, err
			}
			x[k] = d
		}
	case []any:
		for i, item := range x {
			d, err := DecodeAll(item)
			if err != nil {
				return nil, err
			}
			x[i] = d
		}
	}
	return v, nil
}
