package engines

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestInterruptDecision: a configured choice is taken without asking;
// "ask" asks once per run however many followers want to know, and
// cancels when there is no one to ask.
func TestInterruptDecision(t *testing.T) {
	var asked atomic.Int32
	job := &Job{Prompt: func(q string, choices []string) string {
		asked.Add(1)
		if len(choices) != 2 || choices[0] != InterruptCancel || !strings.Contains(q, "detach") {
			t.Errorf("question %q choices %v", q, choices)
		}
		return InterruptDetach
	}}
	decide := interruptDecision(job, InterruptAsk, "Cancel, or detach?")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := decide(); got != InterruptDetach {
				t.Errorf("got %q", got)
			}
		})
	}
	wg.Wait()
	if asked.Load() != 1 {
		t.Errorf("asked %d times, want once", asked.Load())
	}
	if got := interruptDecision(job, InterruptCancel, "?")(); got != InterruptCancel || asked.Load() != 1 {
		t.Errorf("configured cancel: got %q, asked %d", got, asked.Load())
	}
	if got := interruptDecision(&Job{}, InterruptAsk, "?")(); got != InterruptCancel {
		t.Errorf("nobody to ask: got %q, want cancel", got)
	}
}

func TestOnInterruptOption(t *testing.T) {
	for v, want := range map[any]string{nil: InterruptAsk, "ask": InterruptAsk, "cancel": InterruptCancel, "detach": InterruptDetach} {
		spec := Spec{Type: "slurm", Options: map[string]any{}}
		if v != nil {
			spec.Options["on_interrupt"] = v
		}
		if got, err := onInterruptOption(spec); err != nil || got != want {
			t.Errorf("%v: got %q, %v", v, got, err)
		}
	}
	for _, v := range []any{"ignore", true} {
		_, err := onInterruptOption(Spec{Type: "slurm", Options: map[string]any{"on_interrupt": v}})
		if err == nil || !strings.Contains(err.Error(), `engine slurm: option "on_interrupt": expected "ask", "cancel" or "detach"`) {
			t.Errorf("%v: %v", v, err)
		}
	}
}
