package storage_test

import (
	"context"
	"fmt"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// The component whose last recorded loss is the least, as best("loss")
// does in a script.
func ExampleBest() {
	reg := runtime.NewRegistry()
	reg.Register("fit", runtime.GoComponent{
		runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			lr := self.Config["lr"].(float64)
			for step := 1; step <= 3; step++ {
				self.Record.Set("loss", 1/(lr*float64(step)))
				if err := self.Record.Save(); err != nil {
					return nil, err
				}
			}
			return nil, nil
		},
	})
	plan := runtime.NewExperiment()
	for _, lr := range []float64{0.1, 0.5, 0.2} {
		plan.Component(runtime.ComponentSpec{Name: "fit", Version: runtime.Patch(map[string]any{"lr": lr})})
	}
	res, err := executor.New(reg, nil).Execute(context.Background(), runtime.ExecuteRequest{
		Plan: plan, Storage: "mem://example-best", Seed: int64(42), CodeBackup: false,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	view, err := res.Experiment.View()
	if err != nil {
		fmt.Println(err)
		return
	}
	components, err := view.Components()
	if err != nil {
		fmt.Println(err)
		return
	}
	best, loss, err := storage.Best(components, storage.BestQuery{Metric: "loss", Mode: "min", Scope: "last"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("lr %v: loss %.3f\n", best.Config["lr"], loss)
	// Output:
	// lr 0.5: loss 0.667
}
