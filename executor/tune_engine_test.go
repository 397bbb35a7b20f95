package executor_test

import (
	"context"
	"testing"

	"github.com/machinable-go/machinable/engines"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
	"github.com/machinable-go/machinable/tune"
)

// ownEngine runs components here through RunLocal, one at a time: an
// embedder's engine, not named native.
type ownEngine struct{}

func (ownEngine) Name() string { return "own" }

func (ownEngine) Run(ctx context.Context, job *engines.Job) ([]runtime.Outcome, error) {
	var out []runtime.Outcome
	for _, sc := range job.Todo() {
		o := job.RunLocal(ctx, sc, "")
		if job.Done != nil {
			job.Done(o)
		}
		out = append(out, o)
	}
	return out, nil
}

// TestTuneOnAnInProcessEngine: any engine that runs trials here gets the
// judge (Job.Tuner through RunLocal): ASHA stops trials on it too.
func TestTuneOnAnInProcessEngine(t *testing.T) {
	reg := runtime.NewRegistry()
	reg.Register("curve", runtime.GoComponent{
		runtime.OnExecuteIteration: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			self.Record.Set("loss", self.Config["level"].(float64)+1/float64(self.Iteration+1))
			if self.Iteration+1 >= 9 {
				return runtime.Stop, nil
			}
			return nil, nil
		},
	})
	x := executor.New(reg, nil)
	x.Engines.Register("own", func(engines.Spec) (engines.Engine, error) { return ownEngine{}, nil })
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "curve", Version: runtime.Patch(map[string]any{"level": tune.Uniform{Lo: 0, Hi: 1}})})
	if err := plan.SetTune(runtime.Tune{NumSamples: 9, Metric: "loss", Mode: "min",
		Scheduler: &runtime.TuneScheduler{Kind: "asha", Params: map[string]float64{"max_t": 9, "grace_period": 1, "reduction_factor": 3}}}); err != nil {
		t.Fatal(err)
	}
	res, err := x.Execute(context.Background(), runtime.ExecuteRequest{Plan: plan, Storage: memURL(t), Engine: "own", Seed: int64(1), CodeBackup: false})
	if err != nil {
		t.Fatal(err)
	}
	stopped := 0
	for _, o := range res.Outcomes {
		if o.Status == storage.StatusStopped {
			stopped++
		}
	}
	if stopped == 0 {
		t.Errorf("no trial stopped on an in-process engine: %v", res.Outcomes)
	}
}
