package dsl_test

import (
	"path/filepath"
	"testing"

	"github.com/machinable-go/machinable/internal/tunetest"
	"go.starlark.net/starlark"
)

// TestBestScript runs testdata/tuning/best.star against its own project,
// with mark_stopped(url, experiment_id, component_id), which ends a
// component as a trial scheduler does: status "stopped", records kept.
func TestBestScript(t *testing.T) {
	opts := scriptOptions(t)
	project, err := filepath.Abs("testdata/tuning/project")
	if err != nil {
		t.Fatal(err)
	}
	opts.Project = project
	opts.Predeclared["mark_stopped"] = starlark.NewBuiltin("mark_stopped", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var url, exp, id string
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "url", &url, "experiment_id", &exp, "component_id", &id); err != nil {
			return nil, err
		}
		return starlark.None, tunetest.MarkStopped(url, exp, id)
	})
	runAsserting(t, "testdata/tuning/best.star", opts)
}
