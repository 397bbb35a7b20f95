package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/machinable-go/machinable/engines"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/runtime/project"
	"github.com/machinable-go/machinable/seeding"
	"github.com/machinable-go/machinable/storage"
)

// Executor is the standard runtime.Executor.
type Executor struct {
	Components *runtime.Registry
	Engines    *engines.Registry
	// Console receives the experiment ID, one line per component, the
	// summary and component output; nil keeps everything quiet.
	Console io.Writer
	// Now is the clock (tests set it); nil is time.Now.
	Now func() time.Time

	consoleOnce sync.Once
	locked      *lockedWriter
}

var _ runtime.Executor = (*Executor)(nil)

// New returns an executor with the given component registry and the
// built-in engines.
func New(components *runtime.Registry, console io.Writer) *Executor {
	return &Executor{Components: components, Engines: engines.NewRegistry(), Console: console}
}

func (x *Executor) now() time.Time {
	if x.Now != nil {
		return x.Now()
	}
	return time.Now()
}

// console is Console made safe for the components that write to it at
// once under parallel engines (one lock per executor).
func (x *Executor) console() io.Writer {
	x.consoleOnce.Do(func() {
		if x.Console != nil {
			x.locked = &lockedWriter{w: x.Console}
		}
	})
	if x.locked == nil {
		return nil // keep a nil interface, which means quiet
	}
	return x.locked
}

// lockedWriter serializes writes.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (x *Executor) printf(format string, args ...any) {
	if c := x.console(); c != nil {
		fmt.Fprintf(c, format, args...)
	}
}

// GlobalSeed turns execute()'s seed argument into the global seed.
func GlobalSeed(seed any) (int64, error) {
	switch s := seed.(type) {
	case nil:
		return seeding.FreshGlobalSeed(), nil
	case int64:
		return seeding.GlobalSeedFromInt(s), nil
	case int:
		return seeding.GlobalSeedFromInt(int64(s)), nil
	case string:
		return seeding.DecodeExperimentID(s)
	}
	return 0, fmt.Errorf("seed: expected None, an integer or a 6-character experiment ID, got %T", seed)
}

// LoadProject finds and loads the project of a request; no machinable.yaml
// anywhere is not an error when only Go components are used.
func LoadProject(dir, searchFrom string) (*project.Project, error) {
	if dir == "" {
		if searchFrom == "" {
			searchFrom, _ = os.Getwd()
		}
		found, err := project.Find(searchFrom)
		if err != nil {
			return nil, nil
		}
		dir = found
	}
	p, err := project.Load(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("project %s: no %s there", dir, project.FileName)
		}
		return nil, err
	}
	return p, nil
}

// Resolve builds the execution of a request without running it.
func (x *Executor) Resolve(ctx context.Context, req runtime.ExecuteRequest) (*runtime.Execution, engines.Engine, error) {
	if req.Plan == nil {
		return nil, nil, errors.New("execute: no experiment given")
	}
	globalSeed, err := GlobalSeed(req.Seed)
	if err != nil {
		return nil, nil, err
	}
	id, err := seeding.EncodeExperimentID(globalSeed)
	if err != nil {
		return nil, nil, err
	}
	spec, err := engines.ParseSpec(req.Engine)
	if err != nil {
		return nil, nil, err
	}
	engine, err := x.Engines.New(spec)
	if err != nil {
		return nil, nil, err
	}
	proj, err := LoadProject(req.Project, req.SearchFrom)
	if err != nil {
		return nil, nil, err
	}
	resolver := &runtime.Resolver{Project: proj, Registry: x.Components}
	schedule, err := resolver.Resolve(ctx, req.Plan, globalSeed)
	if err != nil {
		return nil, nil, err
	}
	storageURL := req.Storage
	if storageURL == "" {
		storageURL = "mem://"
	}
	started := x.now()
	ex := &runtime.Execution{
		ExperimentID: id,
		Seed:         globalSeed,
		Plan:         req.Plan,
		Engine:       spec.String(),
		EngineConfig: spec.Options,
		Storage:      storageURL,
		Directory:    runtime.Strftime(req.Plan.Directory, started),
		StartedAt:    started.UTC(),
		Version:      runtime.MachinableVersion,
		Schedule:     schedule,
	}
	if proj != nil {
		ex.Project = proj.Dir
	}
	st, err := storage.Open(storageURL)
	if err != nil {
		return nil, nil, err
	}
	if ex.CodeBackup, err = codeBackupConfig(proj, req.CodeBackup, st); err != nil {
		return nil, nil, err
	}
	return ex, engine, nil
}

// Execute implements runtime.Executor.
func (x *Executor) Execute(ctx context.Context, req runtime.ExecuteRequest) (*runtime.Result, error) {
	ex, engine, err := x.Resolve(ctx, req)
	if err != nil {
		return nil, err
	}
	result := &runtime.Result{Execution: ex}
	if d, ok := engine.(engines.DryRunner); ok && d.Dry() {
		result.Dry = true
		x.printSchedule(ex)
		return result, nil
	}
	// The experiment ID comes first, before anything Prepare may say.
	if st, err := storage.Open(ex.Storage); err == nil {
		x.printf("Experiment %s (seed %d): %d component(s), engine %s, storage %s\n",
			ex.ExperimentID, ex.Seed, len(ex.Schedule), ex.Engine, st.Describe(st.ExperimentPath(ex.Directory, ex.ExperimentID)))
	}
	exp, err := Prepare(ex, x.console())
	if err != nil {
		return nil, err
	}
	result.Experiment = exp

	start := time.Now()
	var mu sync.Mutex // engines report from several goroutines at once
	done := 0
	job := &engines.Job{
		Execution:  ex,
		Experiment: exp,
		Registry:   x.Components,
		Console:    x.console(),
		Done: func(o runtime.Outcome) {
			mu.Lock()
			defer mu.Unlock()
			done++
			x.printOutcome(done, len(ex.Schedule), o)
		},
	}
	outcomes, runErr := engine.Run(ctx, job)
	result.Outcomes = outcomes
	x.printSummary(result, time.Since(start))
	if runErr != nil {
		return result, fmt.Errorf("engine %s: %w", engine.Name(), runErr)
	}
	return result, nil
}

// Prepare creates the experiment directory of a resolved execution, backs
// up the code (code.zip, code version) and writes execution.json,
// schedule.json and host.json: after it, any process that can open the
// storage can run a component by ID (RunStored). Warnings go to console.
func Prepare(ex *runtime.Execution, console io.Writer) (*storage.Experiment, error) {
	st, err := storage.Open(ex.Storage)
	if err != nil {
		return nil, err
	}
	exp, err := st.CreateExperiment(ex.Directory, ex.ExperimentID)
	if err != nil {
		return nil, err
	}
	warn := func(format string, args ...any) {
		if console != nil {
			fmt.Fprintf(console, format, args...)
		}
	}
	if err := writeCodeBackup(exp, ex, warn); err != nil {
		// The directory was created just now and holds nothing but a
		// partial code.zip: remove it so the seed can be run again.
		_ = st.Fs.RemoveAll(exp.Path)
		return nil, err
	}
	if err := writeExecution(exp, ex); err != nil {
		return nil, err
	}
	return exp, nil
}

// RunStored runs one component of a stored execution in this process: the
// worker side of every engine that runs components elsewhere.
func RunStored(ctx context.Context, exp *storage.Experiment, componentID string, reg *runtime.Registry, console io.Writer) (runtime.Outcome, error) {
	ex, err := LoadExecution(exp)
	if err != nil {
		return runtime.Outcome{}, err
	}
	sc, ok := ex.Component(componentID)
	if !ok {
		return runtime.Outcome{}, fmt.Errorf("experiment %s has no component %q", exp.ID, componentID)
	}
	return runtime.RunComponent(ctx, runtime.RunEnv{Execution: ex, Experiment: exp, Registry: reg, Console: console}, sc), nil
}

// writeExecution stores what a worker needs to rebuild the execution.
func writeExecution(exp *storage.Experiment, ex *runtime.Execution) error {
	if err := exp.WriteJSON("execution.json", ex); err != nil {
		return err
	}
	if err := exp.WriteJSON("schedule.json", runtime.ScheduleFile{Components: ex.Schedule}); err != nil {
		return err
	}
	return exp.WriteJSON("host.json", runtime.CurrentHost())
}

// LoadExecution reads an execution back from its experiment directory:
// the worker protocol's starting point.
func LoadExecution(exp *storage.Experiment) (*runtime.Execution, error) {
	var ex runtime.Execution
	if err := exp.ReadJSON("execution.json", &ex); err != nil {
		return nil, fmt.Errorf("experiment %s: %w", exp.ID, err)
	}
	var sched runtime.ScheduleFile
	if err := exp.ReadJSON("schedule.json", &sched); err != nil {
		return nil, fmt.Errorf("experiment %s: %w", exp.ID, err)
	}
	ex.Schedule = sched.Components
	normalizeSchedule(ex.Schedule)
	if ex.Plan != nil {
		data, err := ex.Plan.JSON()
		if err == nil {
			if plan, err := runtime.ParseExperiment(data); err == nil {
				ex.Plan = plan
			}
		}
	}
	return &ex, nil
}

func normalizeSchedule(cs []runtime.ScheduledComponent) {
	for i := range cs {
		c := &cs[i]
		c.Config = normalizeMap(c.Config)
		c.Flags = normalizeMap(c.Flags)
		c.Resources = normalizeMap(c.Resources)
		normalizeSchedule(c.Components)
	}
}

func (x *Executor) printSchedule(ex *runtime.Execution) {
	x.printf("Experiment %s (seed %d): dry run of %d component(s), nothing is written\n", ex.ExperimentID, ex.Seed, len(ex.Schedule))
	for i, c := range ex.Schedule {
		x.printf("  [%d] %s %s config=%s flags=%s\n", i+1, c.ID, c.Name, compactJSON(project.Visible(c.Config)), compactJSON(c.Flags))
		for _, s := range c.Components {
			x.printf("      + %s %s config=%s\n", s.ID, s.Name, compactJSON(project.Visible(s.Config)))
		}
	}
}

func (x *Executor) printOutcome(n, total int, o runtime.Outcome) {
	line := fmt.Sprintf("[%d/%d] %s %s %s in %s", n, total, o.Component.ID, o.Component.Name, o.Status, o.Duration.Round(time.Microsecond))
	if o.Error != "" {
		line += ": " + errorSummary(o.Error)
	}
	x.printf("%s\n", line)
}

func (x *Executor) printSummary(r *runtime.Result, took time.Duration) {
	failed := r.Failed()
	x.printf("Experiment %s: %d finished, %d failed in %s\n", r.Execution.ExperimentID,
		len(r.Outcomes)-len(failed), len(failed), took.Round(time.Millisecond))
	for _, o := range failed {
		x.printf("  failed: %s %s: %s\n", o.Component.ID, o.Component.Name, errorSummary(o.Error))
	}
}
