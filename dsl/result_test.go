package dsl_test

import (
	"context"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
)

// execute() of an experiment too large to hold gives components read from
// storage when used: the same collection as for a small one.
func TestExecuteValueOfAStreamedRun(t *testing.T) {
	reg := runtime.NewRegistry()
	reg.Register("n", runtime.GoComponent{})
	script := `
runs = execute(Experiment().component("n").repeat(1100), seed=1, engine="native:2")
cs = runs.components
print(len(cs), len(runs.failed), runs.ok, cs[0].flags.REPEAT_NUMBER, cs[1099].flags.REPEAT_NUMBER)
print(len(cs.filter(lambda c: c.flags.REPEAT_NUMBER >= 1000)), cs.first().id == cs[0].id, cs[5] in cs)
`
	var out strings.Builder
	_, err := dsl.ExecFile(context.Background(), "big.star", script, dsl.Options{
		Executor: executor.New(reg, nil), Stdout: &out, Storage: "mem://" + t.Name(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "1100 0 True 0 1099\n100 True True\n"; out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
}
