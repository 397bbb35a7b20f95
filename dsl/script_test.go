package dsl_test

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarktest"
)

// fixtureProject is the project every script test runs against.
func fixtureProject(t testing.TB) string {
	dir, err := filepath.Abs("testdata/project")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// newOptions returns options with a quiet executor over the Starlark
// loader and a storage of the test's own.
func newOptions(t testing.TB, console io.Writer) dsl.Options {
	reg := runtime.NewRegistry()
	dsl.Register(reg)
	return dsl.Options{
		Executor: executor.New(reg, console),
		Project:  fixtureProject(t),
		Storage:  "mem://" + t.Name(),
	}
}

// TestScripts runs every testdata/scripts/*.star file; each asserts its
// own expectations with the assert module.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/scripts/*.star")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".star"), func(t *testing.T) {
			opts := newOptions(t, nil)
			assertModule, err := starlarktest.LoadAssertModule()
			if err != nil {
				t.Fatal(err)
			}
			opts.Predeclared = assertModule
			// The assert module reports through the thread it runs on;
			// ExecFile makes that thread, so install the reporter there.
			opts.ThreadHook = func(th *starlark.Thread) { starlarktest.SetReporter(th, t) }
			if _, err := dsl.ExecFile(context.Background(), file, nil, opts); err != nil {
				if e, ok := err.(*starlark.EvalError); ok {
					t.Fatal(e.Backtrace())
				}
				t.Fatal(err)
			}
		})
	}
}
