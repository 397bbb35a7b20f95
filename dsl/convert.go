package dsl

import (
	"errors"
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

// MaxValueDepth is how deeply lists, tuples, dicts and structs may nest in
// a value handed to machinable (records, stored values, flags, versions,
// config method results, ...). Configs and records are shallow; a value
// nested deeper is almost surely a mistake, and converting or writing it
// would take a deep recursion.
const MaxValueDepth = 1000

// errContainsItself is the refusal of a value that holds itself, which
// has no plain (JSON-like) form.
var errContainsItself = errors.New("value contains itself (a list or dict that holds itself, directly or through other lists and dicts): expected plain data that JSON can represent")

// errTooDeep is the refusal of a value nested deeper than MaxValueDepth.
var errTooDeep = fmt.Errorf("value nested deeper than %d levels: expected at most %d levels of lists, tuples and dicts", MaxValueDepth, MaxValueDepth)

// fromStarlark converts a Starlark value into a plain Go value. Dict keys
// must be strings; tuples become lists; ints beyond int64 are refused;
// values that contain themselves or nest deeper than MaxValueDepth are
// refused.
func fromStarlark(v starlark.Value) (any, error) {
	switch x := v.(type) { // the values of record rows, set in loops
	case starlark.String:
		return string(x), nil
	case starlark.Float:
		return float64(x), nil
	case starlark.Int:
		if i, ok := x.Int64(); ok {
			return i, nil
		}
	}
	c := converter{}
	return c.convert(v)
}

// converter carries the containers being converted (to find a value
// that contains itself) and the depth.
type converter struct {
	active []starlark.Value // containers on the path to the current value
}

// enter pushes a container, refusing one already on the path or a path
// deeper than MaxValueDepth; leave pops it.
func (c *converter) enter(v starlark.Value) error {
	if len(c.active) >= MaxValueDepth {
		return errTooDeep
	}
	switch v.(type) {
	case *starlark.List, *starlark.Dict, *starlarkstruct.Struct:
		for _, a := range c.active {
			if a == v {
				return errContainsItself
			}
		}
	}
	c.active = append(c.active, v)
	return nil
}

func (c *converter) leave() { c.active = c.active[:len(c.active)-1] }

func (c *converter) convert(v starlark.Value) (any, error) {
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
	case *tuneDomain:
		return x.v, nil
	case starlark.Bytes:
		return []byte(x), nil
	case *starlark.Dict:
		if err := c.enter(x); err != nil {
			return nil, err
		}
		defer c.leave()
		m := make(map[string]any, x.Len())
		for _, item := range x.Items() {
			k, ok := item[0].(starlark.String)
			if !ok {
				return nil, fmt.Errorf("dict key %s: expected a string, got %s", item[0], item[0].Type())
			}
			val, err := c.convert(item[1])
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", string(k), err)
			}
			m[string(k)] = val
		}
		return m, nil
	case *mapping:
		return jsonvalue.DeepCopy(x.m), nil
	case *starlarkstruct.Struct:
		if err := c.enter(x); err != nil {
			return nil, err
		}
		defer c.leave()
		d := starlark.StringDict{}
		x.ToStringDict(d)
		m := make(map[string]any, len(d))
		for k, e := range d {
			val, err := c.convert(e)
			if err != nil {
				return nil, fmt.Errorf("field %q: %w", k, err)
			}
			m[k] = val
		}
		return m, nil
	case starlark.Indexable: // list, tuple (and lazy sequences such as range)
		if err := c.enter(x); err != nil {
			return nil, err
		}
		defer c.leave()
		if err := checkLazyLen(x); err != nil {
			return nil, err
		}
		out := make([]any, x.Len())
		for i := range out {
			val, err := c.convert(x.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = val
		}
		return out, nil
	}
	return nil, fmt.Errorf("cannot store a value of type %s (expected None, bool, int, float, string, list, tuple or dict)", v.Type())
}

// MaxLazyLen is the longest lazy sequence (a range, which takes no memory
// until it is converted) that is converted into a list or read as
// weights. Lists and tuples exist already and are not limited.
const MaxLazyLen = 10_000_000

// checkLazyLen refuses a lazy sequence longer than MaxLazyLen.
func checkLazyLen(x starlark.Indexable) error {
	switch x.(type) {
	case *starlark.List, starlark.Tuple:
		return nil
	}
	if x.Len() > MaxLazyLen {
		return fmt.Errorf("%s of %d elements: expected at most %d elements", x.Type(), x.Len(), MaxLazyLen)
	}
	return nil
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
