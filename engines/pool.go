package engines

import (
	"context"
	"sync"

	"github.com/machinable-go/machinable/runtime"
)

// runFunc runs one component somewhere and reports how it ended.
type runFunc func(ctx context.Context, sc *runtime.ScheduledComponent, prefix string) runtime.Outcome

// runPool runs job's components, n at a time, with run. It is the
// scheduling every engine shares: order of the schedule, a prefix on
// console lines when several run at once, Started/Done callbacks, no new
// starts once ctx ends or (FailFast) a component failed. It returns the
// outcomes of the components that ran, in schedule order.
func runPool(ctx context.Context, job *Job, n int, run runFunc) ([]runtime.Outcome, error) {
	todo := job.Todo()
	if n < 1 {
		n = 1
	}
	outcomes := make([]runtime.Outcome, len(todo))
	ran := make([]bool, len(todo))
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed bool
	)
	sem := make(chan struct{}, n)
	stop := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return ctx.Err() != nil || (job.FailFast && failed)
	}
loop:
	for i, sc := range todo {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break loop
		}
		if stop() {
			<-sem
			break
		}
		prefix := ""
		if n > 1 && len(todo) > 1 {
			prefix = sc.ID + " | "
		}
		if job.Started != nil {
			job.Started(sc)
		}
		wg.Add(1)
		go func(i int, sc *runtime.ScheduledComponent) {
			defer func() { <-sem; wg.Done() }()
			out := run(ctx, sc, prefix)
			mu.Lock()
			outcomes[i], ran[i] = out, true
			if out.Status == "failed" {
				failed = true
			}
			mu.Unlock()
			if job.Done != nil {
				job.Done(out)
			}
		}(i, sc)
		if n == 1 {
			wg.Wait() // sequential: keep it simple and strictly ordered
		}
	}
	wg.Wait()
	var out []runtime.Outcome
	for i := range todo {
		if ran[i] {
			out = append(out, outcomes[i])
		}
	}
	return out, ctx.Err()
}
