package interp_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/machinable-go/machinable/interp"
	"github.com/machinable-go/machinable/runtime"
)

// Plan shows what Execute would run, without running it; Export writes a
// stored experiment as a folder that runs it again (run.star).
func ExampleInterpreter_Plan() {
	it := interp.New(interp.WithQuiet())
	it.RegisterComponent("hello", runtime.GoComponent{})
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "hello"}).Repeat(2, "")
	ex, err := it.Plan(context.Background(), plan, interp.Seed(42))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range ex.Schedule {
		fmt.Println(ex.ExperimentID, c.ID, c.Flags["REPEAT_NUMBER"])
	}
	res, err := it.Execute(context.Background(), plan, interp.Seed(ex.ExperimentID), interp.Storage("mem://plan-example"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Outcomes[1].Component.ID, res.OK())

	dir, _ := os.MkdirTemp("", "export")
	defer os.RemoveAll(dir)
	err = it.Export(context.Background(), res.Experiment.URL(), filepath.Join(dir, "again"))
	_, statErr := os.Stat(filepath.Join(dir, "again", "run.star"))
	fmt.Println(err, statErr == nil)
	// Output:
	// 8gWVkz e9DJBHuoiCvn 0
	// 8gWVkz XfOWPgKJCcuh 1
	// XfOWPgKJCcuh true
	// <nil> true
}
