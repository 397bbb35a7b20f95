package interp_test

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/machinable-go/machinable/engines"
	"github.com/machinable-go/machinable/interp"
	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
)

// Embedding the interpreter: register a component written in Go and run a
// script that uses it in a Starlark plan (a sweep over config patches,
// repeated), then read the script's globals and results from Go. No
// project is needed when only Go components are used. Seed 42 gives the
// experiment ID machinable 2.x gives.
func Example() {
	it := interp.New(interp.WithQuiet(), interp.WithDefaultStorage("mem://interp-example"))
	it.RegisterComponent("square", runtime.GoComponent{
		runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			x := self.Config["x"].(int64)
			return nil, self.Store.StoreWrite("result", x*x, false)
		},
	})
	script := `
sweep = Experiment().component("square", [{"x": x} for x in range(1, 4)])
runs = execute(sweep, seed=42)
results = [c.store("result") for c in runs.components]
`
	report, err := it.ExecSource(context.Background(), "sweep.star", script)
	if err != nil {
		fmt.Println(err)
		return
	}
	res := report.Results[0]
	fmt.Println(res.Execution.ExperimentID, res.OK(), report.Failed())
	fmt.Println(report.Globals["results"])
	// Output:
	// 8gWVkz true 0
	// [1, 4, 9]
}

// A plan built in Go runs without Starlark. Seed 42 gives the component
// IDs (and seeds) machinable 2.x gives.
func ExampleInterpreter_Execute() {
	it := interp.New(interp.WithQuiet())
	it.RegisterComponent("trial", runtime.GoComponent{
		runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			self.Record.Set("draw", self.Rand.IntN(100))
			return nil, self.Record.Save()
		},
	})
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "trial"}).Repeat(3, "")
	res, err := it.Execute(context.Background(), plan,
		interp.Seed(int64(42)), interp.Storage("mem://interp-execute"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Execution.ExperimentID)
	for _, o := range res.Outcomes {
		fmt.Println(o.Component.ID, o.Component.Flags["REPEAT_NUMBER"], o.Status)
	}
	// Output:
	// 8gWVkz
	// e9DJBHuoiCvn 0 finished
	// XfOWPgKJCcuh 1 finished
	// 9NTO7Rgg7Ag1 2 finished
}

// reverse is a tiny engine: it runs the components in this process, last
// first. Real engines also honour job.FailFast (see engines.Engine).
type reverse struct{}

func (reverse) Name() string { return "reverse" }

func (reverse) Run(ctx context.Context, job *engines.Job) ([]runtime.Outcome, error) {
	todo := job.Todo()
	var outcomes []runtime.Outcome
	for k := len(todo) - 1; k >= 0 && ctx.Err() == nil; k-- {
		if job.Started != nil {
			job.Started(todo[k])
		}
		o := job.RunLocal(ctx, todo[k], "")
		if job.Done != nil {
			job.Done(o)
		}
		outcomes = append([]runtime.Outcome{o}, outcomes...) // in the order given
	}
	return outcomes, ctx.Err()
}

// An engine written in Go, registered by name and chosen in a script with
// execute(..., engine="reverse").
func ExampleInterpreter_RegisterEngine() {
	it := interp.New(interp.WithQuiet(), interp.WithDefaultStorage("mem://interp-engine"))
	it.RegisterEngine("reverse", func(spec engines.Spec) (engines.Engine, error) {
		return reverse{}, nil
	})
	var mu sync.Mutex
	var order []string
	it.RegisterComponent("step", runtime.GoComponent{
		runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			mu.Lock()
			defer mu.Unlock()
			order = append(order, self.ID)
			return nil, nil
		},
	})
	script := `execute(Experiment().component("step").repeat(3), engine="reverse", seed=42)`
	report, err := it.ExecSource(context.Background(), "reverse.star", script)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(report.Results[0].Execution.Engine, report.Results[0].OK())
	fmt.Println(order)
	// Output:
	// reverse true
	// [9NTO7Rgg7Ag1 XfOWPgKJCcuh e9DJBHuoiCvn]
}

// Reading results back: open the storage an execution wrote to and walk
// experiments, components and records with the query API.
func ExampleOpenStorage() {
	it := interp.New(interp.WithQuiet())
	it.RegisterComponent("counter", runtime.GoComponent{
		runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			for n := int64(1); n <= 3; n++ {
				self.Record.Set("n", n)
				self.Record.Set("square", n*n)
				if err := self.Record.Save(); err != nil {
					return nil, err
				}
			}
			return nil, nil
		},
	})
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "counter"})
	if _, err := it.Execute(context.Background(), plan,
		interp.Seed(int64(42)), interp.Storage("mem://example-read")); err != nil {
		fmt.Println(err)
		return
	}

	st, err := interp.OpenStorage("mem://example-read")
	if err != nil {
		fmt.Println(err)
		return
	}
	experiments, err := st.Experiments()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range experiments {
		components, err := e.Components()
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, c := range components {
			status, _ := c.Status()
			fmt.Println(e.ID, c.ID, c.Name, status.Status)
			err := c.Records("default", func(row map[string]any) bool {
				fmt.Println("  n", row["n"], "square", row["square"])
				return true
			})
			if err != nil {
				fmt.Println(err)
			}
		}
	}
	// Output:
	// 8gWVkz e9DJBHuoiCvn counter finished
	//   n 1 square 1
	//   n 2 square 4
	//   n 3 square 9
}

// A builtin written in Go, available to scripts by name.
func ExampleWithPredeclared() {
	greet := starlark.NewBuiltin("greet", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var name string
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &name); err != nil {
			return nil, err
		}
		return starlark.String("hello, " + name), nil
	})
	it := interp.New(
		interp.WithStdout(os.Stdout), // the script's print()
		interp.WithPredeclared(starlark.StringDict{"greet": greet}),
	)
	if _, err := it.ExecSource(context.Background(), "greet.star", `print(greet("world"))`); err != nil {
		fmt.Println(err)
	}
	// Output:
	// hello, world
}

// Mixins in Go: a component declares the mixins it uses in its default
// config (runtime.WithDefaults), a mixin is registered like a component,
// and the component calls it with itself as self. A Starlark component
// reaches the same mixin as self._scaler_.scale(x); its config (factor)
// is merged under the component's, as machinable 2.x merges mixins.
func Example_mixins() {
	it := interp.New(interp.WithQuiet())
	it.RegisterComponent("scaler", runtime.WithDefaults(runtime.GoComponent{
		"scale": func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			return args[0].(float64) * self.Config["factor"].(float64), nil
		},
	}, map[string]any{"factor": 2.0}))
	it.RegisterComponent("model", runtime.WithDefaults(runtime.GoComponent{
		runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			v, err := self.CallMixin(ctx, "scaler", "scale", self.Config["x"])
			if err != nil {
				return nil, err
			}
			return nil, self.Store.StoreWrite("scaled", v, false)
		},
	}, map[string]any{"x": 1.5, "_mixins_": []any{"scaler"}}))
	script := `
run = execute(Experiment().component("model").component("model", {"factor": 10.0}))
scaled = [c.store("scaled") for c in run.components]
`
	report, err := it.ExecSource(context.Background(), "mixins.star", script)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(report.Globals["scaled"])
	// Output:
	// [3.0, 15.0]
}
