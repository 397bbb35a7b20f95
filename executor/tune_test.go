package executor

import (
	"strings"
	"testing"

	"github.com/machinable-go/machinable/runtime"
)

func judgeFor(t *testing.T, tn runtime.Tune) *trialJudge {
	t.Helper()
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "x"})
	if err := plan.SetTune(tn); err != nil {
		t.Fatal(err)
	}
	j, err := newTrialJudge(plan)
	if err != nil || j == nil {
		t.Fatalf("judge %v, %v", j, err)
	}
	return j
}

// TestTrialJudge: stop conditions with and without a scheduler, ASHA's
// cut at a rung (time from _iteration, or the row count), its budget
// as a finished trial, and rows without the metric left alone.
func TestTrialJudge(t *testing.T) {
	asha := &runtime.TuneScheduler{Kind: "asha", Params: map[string]float64{"max_t": 9, "grace_period": 1, "reduction_factor": 3}}
	t.Run("stop", func(t *testing.T) {
		j := judgeFor(t, runtime.Tune{NumSamples: 1, Stop: map[string]any{"acc": 0.9}})
		if s := j.Report("a", map[string]any{"acc": 0.5}); s != nil {
			t.Errorf("stopped below the limit: %v", s)
		}
		if s := j.Report("a", map[string]any{"acc": 0.95}); s == nil || s.Finished || !strings.Contains(s.Reason, "acc=0.95 reached 0.9") {
			t.Errorf("at the limit: %+v", s)
		}
	})
	t.Run("asha", func(t *testing.T) {
		j := judgeFor(t, runtime.Tune{NumSamples: 1, Metric: "loss", Mode: "min", Scheduler: asha})
		if s := j.Report("good", map[string]any{"loss": 0.1, "_iteration": int64(0)}); s != nil {
			t.Fatalf("the first at a rung stops: %v", s)
		}
		if s := j.Report("any", map[string]any{"other": 1.0}); s != nil {
			t.Errorf("a row without the metric was judged: %v", s)
		}
		// Without _iteration a trial's first row is time 1.
		if s := j.Report("bad", map[string]any{"loss": 5.0}); s == nil || !strings.Contains(s.Reason, "by asha at iteration 1 (loss=5)") {
			t.Errorf("a row without _iteration: %+v", s)
		}
		if s := j.Report("worse", map[string]any{"loss": 9.0, "_iteration": int64(0)}); s == nil || !strings.Contains(s.Reason, "by asha at iteration 1 (loss=9)") {
			t.Errorf("a trial worse than the rung's cut: %+v", s)
		}
		if s := j.Report("good", map[string]any{"loss": 0.05, "_iteration": int64(8)}); s == nil || !s.Finished || s.Reason != "reached max_t=9" {
			t.Errorf("at max_t: %+v", s)
		}
	})
}
