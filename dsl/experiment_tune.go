package dsl

import (
	"fmt"

	"go.starlark.net/starlark"

	"github.com/machinable-go/machinable/runtime"
)

// expTune is Experiment.tune(num_samples=1, metric=None, mode=None,
// scheduler=None, stop=None, resources_per_trial=None, config=None). The
// names are Ray Tune's (tune.run), which 2.x's .tune() passed on: config
// is a patch over every tuned component's config, as 2.x's trials
// applied it, and may hold search spaces as the component's own version
// may.
func expTune(e *experiment, _ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) > 0 {
		return nil, fmt.Errorf("%s: expected keyword arguments (num_samples=..., metric=..., mode=..., scheduler=..., stop=..., resources_per_trial=..., config=...), got %d positional", b.Name(), len(args))
	}
	numSamples := 1
	var metric, mode string
	var scheduler, stop, resources, config starlark.Value = starlark.None, starlark.None, starlark.None, starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "num_samples?", &numSamples, "metric?", &metric, "mode?", &mode,
		"scheduler?", &scheduler, "stop?", &stop, "resources_per_trial?", &resources, "config?", &config); err != nil {
		return nil, err
	}
	t := runtime.Tune{NumSamples: numSamples, Metric: metric, Mode: mode}
	switch s := scheduler.(type) {
	case starlark.NoneType:
	case *tuneScheduler:
		t.Scheduler = &runtime.TuneScheduler{Kind: s.kind, Params: s.params}
	default:
		return nil, fmt.Errorf("%s: scheduler: expected tune.asha(...), tune.median_stopping(...) or tune.fifo(), got %s", b.Name(), scheduler.Type())
	}
	var err error
	if t.Stop, err = fromStarlarkMap(b.Name()+": stop", stop); err != nil {
		return nil, err
	}
	if t.ResourcesPerTrial, err = fromStarlarkMap(b.Name()+": resources_per_trial", resources); err != nil {
		return nil, err
	}
	patch, err := fromStarlarkMap(b.Name()+": config", config)
	if err != nil {
		return nil, err
	}
	if err := e.plan.SetTune(t); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	if len(patch) > 0 {
		e.plan.Version(runtime.Patch(patch))
	}
	return e, nil
}
