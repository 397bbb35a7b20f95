package interp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/engines"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// Report is what running a script produced: its global variables and
// the result of every execute() call, in call order.
type Report = dsl.Report

// Interpreter runs experiment scripts and Go plans with the components and
// engines registered on it. Make one with New.
type Interpreter struct {
	cfg        config
	components *runtime.Registry
	engines    *engines.Registry
	executor   *executor.Executor
}

// New returns an Interpreter with the Starlark component loader, the
// built-in engines and the given options.
func New(opts ...Option) *Interpreter {
	cfg := config{stdout: os.Stdout, stderr: os.Stderr}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.quiet {
		cfg.stdout, cfg.stderr = nil, nil
	}
	reg := runtime.NewRegistry()
	dsl.Register(reg) // .star component modules of the project
	x := executor.New(reg, cfg.stdout)
	x.Settings = cfg.settings
	stdout, stderr := cfg.stdout, cfg.stderr
	x.NewReporter = func() executor.Reporter { return newReporter(stdout, stderr) }
	return &Interpreter{cfg: cfg, components: reg, engines: x.Engines, executor: x}
}

// RegisterComponent makes a Go component available under name to every
// script and plan of the Interpreter; it takes precedence over a Starlark
// module of the same name. runtime.GoComponent, a table of event
// functions keyed by runtime.OnExecute and friends, is the simplest
// Factory. When machinable.yaml declares the name, the component gets that
// config (and its versions); otherwise its config is made of the patches
// the plan gives it.
func (i *Interpreter) RegisterComponent(name string, c runtime.Factory) {
	i.components.Register(name, c)
}

// RegisterEngine makes a Go engine available under name, as in
// execute(..., engine="name") or engine={"type": "name", ...}; the
// constructor receives the parsed spec with its options. It replaces a
// built-in engine of the same name.
func (i *Interpreter) RegisterEngine(name string, c engines.Constructor) {
	i.engines.Register(name, c)
}

// ExecFile runs the experiment script in filename. Errors in the script
// are *starlark.EvalError (use errors.As, then Backtrace() for file:line:col
// of every frame) or syntax errors naming file:line:col. A component that
// fails does not make ExecFile fail: see Report.Failed and the outcomes of
// Report.Results. Cancelling ctx stops the script and the components that
// are running.
func (i *Interpreter) ExecFile(ctx context.Context, filename string) (*Report, error) {
	return dsl.ExecFile(ctx, filename, nil, i.scriptOptions())
}

// ExecSource runs src as the experiment script named filename; filename
// appears in backtraces, and relative load() paths and the search for
// machinable.yaml start from its directory (relative to the working
// directory). Otherwise it is ExecFile.
func (i *Interpreter) ExecSource(ctx context.Context, filename string, src string) (*Report, error) {
	return dsl.ExecFile(ctx, filename, src, i.scriptOptions())
}

func (i *Interpreter) scriptOptions() dsl.Options {
	return dsl.Options{
		Executor:       defaults{i},
		Stdout:         i.cfg.stdout, // nil discards print()
		Project:        i.cfg.project,
		DefaultStorage: i.cfg.defaultStorage,
		Predeclared:    i.cfg.predeclared,
	}
}

// Execute runs a plan built in Go, without Starlark: resolve it against
// the project and the seed, write it to the storage, run it on the engine.
// Storage, Engine, Seed and FailFast set what the options of New leave
// open. As with a script, an experiment that already exists in the
// storage (same seed) is resumed rather than overwritten. The error is
// non-nil when the plan cannot run at all; failed components are in
// Result.Failed.
func (i *Interpreter) Execute(ctx context.Context, plan *runtime.Experiment, opts ...ExecuteOption) (*runtime.Result, error) {
	return defaults{i}.Execute(ctx, i.request(plan, opts))
}

// Resume runs what is left of a stored experiment, as `machinable resume`
// does: finished components are kept, those running in another live
// process are left alone, the rest run again. experimentURL is the
// experiment's URL (Result.Experiment.URL(), e.g. /abs/results/8gWVkz or
// mem://name/8gWVkz), or a bare experiment ID looked up in the default
// storage. engine nil uses the Interpreter's default engine. Component
// code is loaded from the project recorded in the experiment.
func (i *Interpreter) Resume(ctx context.Context, experimentURL string, engine any) (*runtime.Result, error) {
	exp, err := i.openExperiment(experimentURL)
	if err != nil {
		return nil, err
	}
	if engine == nil {
		engine = i.cfg.engine
	}
	res, err := i.executor.Resume(ctx, exp, engine, false)
	if res != nil && res.Execution != nil {
		// The resume left what ended final earlier undecoded; a Go
		// caller gets every component whole.
		if derr := res.Execution.DecodeSchedule(); derr != nil && err == nil {
			err = derr
		}
	}
	return res, err
}

func (i *Interpreter) openExperiment(url string) (*storage.Experiment, error) {
	if url == "" {
		return nil, errors.New("resume: no experiment given")
	}
	if strings.Contains(url, "/") {
		return storage.OpenExperimentURL(url)
	}
	st, err := storage.Open(i.cfg.defaultStorage)
	if err != nil {
		return nil, err
	}
	return st.FindExperiment(url)
}

// OpenStorage opens a storage for reading what executions wrote; url is
// what was executed into (mem://name, a local path, file://, s3://). The
// query API starts there:
//
//   - (*storage.Storage).Experiments lists the experiments, newest first;
//     Experiment(id) finds one by ID;
//   - (*storage.ExperimentView).Components lists its components in
//     schedule order (ID, Name, Config, Flags); Component(id) finds one;
//     Statuses and Counts sum up their states;
//   - (*storage.ComponentView).Records(scope, fn) streams the saved rows
//     of a record scope ("default" is self.record), AllRecords collects
//     them, Scopes lists the scopes; Read(name) returns a value the
//     component stored; File("log.txt") and File("output.log") its log and
//     output; Status its status.json.
//
// Nothing here writes, and every read goes to the files, so an experiment
// that is still running shows its current state.
func OpenStorage(url string) (*storage.Storage, error) {
	return storage.Open(url)
}

// defaults is the Executor the scripts of an Interpreter call: it fills in
// the Interpreter's defaults where execute() and the plan named nothing.
type defaults struct{ i *Interpreter }

var _ runtime.Executor = defaults{}

func (d defaults) Execute(ctx context.Context, req runtime.ExecuteRequest) (*runtime.Result, error) {
	return d.i.executor.Execute(ctx, d.fill(req))
}

// reporter shows progress on stdout (the executor's plain lines) and the
// whole error of every failed component on stderr.
type reporter struct {
	*executor.PlainReporter
	stderr io.Writer
}

func newReporter(stdout, stderr io.Writer) executor.Reporter {
	return &reporter{PlainReporter: executor.NewPlainReporter(stdout), stderr: stderr}
}

// End implements executor.Reporter.
func (r *reporter) End(res *runtime.Result, took time.Duration) {
	r.PlainReporter.End(res, took)
	if r.stderr == nil {
		return
	}
	for _, o := range res.Failed() {
		fmt.Fprintf(r.stderr, "component %s (%s) of experiment %s failed:\n%s\n",
			o.Component.ID, o.Component.Name, res.Execution.ExperimentID, strings.TrimRight(o.Error, "\n"))
	}
}
