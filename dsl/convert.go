package dsl

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// toStarlark converts a plain Go value (as config, flags and records hold)
// into a Starlark value. Maps become dicts with sorted keys.
func toStarlark(v any) starlark.Value {
	switch x := v.(type) {
	case nil:
		return starlark.None
	case starlark.Value:
		return x
	case bool:
		return starlark.Bool(x)
	case int:
		return starlark.MakeInt(x)
	case int64:
		return starlark.MakeInt64(x)
	case uint64:
		return starlark.MakeUint64(x)
	case float64:
		return starlark.Float(x)
	case string:
		return starlark.String(x)
	case []byte:
		return starlark.Bytes(x)
	case *big.Int:
		return starlark.MakeBigInt(x)
	case []any:
		elems := make([]starlark.Value, len(x))
		for i, e := range x {
			elems[i] = toStarlark(e)
		}
		return starlark.NewList(elems)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := starlark.NewDict(len(x))
		for _, k := range keys {
			_ = d.SetKey(starlark.String(k), toStarlark(x[k]))
		}
		return d
	case []map[string]any:
		elems := make([]starlark.Value, len(x))
		for i, e := range x {
			elems[i] = toStarlark(e)
		}
		return starlark.NewList(elems)
	}
	return starlark.String(fmt.Sprint(v))
}

// fromStarlark converts a Starlark value into a plain Go value. Dict keys
// must be strings; tuples become lists; ints beyond int64 are refused.
func fromStarlark(v starlark.Value) (any, error) {
	switch x := v.(type) {
	case starlark.NoneType:
		return nil, nil
	case starlark.Bool:
		return bool(x), nil
	case starlark.Int:
		if i, ok := x.Int64(); ok {
			return i, nil
		}
		return nil, fmt.Errorf("integer %s does not fit in 64 bits", x)
	case starlark.Float:
		return float64(x), nil
	case starlark.String:
		return string(x), nil
	case starlark.Bytes:
		return []byte(x), nil
	case *starlark.Dict:
		m := make(map[string]any, x.Len())
		for _, item := range x.Items() {
			k, ok := item[0].(starlark.String)
			if !ok {
				return nil, fmt.Errorf("dict key %s: expected a string, got %s", item[0], item[0].Type())
			}
			val, err := fromStarlark(item[1])
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", string(k), err)
			}
			m[string(k)] = val
		}
		return m, nil
	case *mapping:
		return jsonvalue.DeepCopy(x.m), nil
	case *starlarkstruct.Struct:
		d := starlark.StringDict{}
		x.ToStringDict(d)
		m := make(map[string]any, len(d))
		for k, e := range d {
			val, err := fromStarlark(e)
			if err != nil {
				return nil, fmt.Errorf("field %q: %w", k, err)
			}
			m[k] = val
		}
		return m, nil
	case starlark.Indexable: // list, tuple
		out := make([]any, x.Len())
		for i := range out {
			val, err := fromStarlark(x.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = val
		}
		return out, nil
	}
	return nil, fmt.Errorf("cannot store a value of type %s (expected None, bool, int, float, string, list, tuple or dict)", v.Type())
}

// fromStarlarkMap converts a dict argument.
func fromStarlarkMap(what string, v starlark.Value) (map[string]any, error) {
	if v == nil || v == starlark.None {
		return nil, nil
	}
	if _, ok := v.(*starlark.Dict); !ok {
		if _, ok := v.(*mapping); !ok {
			return nil, fmt.Errorf("%s: expected a dict, got %s", what, v.Type())
		}
	}
	g, err := fromStarlark(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return g.(map[string]any), nil
}
