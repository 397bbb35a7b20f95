package executor_test

import (
	"context"
	"fmt"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
)

// Embedding machinable in a Go program: register a component written in
// Go, build a plan, execute it. Seed 42 gives the experiment and component
// IDs machinable 2.x gives.
func Example() {
	reg := runtime.NewRegistry()
	reg.Register("hello", runtime.GoComponent{
		runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			self.Record.Set("seed", self.Flags["SEED"])
			return nil, self.Record.Save()
		},
	})
	x := executor.New(reg, nil) // nil console: quiet
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "hello"}).Repeat(3, "")
	res, err := x.Execute(context.Background(), runtime.ExecuteRequest{
		Plan: plan, Seed: int64(42), Storage: "mem://example",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Execution.ExperimentID, res.OK())
	for _, o := range res.Outcomes {
		fmt.Println(o.Component.ID, o.Component.Flags["SEED"], o.Status)
	}
	// Output:
	// 8gWVkz true
	// e9DJBHuoiCvn 263761070 finished
	// XfOWPgKJCcuh 611082855 finished
	// 9NTO7Rgg7Ag1 102001072 finished
}
