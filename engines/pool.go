package engines

import (
	"context"
	"slices"
	"sync"

	"github.com/machinable-go/machinable/runtime"
)

// Streamer is an engine that pulls its components one at a time from
// Job.Next, so that a schedule of any size starts at once and is never
// held whole (native and dry).
type Streamer interface {
	Streams() bool
}

// runFunc runs one component somewhere and reports how it ended.
type runFunc func(ctx context.Context, sc *runtime.ScheduledComponent, prefix string) runtime.Outcome

// runPool runs job's components, n at a time, with run. It is the
// scheduling every engine shares: order of the schedule, a prefix on
// console lines when several run at once, Started/Done callbacks, no new
// starts once ctx ends or (FailFast) a component failed. It returns the
// outcomes of the components that ran, in schedule order; pulling from
// job.Next, it keeps only those runtime.Result.Outcomes keeps (Done sees
// them all).
func runPool(ctx context.Context, job *Job, n int, run runFunc) ([]runtime.Outcome, error) {
	next, several, streamed := poolSource(job)
	if n < 1 {
		n = 1
	}
	type kept struct {
		seq int
		out runtime.Outcome
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		failed   bool
		outcomes []kept
		finished int
		nextErr  error
	)
	sem := make(chan struct{}, n)
	stop := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return ctx.Err() != nil || (job.FailFast && failed)
	}
loop:
	for i := 0; ; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break loop
		}
		if stop() {
			<-sem
			break
		}
		sc, err := next()
		if err != nil || sc == nil {
			<-sem
			nextErr = err
			break
		}
		prefix := ""
		if n > 1 && several {
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
			if out.Status == "failed" {
				failed = true
			}
			if !streamed || out.Status != "finished" || finished < runtime.OutcomesKept {
				if out.Status == "finished" {
					finished++
				}
				outcomes = append(outcomes, kept{i, out})
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
	slices.SortFunc(outcomes, func(a, b kept) int { return a.seq - b.seq })
	out := make([]runtime.Outcome, len(outcomes))
	for i, k := range outcomes {
		out[i] = k.out
	}
	if nextErr != nil {
		return out, nextErr
	}
	return out, ctx.Err()
}

// poolSource is where runPool takes its components from: job.Next, or
// the list Todo gives. several says whether more than one may run (the
// console prefix).
func poolSource(job *Job) (next func() (*runtime.ScheduledComponent, error), several, streamed bool) {
	if job.Next != nil {
		return job.Next, job.Execution == nil || job.Execution.Len() > 1, true
	}
	todo := job.Todo()
	i := 0
	return func() (*runtime.ScheduledComponent, error) {
		if i >= len(todo) {
			return nil, nil
		}
		i++
		return todo[i-1], nil
	}, len(todo) > 1, false
}
