package dsl

import (
	"fmt"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/machinable-go/machinable/tune"
)

// tuneDomain is a search-space value in a script: tune.uniform(0, 1),
// tune.grid_search([...]). It converts to the Go tune.Domain (or
// tune.Grid) it holds, so a plan's versions carry it to resolution.
type tuneDomain struct{ v any } // tune.Domain or tune.Grid

func (d *tuneDomain) String() string        { return fmt.Sprint(d.v) } // tune.uniform(0, 1)
func (d *tuneDomain) Type() string          { return "tune.domain" }
func (d *tuneDomain) Freeze()               {}
func (d *tuneDomain) Truth() starlark.Bool  { return true }
func (d *tuneDomain) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: %s", d.Type()) }

// tuneScheduler is tune.asha(...), tune.median_stopping(...) or
// tune.fifo(): a scheduler's settings, built into a runtime value when
// the plan is executed.
type tuneScheduler struct {
	kind   string
	params map[string]float64
}

func (s *tuneScheduler) String() string        { return "tune." + s.kind + "(...)" }
func (s *tuneScheduler) Type() string          { return "tune.scheduler" }
func (s *tuneScheduler) Freeze()               {}
func (s *tuneScheduler) Truth() starlark.Bool  { return true }
func (s *tuneScheduler) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: %s", s.Type()) }

// newTuneModule is the `tune` module of scripts. Names and defaults
// follow Ray Tune's (ray.tune.uniform, ASHAScheduler(max_t=100,
// grace_period=1, reduction_factor=4)); time is a record row's
// _iteration (or its index), not seconds.
func newTuneModule() *starlarkstruct.Module {
	domain := func(name string, build func(fn string, args starlark.Tuple, kwargs []starlark.Tuple) (any, error)) *starlark.Builtin {
		return starlark.NewBuiltin("tune."+name, func(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			v, err := build(fn.Name(), args, kwargs)
			if err != nil {
				return nil, err
			}
			if err := tune.Check(fn.Name(), v); err != nil {
				return nil, fmt.Errorf("%v", err)
			}
			return &tuneDomain{v}, nil
		})
	}
	bounds := func(fn string, args starlark.Tuple, kwargs []starlark.Tuple) (float64, float64, error) {
		var lo, hi starlark.Value
		if err := unpackArgs(fn, args, kwargs, "lower", &lo, "upper", &hi); err != nil {
			return 0, 0, err
		}
		f, err := numbers(fn, lo, hi)
		if err != nil {
			return 0, 0, err
		}
		return f[0], f[1], nil
	}
	values := func(fn, param string, args starlark.Tuple, kwargs []starlark.Tuple) ([]any, error) {
		var seq starlark.Value
		if err := unpackArgs(fn, args, kwargs, param, &seq); err != nil {
			return nil, err
		}
		v, err := fromStarlark(seq)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn, err)
		}
		l, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: expected a list of values, got %s", fn, seq.Type())
		}
		return l, nil
	}
	members := starlark.StringDict{
		"uniform": domain("uniform", func(fn string, args starlark.Tuple, kwargs []starlark.Tuple) (any, error) {
			lo, hi, err := bounds(fn, args, kwargs)
			return tune.Uniform{Lo: lo, Hi: hi}, err
		}),
		"loguniform": domain("loguniform", func(fn string, args starlark.Tuple, kwargs []starlark.Tuple) (any, error) {
			var lo, hi starlark.Value
			var base starlark.Value = starlark.Float(10)
			if err := unpackArgs(fn, args, kwargs, "lower", &lo, "upper", &hi, "base?", &base); err != nil {
				return nil, err
			}
			f, err := numbers(fn, lo, hi, base)
			if err != nil {
				return nil, err
			}
			return tune.LogUniform{Lo: f[0], Hi: f[1], Base: f[2]}, nil
		}),
		"quniform": domain("quniform", func(fn string, args starlark.Tuple, kwargs []starlark.Tuple) (any, error) {
			var lo, hi, q starlark.Value
			if err := unpackArgs(fn, args, kwargs, "lower", &lo, "upper", &hi, "q", &q); err != nil {
				return nil, err
			}
			f, err := numbers(fn, lo, hi, q)
			if err != nil {
				return nil, err
			}
			return tune.QUniform{Lo: f[0], Hi: f[1], Q: f[2]}, nil
		}),
		"randint": domain("randint", func(fn string, args starlark.Tuple, kwargs []starlark.Tuple) (any, error) {
			var lo, hi int64
			if err := unpackArgs(fn, args, kwargs, "lower", &lo, "upper", &hi); err != nil {
				return nil, err
			}
			return tune.RandInt{Lo: lo, Hi: hi}, nil
		}),
		"choice": domain("choice", func(fn string, args starlark.Tuple, kwargs []starlark.Tuple) (any, error) {
			l, err := values(fn, "categories", args, kwargs)
			return tune.Choice{Values: l}, err
		}),
		"grid_search": domain("grid_search", func(fn string, args starlark.Tuple, kwargs []starlark.Tuple) (any, error) {
			l, err := values(fn, "values", args, kwargs)
			return tune.Grid{Values: l}, err
		}),
		"asha": starlark.NewBuiltin("tune.asha", func(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var maxT, grace, rf starlark.Value = starlark.MakeInt(100), starlark.MakeInt(1), starlark.MakeInt(4)
			if err := unpackArgs(fn.Name(), args, kwargs, "max_t?", &maxT, "grace_period?", &grace, "reduction_factor?", &rf); err != nil {
				return nil, err
			}
			f, err := numbers(fn.Name(), maxT, grace, rf)
			if err != nil {
				return nil, err
			}
			if _, err := tune.NewASHA(tune.Max, f[0], f[1], f[2]); err != nil {
				return nil, fmt.Errorf("tune.%v", err)
			}
			return &tuneScheduler{"asha", map[string]float64{"max_t": f[0], "grace_period": f[1], "reduction_factor": f[2]}}, nil
		}),
		"median_stopping": starlark.NewBuiltin("tune.median_stopping", func(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var grace starlark.Value = starlark.MakeInt(1)
			minSamples := 3
			if err := unpackArgs(fn.Name(), args, kwargs, "grace_period?", &grace, "min_samples_required?", &minSamples); err != nil {
				return nil, err
			}
			f, err := numbers(fn.Name(), grace)
			if err != nil {
				return nil, err
			}
			if _, err := tune.NewMedianStopping(tune.Max, f[0], minSamples); err != nil {
				return nil, fmt.Errorf("tune.%v", err)
			}
			return &tuneScheduler{"median_stopping", map[string]float64{"grace_period": f[0], "min_samples_required": float64(minSamples)}}, nil
		}),
		"fifo": starlark.NewBuiltin("tune.fifo", func(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := unpackArgs(fn.Name(), args, kwargs); err != nil {
				return nil, err
			}
			return &tuneScheduler{"fifo", nil}, nil
		}),
	}
	return &starlarkstruct.Module{Name: "tune", Members: members}
}

// numbers converts numeric arguments (int or float) to float64.
func numbers(fn string, vs ...starlark.Value) ([]float64, error) {
	out := make([]float64, len(vs))
	for i, v := range vs {
		f, ok := starlark.AsFloat(v)
		if !ok {
			return nil, fmt.Errorf("%s: expected a number, got %s %s", fn, v.Type(), v)
		}
		out[i] = f
	}
	return out, nil
}
