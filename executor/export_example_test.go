package executor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
)

// The Go side of a script's Execution object: Plan resolves a request as
// Execute would, without running or writing anything (summary()); Filter
// drops scheduled components and the others keep their IDs (filter());
// Export writes a folder whose run.star executes it again (export()).
func ExampleExecutor_Plan() {
	reg := runtime.NewRegistry()
	reg.Register("hello", runtime.GoComponent{})
	x := executor.New(reg, nil)
	req := runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "hello"}).Repeat(3, ""),
		Seed:    int64(42),
		Storage: "mem://example",
		Filter: func(index int, sc *runtime.ScheduledComponent) (bool, error) {
			return fmt.Sprint(sc.Flags["REPEAT_NUMBER"]) != "1", nil
		},
	}
	ex, err := x.Plan(context.Background(), req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(ex.Summary())

	dir, _ := os.MkdirTemp("", "export")
	defer os.RemoveAll(dir)
	if err := executor.Export(ex, nil, filepath.Join(dir, "hello")); err != nil {
		fmt.Println(err)
		return
	}
	_, err = os.Stat(filepath.Join(dir, "hello", executor.ExportScript))
	fmt.Println("exported:", err == nil)
	// Output:
	// Execution 8gWVkz (seed 7957417341)
	//   storage: mem://example
	//   engine:  native
	//   project: -
	//   code:    -
	// 2 components
	//   1/2 e9DJBHuoiCvn hello
	//       flags:  REPEAT_NUMBER=0 REPEAT_SEED=2055422843 REPEAT_TOTAL=3 SEED=263761070
	//       config: {}
	//   2/2 9NTO7Rgg7Ag1 hello
	//       flags:  REPEAT_NUMBER=2 REPEAT_SEED=2055422843 REPEAT_TOTAL=3 SEED=102001072
	//       config: {}
	// exported: true
}
