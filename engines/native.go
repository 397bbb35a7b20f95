package engines

import (
	"context"
	"sync"

	"github.com/machinable-go/machinable/runtime"
)

// native runs components in this process: one after the other, or N at a
// time ("native:N"), each with its own Starlark thread and store.
type native struct {
	parallel int
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

func (n *native) Name() string { return "native" }

func (n *native) Run(ctx context.Context, job *Job) ([]runtime.Outcome, error) {
	schedule := job.Execution.Schedule
	outcomes := make([]runtime.Outcome, len(schedule))
	if n.parallel == 1 || len(schedule) == 1 {
		for i := range schedule {
			if ctx.Err() != nil {
				return outcomes[:i], ctx.Err()
			}
			outcomes[i] = job.RunLocal(ctx, &schedule[i], "")
		}
		return outcomes, nil
	}
	sem := make(chan struct{}, n.parallel)
	var wg sync.WaitGroup
	for i := range schedule {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return outcomes, ctx.Err()
		}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			outcomes[i] = job.RunLocal(ctx, &schedule[i], schedule[i].ID+" | ")
		}(i)
	}
	wg.Wait()
	return outcomes, nil
}
