package dsl_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/storage"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarktest"
)

// TestBestScript runs testdata/tuning/best.star against its own project,
// with mark_stopped(url, experiment_id, component_id), which ends a
// component as a trial scheduler does: status "stopped", records kept.
func TestBestScript(t *testing.T) {
	opts := newOptions(t, nil)
	project, err := filepath.Abs("testdata/tuning/project")
	if err != nil {
		t.Fatal(err)
	}
	opts.Project = project
	assertModule, err := starlarktest.LoadAssertModule()
	if err != nil {
		t.Fatal(err)
	}
	opts.Predeclared = assertModule
	opts.Predeclared["test_storage"] = starlark.NewBuiltin("test_storage", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var name string
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &name); err != nil {
			return nil, err
		}
		return starlark.String(fmt.Sprintf("mem://%s/%d/%s", t.Name(), runCounter.Add(1), name)), nil
	})
	opts.Predeclared["mark_stopped"] = starlark.NewBuiltin("mark_stopped", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var url, exp, id string
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "url", &url, "experiment_id", &exp, "component_id", &id); err != nil {
			return nil, err
		}
		return starlark.None, markStopped(url, exp, id)
	})
	opts.ThreadHook = func(th *starlark.Thread) { starlarktest.SetReporter(th, t) }
	if _, err := dsl.ExecFile(context.Background(), "testdata/tuning/best.star", nil, opts); err != nil {
		if e, ok := err.(*starlark.EvalError); ok {
			t.Fatal(e.Backtrace())
		}
		t.Fatal(err)
	}
}

// markStopped rewrites a component's status to "stopped", keeping its
// times, as a trial scheduler ends a trial early.
func markStopped(url, expID, id string) error {
	s, err := storage.Open(url)
	if err != nil {
		return err
	}
	exp, err := s.OpenExperiment("", expID)
	if err != nil {
		return err
	}
	c, err := exp.OpenComponent(id)
	if err != nil {
		return err
	}
	st, err := c.ReadStatus()
	if err != nil {
		return err
	}
	st.Status = storage.StatusStopped
	return c.WriteStatus(st)
}
