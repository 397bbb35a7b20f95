// Command embed shows a Go program that embeds machinable: it registers a
// component written in Go (go_counter), runs plan.star, which mixes it with
// a component written in Starlark (starlark_worker.star), and prints a
// summary read back through the query API.
//
//	go run ./examples/embed            # from the repository root
//	go run .                           # from examples/embed
//	go run ./examples/embed -project path/to/project
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	goruntime "runtime"

	"github.com/machinable-go/machinable/interp"
	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
)

// storageURL is where the example writes: in memory, read back below.
const storageURL = "mem://embed"

// goCounter is a component written in Go. machinable seeds self.Rand with
// the component's SEED, so the same seed draws the same values.
var goCounter = runtime.GoComponent{
	runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
		count := self.Config["count"].(int64) // from machinable.yaml
		limit := self.Config["limit"].(int64)
		for i := int64(1); i <= count; i++ {
			if err := ctx.Err(); err != nil {
				return nil, err // cancelled: the component ends as interrupted
			}
			self.Record.Set("step", i)
			self.Record.Set("value", self.Rand.Int64N(limit))
			if err := self.Record.Save(); err != nil {
				return nil, err
			}
		}
		return nil, self.Log.Log("INFO", fmt.Sprintf("counted %d values", count))
	},
}

func main() {
	project := flag.String("project", defaultProject(), "project directory holding machinable.yaml and plan.star")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *project); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run executes plan.star of the project in projectDir and writes the
// progress and a summary to out.
func run(ctx context.Context, out io.Writer, projectDir string) error {
	it := interp.New(
		interp.WithProject(projectDir),
		interp.WithStdout(out),
		interp.WithStderr(out),
		interp.WithDefaultStorage(storageURL),
	)
	it.RegisterComponent("go_counter", goCounter)

	report, err := it.ExecFile(ctx, filepath.Join(projectDir, "plan.star"))
	if err != nil {
		var evalErr *starlark.EvalError
		if errors.As(err, &evalErr) {
			return fmt.Errorf("%s", evalErr.Backtrace())
		}
		return err
	}
	if n := report.Failed(); n > 0 {
		return fmt.Errorf("%d component(s) failed", n)
	}
	for _, res := range report.Results {
		if err := summary(out, res.Execution.Storage, res.Execution.ExperimentID); err != nil {
			return err
		}
	}
	return nil
}

// summary reads an experiment back through the query API: its components
// and the sum of the values they recorded.
func summary(out io.Writer, storageURL, id string) error {
	st, err := interp.OpenStorage(storageURL)
	if err != nil {
		return err
	}
	exp, err := st.Experiment(id)
	if err != nil {
		return err
	}
	components, err := exp.Components()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nSummary of experiment %s (seed %d), read from %s:\n", exp.ID, exp.Seed, storageURL)
	for _, c := range components {
		status, err := c.Status()
		if err != nil {
			return err
		}
		rows, sum := 0, 0.0
		err = c.Records("default", func(row map[string]any) bool {
			rows++
			switch v := row["value"].(type) {
			case int64:
				sum += float64(v)
			case float64:
				sum += v
			}
			return true
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  %s  %-15s  repeat %v  %-8s  %d rows  sum %7.3f\n",
			c.ID, c.Name, c.Flags["REPEAT_NUMBER"], status.Status, rows, sum)
	}
	return nil
}

// defaultProject finds the directory of this example: the directory of
// this source file when it is there (go run from anywhere in the
// repository), else examples/embed or the working directory.
func defaultProject() string {
	candidates := []string{}
	if _, file, _, ok := goruntime.Caller(0); ok {
		candidates = append(candidates, filepath.Dir(file))
	}
	candidates = append(candidates, filepath.Join("examples", "embed"), ".")
	for _, dir := range candidates {
		if _, err := os.Stat(filepath.Join(dir, "plan.star")); err == nil {
			return dir
		}
	}
	return "."
}
