package engines

import (
	"context"
	"slices"
	"sync"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// Streamer is an engine that pulls its components one at a time from
// Job.Next, so that a schedule of any size starts at once and is never
// held whole (native and dry).
type Streamer interface {
	Streams() bool
}

// runFunc runs one component somewhere and reports how it ended.
type runFunc func(ctx context.Context, sc *runtime.ScheduledComponent, prefix string) runtime.Outcome

// localRunFunc runs one component on this machine with the GPUs it was
// given (nil for none).
type localRunFunc func(ctx context.Context, sc *runtime.ScheduledComponent, prefix string, gpus []string) runtime.Outcome

// runPool runs job's components, n at a time, with run. It is the
// scheduling every engine shares: order of the schedule, a prefix on
// console lines when several run at once, Started/Done callbacks, no new
// starts once ctx ends or (FailFast) a component failed. It returns the
// outcomes of the components that ran, in schedule order; pulling from
// job.Next, it keeps only those runtime.Result.Outcomes keeps (Done sees
// them all).
func runPool(ctx context.Context, job *Job, n int, run runFunc) ([]runtime.Outcome, error) {
	return schedule(ctx, job, n, nil, func(ctx context.Context, sc *runtime.ScheduledComponent, prefix string, _ []string) runtime.Outcome {
		return run(ctx, sc, prefix)
	})
}

// runLocalPool is runPool for the engines that run components on this
// machine (native, process): a component takes as many of the n slots as
// its cpu resource says, and the GPUs its gpu resource asks for, which
// run receives to pass on as CUDA_VISIBLE_DEVICES.
func runLocalPool(ctx context.Context, job *Job, n int, gpus *gpuSource, run localRunFunc) ([]runtime.Outcome, error) {
	return schedule(ctx, job, n, gpus, run)
}

// poolItem is a component taken from the schedule and not yet started.
type poolItem struct {
	seq   int
	sc    *runtime.ScheduledComponent
	slots int
	gpu   float64
	err   error // resources it can never have: it fails without running
}

// schedule is runPool's loop. Components start in schedule order, each
// as soon as its slots (and GPUs) are free; a component waiting for slots
// holds up everything after it. The one exception keeps slots busy: a
// component waiting for GPUs lets later components that ask for no GPU
// start meanwhile (looking at most n components ahead), while later ones
// asking for GPUs wait behind it, so that a component asking for 2 is not
// starved by a stream asking for 1. With gpus nil (cluster engines, whose
// schedulers place components), every component takes one slot.
func schedule(ctx context.Context, job *Job, n int, gpus *gpuSource, run localRunFunc) ([]runtime.Outcome, error) {
	next, several, streamed := poolSource(job)
	n = max(n, 1)
	type kept struct {
		seq int
		out runtime.Outcome
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex // guards failed, outcomes, finished, used
		failed   bool
		outcomes []kept
		finished int
		used     int // slots taken
		nextErr  error
		held     []*poolItem
		pulled   int
		drained  bool
		pool     *gpuPool
	)
	ended := make(chan struct{}, 1) // poked when a component ends
	finish := func(it *poolItem, out runtime.Outcome, gpus []string) {
		mu.Lock()
		used -= it.slots
		if gpus != nil {
			pool.release(gpus, it.gpu)
		}
		if out.Status == storage.StatusFailed {
			failed = true
		}
		// Stopped trials are settled as finished ones are: a search of a
		// million trials keeps only counts of either.
		settled := out.Status == storage.StatusFinished || out.Status == storage.StatusStopped
		if !streamed || !settled || finished < runtime.OutcomesKept {
			if settled {
				finished++
			}
			outcomes = append(outcomes, kept{it.seq, out})
		}
		mu.Unlock()
		if job.Done != nil {
			job.Done(out)
		}
		select {
		case ended <- struct{}{}:
		default:
		}
	}
	start := func(it *poolItem, gpus []string) {
		mu.Lock()
		used += it.slots
		mu.Unlock()
		if job.Started != nil {
			job.Started(it.sc)
		}
		if it.err != nil {
			finish(it, runtime.Outcome{Component: it.sc, Status: storage.StatusFailed, Error: it.err.Error()}, nil)
			return
		}
		prefix := ""
		if n > 1 && several {
			prefix = it.sc.ID + " | "
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := run(ctx, it.sc, prefix, gpus)
			out.Component = it.sc
			finish(it, out, gpus)
		}()
	}
	stop := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return ctx.Err() != nil || (job.FailFast && failed)
	}
	// startReady starts the held components that may start now; blocked
	// says one waits for slots (nothing after it may start).
	startReady := func() (blocked bool) {
		gpuWaiting := false
		for i := 0; i < len(held); {
			if stop() {
				return true
			}
			it := held[i]
			if it.gpu > 0 && gpuWaiting {
				i++ // GPUs go in schedule order
				continue
			}
			mu.Lock()
			free := n - used
			mu.Unlock()
			var devices []string
			if it.gpu > 0 {
				if pool == nil {
					ids, _, _ := gpus.get() // no error: check found them
					pool = newGPUPool(ids)
				}
				if !pool.fits(it.gpu) {
					gpuWaiting = true
					i++
					continue
				}
			}
			if it.slots > free {
				return true
			}
			if it.gpu > 0 {
				devices = pool.take(it.gpu)
			}
			held = slices.Delete(held, i, i+1)
			start(it, devices)
		}
		return false
	}
	for !stop() {
		blocked := startReady()
		mu.Lock()
		free := n - used
		idle := used == 0
		mu.Unlock()
		if !blocked && !drained && free > 0 && len(held) < n && !stop() {
			sc, err := next()
			if err != nil || sc == nil {
				nextErr, drained = err, true
				continue
			}
			it := &poolItem{seq: pulled, sc: sc}
			pulled++
			it.slots = 1
			if gpus != nil {
				if it.slots, it.gpu, it.err = gpus.check(sc, n); it.err != nil {
					it.slots = 1
				}
			}
			held = append(held, it)
			continue
		}
		if drained && len(held) == 0 && idle {
			break
		}
		select {
		case <-ended:
		case <-ctx.Done():
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
