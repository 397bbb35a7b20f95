package interp_test

import (
	"context"
	"fmt"

	"github.com/machinable-go/machinable/interp"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/tune"
)

// A hyperparameter search from Go: search spaces of package tune in a
// version, the plan's SetTune as a script's .tune(). ASHA stops the
// trials whose loss falls behind at its rungs; the others finish.
func ExampleInterpreter_Execute_tune() {
	it := interp.New(interp.WithQuiet())
	it.RegisterComponent("curve", runtime.GoComponent{
		runtime.OnExecuteIteration: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			i := self.Iteration
			self.Record.Set("loss", self.Config["level"].(float64)+1/float64(i+1))
			if i+1 >= 9 {
				return runtime.Stop, nil
			}
			return nil, nil
		},
	})
	space := map[string]any{"level": tune.Uniform{Lo: 0, Hi: 1}}
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "curve", Version: runtime.Patch(space)})
	err := plan.SetTune(runtime.Tune{NumSamples: 6, Metric: "loss", Mode: "min",
		Scheduler: &runtime.TuneScheduler{Kind: "asha", Params: map[string]float64{"max_t": 9, "grace_period": 1, "reduction_factor": 3}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := it.Execute(context.Background(), plan, interp.Seed(int64(42)), interp.Storage("mem://interp-tune"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range res.Outcomes {
		fmt.Printf("trial %d level %.3f %s\n", o.Component.Flags["TRIAL_NUMBER"], o.Component.Config["level"], o.Status)
	}
	// Output:
	// trial 0 level 0.635 finished
	// trial 1 level 0.780 stopped
	// trial 2 level 0.160 finished
	// trial 3 level 0.659 stopped
	// trial 4 level 0.798 stopped
	// trial 5 level 0.330 stopped
}
