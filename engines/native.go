package engines

import (
	"context"

	"github.com/machinable-go/machinable/runtime"
)

// native runs components in this process: one after the other, or N at a
// time ("native:N"), each with its own Starlark thread, random stream and
// store, failures and panics contained. Components asking for GPUs get
// them as the flag CUDA_VISIBLE_DEVICES (gpus.go).
type native struct {
	parallel int
	gpus     gpuSource
}

func newNative(spec Spec) (Engine, error) {
	if err := checkOptions(spec, "processes"); err != nil {
		return nil, err
	}
	n, err := optionInt(spec, "processes", 1)
	if err != nil {
		return nil, err
	}
	if n < 1 {
		n = 1
	}
	return &native{parallel: n}, nil
}

func (n *native) Name() string  { return "native" }
func (n *native) Streams() bool { return true }

func (n *native) Run(ctx context.Context, job *Job) ([]runtime.Outcome, error) {
	defer TuneGC()() // fewer GC cycles: see gctune.go
	return runLocalPool(ctx, job, n.parallel, &n.gpus, func(ctx context.Context, sc *runtime.ScheduledComponent, prefix string, gpus []string) runtime.Outcome {
		return job.RunLocal(ctx, WithGPUs(sc, gpus), prefix)
	})
}
