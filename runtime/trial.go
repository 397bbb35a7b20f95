package runtime

import (
	"sync"
)

// Tuner watches the record rows of tuning trials (components with the
// flag TUNING) and says when one ends early. The executor implements it
// with the plan's scheduler and stop conditions; RunEnv.Tuner hands it
// to the components that run in this process.
type Tuner interface {
	// Report is called with each row a trial saves to its default record
	// while it executes (on_execute and its iterations), after the row is
	// stored. A non-nil result ends the trial. It may be called from
	// several goroutines at once.
	Report(componentID string, row map[string]any) *TrialStop
}

// TrialStop is why a trial ends early. It is also the error the trial's
// record.save() returns, which ends a Starlark component's event there;
// the life cycle then goes on as after a Stop (on_after_execute,
// destroy, on_success, on_finish) and the component ends with status
// "stopped" — or "finished" when Finished is set (a trial that used its
// whole budget, ASHA's max_t).
type TrialStop struct {
	Reason   string `json:"reason"`
	Finished bool   `json:"finished,omitempty"`
}

func (s *TrialStop) Error() string { return "trial stopped: " + s.Reason }

// trialState is one trial's side of tuning: it reports the node's rows
// while the component executes and remembers the stop.
type trialState struct {
	tuner Tuner
	id    string

	mu        sync.Mutex
	executing bool
	stop      *TrialStop
}

// newTrialState is nil for a component that is not a trial or runs
// without a tuner.
func newTrialState(env RunEnv, sc *ScheduledComponent) *trialState {
	if env.Tuner == nil || !isTrue(sc.Flags["TUNING"]) {
		return nil
	}
	return &trialState{tuner: env.Tuner, id: sc.ID}
}

// report is the node record's hook: rows saved outside execution (in
// on_create, on_destroy) are stored but not judged, and once stopped a
// save keeps returning the stop so that a loop in on_execute ends too.
func (t *trialState) report(row map[string]any) error {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.executing {
		return nil
	}
	if t.stop != nil {
		return t.stop
	}
	if s := t.tuner.Report(t.id, row); s != nil {
		t.stop = s
		return s
	}
	return nil
}

// setExecuting brackets the execute phase.
func (t *trialState) setExecuting(on bool) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.executing = on
	t.mu.Unlock()
}

// stopped is the stop, nil while the trial goes on.
func (t *trialState) stopped() *TrialStop {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stop
}
