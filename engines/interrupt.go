package engines

import (
	"errors"
	"fmt"
	"sync"
)

// DetachedError is returned by Run when, after an interrupt, the engine
// left the work it had submitted running (on_interrupt "detach").
type DetachedError struct {
	// Running counts the components left running (or queued) on the
	// cluster; the others without an outcome were never submitted.
	Running int
}

// Error implements error.
func (e *DetachedError) Error() string {
	return fmt.Sprintf("detached: %d component(s) keep running", e.Running)
}

// IsDetached tells whether err is (or wraps) a *DetachedError.
func IsDetached(err error) (*DetachedError, bool) {
	var de *DetachedError
	ok := errors.As(err, &de)
	return de, ok
}

// What the cluster engines (slurm, ray) do with the work they submitted
// when the run is interrupted while they wait for it (option
// "on_interrupt").
const (
	// InterruptAsk asks through Job.Prompt; without one it cancels.
	InterruptAsk = "ask"
	// InterruptCancel cancels the submitted work (scancel, Ray stop).
	InterruptCancel = "cancel"
	// InterruptDetach leaves it running; `machinable status` follows it.
	InterruptDetach = "detach"
)

// Prompt asks the person at the terminal to pick one of choices and
// returns the pick; it returns choices[0], the default, when nobody
// answers. The CLI sets one when standard input is a terminal.
type Prompt func(question string, choices []string) string

// onInterruptOption reads "on_interrupt" (default "ask").
func onInterruptOption(spec Spec) (string, error) {
	v, ok := spec.Options["on_interrupt"]
	if !ok {
		return InterruptAsk, nil
	}
	s, _ := v.(string)
	switch s {
	case InterruptAsk, InterruptCancel, InterruptDetach:
		return s, nil
	}
	return "", fmt.Errorf("engine %s: option \"on_interrupt\": expected \"ask\", \"cancel\" or \"detach\", got %v", spec.Type, v)
}

// interruptDecision returns what to do after an interrupt, deciding once
// per run: parallel followers (one per Ray job) share one answer, and
// the question is asked only when it matters.
func interruptDecision(job *Job, configured, question string) func() string {
	return sync.OnceValue(func() string {
		if configured != InterruptAsk {
			return configured
		}
		if job.Prompt == nil {
			return InterruptCancel
		}
		if job.Prompt(question, []string{InterruptCancel, InterruptDetach}) == InterruptDetach {
			return InterruptDetach
		}
		return InterruptCancel
	})
}
