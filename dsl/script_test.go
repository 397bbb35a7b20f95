package dsl_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarktest"
)

// runCounter makes storage names unique across repeated test runs.
var runCounter atomic.Int64

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
	// a mixin written in Go, used by testdata/project/gomixed.star
	reg.Register("gohelper", runtime.GoComponent{
		"triple": func(_ context.Context, self *runtime.Self, args ...any) (any, error) {
			self.Attrs["tripled"] = true
			return args[0].(int64) * 3, nil
		},
	})
	// a Go component that calls the .star mixin data (testdata/project)
	reg.Register("gouser", runtime.GoComponent{
		runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			v, err := self.CallMixin(ctx, "_data_", "load_data", int64(4))
			if err != nil {
				return nil, err
			}
			return nil, self.Store.StoreWrite("loaded", []any{v, self.Config["batch_size"]}, false)
		},
	})
	return dsl.Options{
		Executor: executor.New(reg, console),
		Project:  fixtureProject(t),
		// each test its own in-memory storage, unless a script names one
		DefaultStorage: fmt.Sprintf("mem://%s/%d", t.Name(), runCounter.Add(1)),
	}
}

// scriptOptions are newOptions with what scripts that assert use: the
// assert module and test_storage(name).
func scriptOptions(t *testing.T) dsl.Options {
	opts := newOptions(t, nil)
	assertModule, err := starlarktest.LoadAssertModule()
	if err != nil {
		t.Fatal(err)
	}
	opts.Predeclared = assertModule
	// test_storage(name) gives a storage of this test run's own,
	// so scripts can execute one seed twice (and -count=N works).
	opts.Predeclared["test_storage"] = starlark.NewBuiltin("test_storage", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var name string
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &name); err != nil {
			return nil, err
		}
		return starlark.String(fmt.Sprintf("mem://%s/%d/%s", t.Name(), runCounter.Add(1), name)), nil
	})
	// The assert module reports through the thread it runs on;
	// ExecFile makes that thread, so install the reporter there.
	opts.ThreadHook = func(th *starlark.Thread) { starlarktest.SetReporter(th, t) }
	return opts
}

// runAsserting runs a script that asserts; an error fails the test with its
// backtrace.
func runAsserting(t *testing.T, file string, opts dsl.Options) {
	if _, err := dsl.ExecFile(context.Background(), file, nil, opts); err != nil {
		if e, ok := err.(*starlark.EvalError); ok {
			t.Fatal(e.Backtrace())
		}
		t.Fatal(err)
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
			runAsserting(t, file, scriptOptions(t))
		})
	}
}
