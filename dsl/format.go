package dsl

import (
	"fmt"

	"github.com/machinable-go/machinable/internal/pyformat"
	"go.starlark.net/starlark"
)

// builtinFormat is Python's format(value, spec=""): Starlark's % has no
// width or precision ("%.4f" fails), and researchers format numbers all
// the time.
func builtinFormat(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	var spec string
	if err := unpackPositionalArgs(b.Name(), args, kwargs, 1, &v, &spec); err != nil {
		return nil, err
	}
	var out string
	var err error
	switch x := v.(type) {
	case starlark.Int:
		out, err = pyformat.Int(x.BigInt(), spec)
	case starlark.Float:
		out, err = pyformat.Float(float64(x), spec)
	case starlark.String:
		out, err = pyformat.String(string(x), spec)
	case starlark.Bool:
		if spec == "" { // as Python: str(True), but True formats as 1 otherwise
			return starlark.String(x.String()), nil
		}
		n := starlark.MakeInt(0)
		if x {
			n = starlark.MakeInt(1)
		}
		out, err = pyformat.Int(n.BigInt(), spec)
	default:
		if spec == "" {
			return starlark.String(v.String()), nil
		}
		return nil, fmt.Errorf("%s: a %s takes no format spec (got %q); format numbers and strings", b.Name(), v.Type(), spec)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", b.Name(), err)
	}
	return starlark.String(out), nil
}
