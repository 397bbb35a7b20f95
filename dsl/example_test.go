package dsl_test

import (
	"context"
	"fmt"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
)

// Running an experiment script from Go: the script builds the plan, the
// executor runs it; Go and Starlark components share one registry.
func ExampleExecFile() {
	reg := runtime.NewRegistry()
	dsl.Register(reg) // .star component modules
	reg.Register("square", runtime.GoComponent{
		runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			x := self.Config["x"].(int64)
			return nil, self.Store.StoreWrite("result", x*x, false)
		},
	})
	script := `
runs = execute(Experiment().component("square", [{"x": 2}, {"x": 3}]), seed=1)
print(runs.experiment_id, [c.store("result") for c in runs.components])
`
	var out printer
	_, err := dsl.ExecFile(context.Background(), "sweep.star", script, dsl.Options{
		Executor: executor.New(reg, nil),
		Stdout:   &out,
		Storage:  "mem://example-execfile",
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// hp2cEP [4, 9]
}

// printer writes what the script prints to standard output.
type printer struct{}

func (printer) Write(p []byte) (int, error) { fmt.Print(string(p)); return len(p), nil }
