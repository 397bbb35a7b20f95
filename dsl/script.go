package dsl

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/runtime/project"
	"go.starlark.net/lib/json"
	"go.starlark.net/lib/math"
	"go.starlark.net/lib/time"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// Report is what running a script produced.
type Report struct {
	// Globals are the script's global names after it ran.
	Globals starlark.StringDict
	// Results holds every execute() result, in call order.
	Results []*runtime.Result
}

// Failed counts failed components over all executions of the script.
func (r *Report) Failed() int {
	n := 0
	for _, res := range r.Results {
		n += len(res.Failed())
	}
	return n
}

// libraries are the modules available to scripts and components alike.
func libraries() starlark.StringDict {
	return starlark.StringDict{
		"math":   math.Module,
		"json":   json.Module,
		"time":   time.Module,
		"struct": starlark.NewBuiltin("struct", starlarkstruct.Make),
		"module": starlark.NewBuiltin("module", starlarkstruct.MakeModule),
		"format": starlark.NewBuiltin("format", builtinFormat),
	}
}

// ScriptPredeclared returns the names an experiment script starts with.
// random is unseeded (fresh) in scripts; components get a seeded one.
func ScriptPredeclared() starlark.StringDict {
	d := libraries()
	d["Experiment"] = starlark.NewBuiltin("Experiment", builtinExperiment)
	d["execute"] = starlark.NewBuiltin("execute", builtinExecute)
	d["Execution"] = executionType{}
	d["Storage"] = starlark.NewBuiltin("Storage", builtinStorage)
	d["command"] = starlark.NewBuiltin("command", builtinCommand)
	d["random"] = newRandomModule(nil)
	d["tune"] = newTuneModule()
	return d
}

// ExecFile runs an experiment script. src may be nil to read filename.
// Errors are *starlark.EvalError (with Backtrace) or syntax errors that
// name file:line:col.
func ExecFile(ctx context.Context, filename string, src any, opts Options) (*Report, error) {
	abs, err := filepath.Abs(filename)
	if err != nil {
		return nil, err
	}
	data, err := scriptSource(abs, src)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(abs)
	root := dir
	if opts.Project != "" {
		root = opts.Project
	} else if found, err := project.Find(dir); err == nil {
		root = found
	}
	out := opts.Stdout
	if out == nil {
		out = io.Discard
	}
	print := func(_ *starlark.Thread, msg string) { fmt.Fprintln(out, msg) }
	thread := &starlark.Thread{Name: "script " + filename, Print: print}
	st := &state{ctx: ctx, role: roleScript, dir: dir, root: root, opts: opts}
	predeclared := ScriptPredeclared()
	for k, v := range opts.Predeclared {
		predeclared[k] = v
	}
	st.loader = newModuleLoader(root, predeclared, print, st)
	thread.Load = st.loader.load
	setState(thread, st)
	if opts.ThreadHook != nil {
		opts.ThreadHook(thread)
	}
	defer watchContext(ctx, thread)()
	globals, err := execFile(thread, abs, data, predeclared)
	return &Report{Globals: globals, Results: st.results}, withSourceHint(err, data)
}

// scriptSource reads the script's text (src as ExecFile takes it): the
// hints for syntax errors need the offending line.
func scriptSource(abs string, src any) ([]byte, error) {
	switch s := src.(type) {
	case nil:
		data, err := os.ReadFile(abs)
		if err != nil {
			return nil, fmt.Errorf("read script: %w", err)
		}
		return data, nil
	case string:
		return []byte(s), nil
	case []byte:
		return s, nil
	case io.Reader:
		data, err := io.ReadAll(s)
		if err != nil {
			return nil, fmt.Errorf("read script: %w", err)
		}
		return data, nil
	}
	return nil, fmt.Errorf("script source: unsupported type %T", src)
}
