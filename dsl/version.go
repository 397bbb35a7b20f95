package dsl

import (
	"context"
	"fmt"

	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
)

// toVersion translates a Starlark version argument (SPEC §3.1): None,
// dict (patch), "~name", any other string (YAML), tuple (merge), list
// (iterate). A list that contains itself, or lists and tuples nested
// deeper than MaxValueDepth, are refused.
func toVersion(v starlark.Value) (runtime.Version, error) {
	c := converter{}
	return c.version(v)
}

func (c *converter) version(v starlark.Value) (runtime.Version, error) {
	switch x := v.(type) {
	case nil, starlark.NoneType:
		return runtime.Version{}, nil
	case starlark.String:
		return runtime.VersionString(string(x)), nil
	case *starlark.Dict:
		return patchVersion(x)
	case *mapping:
		m, err := fromStarlarkMap("version", x)
		if err != nil {
			return runtime.Version{}, err
		}
		return runtime.Patch(m), nil
	case starlark.Tuple:
		if err := c.enter(x); err != nil {
			return runtime.Version{}, fmt.Errorf("version: %w", err)
		}
		defer c.leave()
		items, err := c.versions(x)
		if err != nil {
			return runtime.Version{}, err
		}
		return runtime.Merge(items...), nil
	case *starlark.List:
		if err := c.enter(x); err != nil {
			return runtime.Version{}, fmt.Errorf("version: %w", err)
		}
		defer c.leave()
		elems := make([]starlark.Value, x.Len())
		for i := range elems {
			elems[i] = x.Index(i)
		}
		items, err := c.versions(elems)
		if err != nil {
			return runtime.Version{}, err
		}
		return runtime.Iterate(items...), nil
	}
	return runtime.Version{}, fmt.Errorf("version: expected None, a dict, a string, a tuple (merge) or a list (iterate), got %s", v.Type())
}

func (c *converter) versions(elems []starlark.Value) ([]runtime.Version, error) {
	out := make([]runtime.Version, len(elems))
	for i, e := range elems {
		v, err := c.version(e)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// patchVersion reads a dict version. A function among its top-level
// values is computed for each scheduled component, as machinable 2.x
// evaluates callables in version dicts: its parameters, chosen by name,
// receive the component's config before versions (config), its flags
// (flags, SEED included) or both with its name (node).
func patchVersion(d *starlark.Dict) (runtime.Version, error) {
	plain := starlark.NewDict(d.Len())
	computed := map[string]*runtime.Computed{}
	for _, item := range d.Items() {
		k, isStr := item[0].(starlark.String)
		fn, isFn := item[1].(*starlark.Function)
		if !isStr || !isFn {
			_ = plain.SetKey(item[0], item[1])
			continue
		}
		c, err := computedValue(string(k), fn)
		if err != nil {
			return runtime.Version{}, err
		}
		computed[string(k)] = c
	}
	m, err := fromStarlarkMap("version", plain)
	if err != nil {
		return runtime.Version{}, err
	}
	if m == nil {
		m = map[string]any{}
	}
	for k, c := range computed {
		m[k] = c
	}
	return runtime.Patch(m), nil
}

// computedValue wraps a function of a version dict; its parameters are
// checked now, so a typo fails when the plan is built.
func computedValue(key string, fn *starlark.Function) (*runtime.Computed, error) {
	if fn.HasVarargs() || fn.HasKwargs() {
		return nil, fmt.Errorf("version value %q: %s: expected parameters named node, config or flags, not *args or **kwargs", key, fn.Name())
	}
	params := make([]string, fn.NumParams())
	for i := range params {
		params[i], _ = fn.Param(i)
		switch params[i] {
		case "node", "config", "flags":
		default:
			return nil, fmt.Errorf("version value %q: %s: unknown parameter %q: expected node, config or flags (chosen by name, as in machinable 2.x)", key, fn.Name(), params[i])
		}
	}
	return &runtime.Computed{Name: fn.Name(), Func: func(ctx context.Context, a runtime.ComputeArgs) (any, error) {
		kwargs := make([]starlark.Tuple, 0, len(params))
		for _, p := range params {
			var v starlark.Value
			switch p {
			case "config":
				v = newMapping("config", a.Config, false)
			case "flags":
				v = newMapping("flags", a.Flags, false)
			case "node":
				v = newMapping("node", map[string]any{"name": a.Name, "config": a.Config, "flags": a.Flags}, false)
			}
			kwargs = append(kwargs, starlark.Tuple{starlark.String(p), v})
		}
		thread := &starlark.Thread{Name: "version value " + key}
		defer watchContext(ctx, thread)()
		out, err := starlark.Call(thread, fn, nil, kwargs)
		if err != nil {
			return nil, evalError(err)
		}
		return fromStarlark(out)
	}}, nil
}
