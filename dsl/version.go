package dsl

import (
	"fmt"

	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
)

// toVersion translates a Starlark version argument (SPEC §3.1): None,
// dict (patch), "~name", any other string (YAML), tuple (merge), list
// (iterate).
func toVersion(v starlark.Value) (runtime.Version, error) {
	switch x := v.(type) {
	case nil, starlark.NoneType:
		return runtime.Version{}, nil
	case starlark.String:
		return runtime.VersionString(string(x)), nil
	case *starlark.Dict, *mapping:
		m, err := fromStarlarkMap("version", x)
		if err != nil {
			return runtime.Version{}, err
		}
		return runtime.Patch(m), nil
	case starlark.Tuple:
		items, err := toVersions(x)
		if err != nil {
			return runtime.Version{}, err
		}
		return runtime.Merge(items...), nil
	case *starlark.List:
		elems := make([]starlark.Value, x.Len())
		for i := range elems {
			elems[i] = x.Index(i)
		}
		items, err := toVersions(elems)
		if err != nil {
			return runtime.Version{}, err
		}
		return runtime.Iterate(items...), nil
	}
	return runtime.Version{}, fmt.Errorf("version: expected None, a dict, a string, a tuple (merge) or a list (iterate), got %s", v.Type())
}

func toVersions(elems []starlark.Value) ([]runtime.Version, error) {
	out := make([]runtime.Version, len(elems))
	for i, e := range elems {
		v, err := toVersion(e)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
