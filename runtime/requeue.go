package runtime

import (
	"context"
	"sync/atomic"
)

// requeueState turns a requeue request (Slurm's pre-timeout signal) into
// either a stop at the next iteration boundary, where on_save can run, or
// — for a component without iterations — an immediate cancel.
type requeueState struct {
	ch       <-chan struct{}
	asked    atomic.Bool
	iterate  atomic.Int32 // iterateUnknown until the component is built
	cancel   context.CancelCauseFunc
	done     chan struct{}
	canceled atomic.Bool
}

// Whether the component iterates is known once it is built; a request
// that arrives before waits for it, so a component that iterates is
// never cancelled at once just because the signal came early.
const (
	iterateUnknown int32 = iota
	iterateYes
	iterateNo
)

func newRequeueState(ch <-chan struct{}, cancel context.CancelCauseFunc) *requeueState {
	r := &requeueState{ch: ch, cancel: cancel, done: make(chan struct{})}
	if ch == nil {
		return r
	}
	go func() {
		select {
		case <-ch:
			r.asked.Store(true)
			if r.iterate.Load() == iterateNo && !r.canceled.Swap(true) {
				cancel(ErrRequeue)
			}
		case <-r.done:
		}
	}()
	return r
}

// iterates tells whether the component has iterations to stop between.
func (r *requeueState) iterates(yes bool) {
	if r == nil {
		return
	}
	if yes {
		r.iterate.Store(iterateYes)
		return
	}
	r.iterate.Store(iterateNo)
	if r.asked.Load() && !r.canceled.Swap(true) {
		r.cancel(ErrRequeue)
	}
}

// requested reports whether a requeue was asked for; the channel is read
// directly too, so a request is seen at the very next boundary.
func (r *requeueState) requested() bool {
	if r == nil {
		return false
	}
	if r.asked.Load() {
		return true
	}
	select {
	case <-r.ch:
		r.asked.Store(true)
		return true
	default:
		return false
	}
}

func (r *requeueState) stop() { close(r.done) }

// RequeueHandler is implemented by instances that handle a requeue request
// themselves (external programs receive the signal): the runtime then
// does not cancel them.
type RequeueHandler interface {
	// HandlesRequeue marks the instance as handling requeues itself. The
	// runtime checks only that the method exists, not its result.
	HandlesRequeue() bool
}
