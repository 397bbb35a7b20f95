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
	// Components are the component factories by name (Go components, and
	// Starlark ones through dsl.Register).
	Components *runtime.Registry
	// Engines are the engines by type; New registers the built-in ones.
	Engines *engines.Registry
	// Console receives the experiment ID, one line per component, the
	// summary and component output; nil keeps everything quiet.
	Console io.Writer
	// NewReporter makes the progress display of one execution; nil gives
	// a PlainReporter on Console.
	NewReporter func() Reporter
	// Now is the clock (tests set it); nil is time.Now.
	Now func() time.Time
	// Ask, when set, asks the person at the terminal to pick one of
	// choices (the first is the default), showing the question on
	// console; cluster engines use it after Ctrl-C (cancel or detach).
	Ask func(console io.Writer, question string, choices []string) string
	// Unattended says no one watches the console; see engines.Job.
	Unattended bool
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

func (x *Executor) reporter() Reporter {
	if x.NewReporter != nil {
		return x.NewReporter()
	}
	return NewPlainReporter(x.Console)
}

// lockedWriter serializes writes: parallel components share the console.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
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
		Engine:       spec.Redacted().String(),
		EngineConfig: spec.Redacted().Options,
		Storage:      storageURL,
		Directory:    runtime.Strftime(req.Plan.Directory, started),
		StartedAt:    started.UTC(),
		Version:      runtime.MachinableVersion,
		Schedule:     schedule,

		ScheduleFormat: runtime.ScheduleFormat,
	}
	if proj != nil {
		ex.Project = proj.Dir
		ex.Warnings = append(proj.Warnings(), resolver.Warnings...)
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

// printWarnings says what resolving found worth saying, one line each.
func printWarnings(w io.Writer, ex *runtime.Execution) {
	if w == nil {
		return // a quiet executor
	}
	for _, msg := range ex.Warnings {
		fmt.Fprintf(w, "warning: %s\n", msg)
	}
}

// Execute implements runtime.Executor. An experiment that already exists
// in the storage with the same plan is resumed: finished components are
// kept, running ones left alone, the rest run again (SPEC §6).
func (x *Executor) Execute(ctx context.Context, req runtime.ExecuteRequest) (*runtime.Result, error) {
	ex, engine, err := x.Resolve(ctx, req)
	if err != nil {
		return nil, err
	}
	rep := x.reporter()
	if d, ok := engine.(engines.DryRunner); ok && d.Dry() {
		PrintSchedule(rep.Output(), ex)
		printWarnings(rep.Output(), ex)
		return &runtime.Result{Execution: ex, Dry: true}, nil
	}
	st, err := storage.Open(ex.Storage)
	if err != nil {
		return nil, err
	}
	// The experiment ID comes first, before anything else is said.
	rep.Begin(ex, st.Describe(st.ExperimentPath(ex.Directory, ex.ExperimentID)))
	printWarnings(rep.Output(), ex)
	var exp *storage.Experiment
	resumed := st.Exists(ex.Directory, ex.ExperimentID)
	if resumed {
		exp, ex, err = openExisting(st, ex)
	} else {
		exp, err = Prepare(ex, rep.Output())
	}
	if err != nil {
		return nil, err
	}
	return x.run(ctx, ex, exp, engine, resumed, req.FailFast, rep)
}

// Resume runs what is left of a stored experiment: `machinable resume`,
// and the background half of the detached engine. engineSpec nil uses
// native.
func (x *Executor) Resume(ctx context.Context, exp *storage.Experiment, engineSpec any, failFast bool) (*runtime.Result, error) {
	ex, err := LoadExecution(exp)
	if err != nil {
		return nil, err
	}
	spec, err := engines.ParseSpec(engineSpec)
	if err != nil {
		return nil, err
	}
	engine, err := x.Engines.New(spec)
	if err != nil {
		return nil, err
	}
	rep := x.reporter()
	rep.Begin(ex, exp.Storage().Describe(exp.Path))
	return x.run(ctx, ex, exp, engine, true, failFast, rep)
}

// openExisting checks that a stored experiment has the plan being
// executed and returns the stored execution, which is what runs.
func openExisting(st *storage.Storage, ex *runtime.Execution) (*storage.Experiment, *runtime.Execution, error) {
	exp, err := st.OpenExperiment(ex.Directory, ex.ExperimentID)
	if err != nil {
		return nil, nil, err
	}
	stored, err := LoadExecution(exp)
	if err != nil {
		return nil, nil, err
	}
	diff := scheduleDiff(stored.Schedule, ex.Schedule)
	if stored.ScheduleFormat < runtime.ScheduleFormat {
		// Stored by an earlier release, whose rules gave other IDs and
		// flags for some plans: the same plan resumes what is stored.
		diff = planDiff(stored.Plan, ex.Plan)
	}
	if diff != "" {
		return nil, nil, fmt.Errorf("%w: %s holds a different plan (%s); stored results are never overwritten: use another seed or storage to run a changed plan",
			storage.ErrExperimentExists, st.Describe(exp.Path), diff)
	}
	return exp, stored, nil
}

// run runs the components of ex that still need to, and reports.
func (x *Executor) run(ctx context.Context, ex *runtime.Execution, exp *storage.Experiment, engine engines.Engine, resumed, failFast bool, rep Reporter) (*runtime.Result, error) {
	result := &runtime.Result{Execution: ex, Experiment: exp, Resumed: resumed}
	todo, previous, err := pending(exp, ex, resumed, x.now())
	if err != nil {
		return result, err
	}
	if resumed {
		running := 0
		for _, o := range previous {
			if o.Status == storage.StatusRunning {
				running++
			}
		}
		rep.Resumed(len(previous)-running, running, len(todo))
		if len(todo) > 0 {
			warnCodeChanged(rep.Output(), exp, ex)
		}
	}
	start := time.Now()
	job := &engines.Job{
		Execution:  ex,
		Experiment: exp,
		Registry:   x.Components,
		Components: todo,
		FailFast:   failFast,
		Console:    rep.Output(),
		Started:    rep.Started,
		Done:       rep.Finished,
		Unattended: x.Unattended,
	}
	if x.Ask != nil {
		job.Prompt = func(question string, choices []string) string { return x.Ask(rep.Output(), question, choices) }
	}
	outcomes, runErr := engine.Run(ctx, job)
	if d, ok := engine.(engines.Detacher); ok && d.Detached() {
		result.Detached = true
		return result, runErr
	}
	result.Outcomes = inScheduleOrder(ex, previous, outcomes)
	// Interrupted, the engine may have left the submitted work running.
	detached, isDetached := engines.IsDetached(runErr)
	if isDetached {
		result.LeftRunning = detached.Running
	}
	rep.End(result, time.Since(start))
	if runErr != nil && !errors.Is(runErr, context.Canceled) && !isDetached {
		return result, fmt.Errorf("engine %s: %w", engine.Name(), runErr)
	}
	return result, nil
}

// pending sorts the components of a (possibly resumed) experiment: those
// that finished earlier or are running elsewhere are left as they are;
// the others (never started, failed, interrupted, stale) run, their
// earlier attempt moved to attempts/<n>/ first.
func pending(exp *storage.Experiment, ex *runtime.Execution, resumed bool, now time.Time) ([]*runtime.ScheduledComponent, []runtime.Outcome, error) {
	todo := []*runtime.ScheduledComponent{} // non-nil: an engine runs exactly these
	var previous []runtime.Outcome
	for i := range ex.Schedule {
		sc := &ex.Schedule[i]
		if !resumed { // a new experiment: nothing ran yet
			todo = append(todo, sc)
			continue
		}
		st, err := exp.ComponentStatus(sc.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("component %s: %w", sc.ID, err)
		}
		switch {
		case st.Status == storage.StatusFinished:
			previous = append(previous, runtime.Outcome{Component: sc, Status: st.Status, Previous: true})
		case st.Running(now):
			previous = append(previous, runtime.Outcome{Component: sc, Status: storage.StatusRunning, Previous: true})
		default:
			if _, err := exp.ArchiveAttempt(sc.ID); err != nil {
				return nil, nil, err
			}
			todo = append(todo, sc)
		}
	}
	return todo, previous, nil
}

// inScheduleOrder merges earlier and new outcomes in schedule order.
func inScheduleOrder(ex *runtime.Execution, lists ...[]runtime.Outcome) []runtime.Outcome {
	byID := map[string]runtime.Outcome{}
	for _, l := range lists {
		for _, o := range l {
			byID[o.Component.ID] = o
		}
	}
	out := make([]runtime.Outcome, 0, len(byID))
	for _, sc := range ex.Schedule {
		if o, ok := byID[sc.ID]; ok {
			out = append(out, o)
		}
	}
	return out
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
// worker side of every engine that runs components elsewhere. Closing
// requeue (may be nil) asks the component to checkpoint and stop for a
// requeue (see runtime.RunEnv).
func RunStored(ctx context.Context, exp *storage.Experiment, componentID string, reg *runtime.Registry, console io.Writer, requeue <-chan struct{}) (runtime.Outcome, error) {
	ex, err := LoadExecution(exp)
	if err != nil {
		return runtime.Outcome{}, err
	}
	sc, ok := ex.Component(componentID)
	if !ok {
		return runtime.Outcome{}, fmt.Errorf("experiment %s has no component %q", exp.ID, componentID)
	}
	return runtime.RunComponent(ctx, runtime.RunEnv{Execution: ex, Experiment: exp, Registry: reg, Console: console, Requeue: requeue}, sc), nil
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
	// The project may live elsewhere where this runs (the remote engine
	// copies it): $MACHINABLE_PROJECT says where.
	if dir := os.Getenv("MACHINABLE_PROJECT"); dir != "" {
		ex.Project = dir
	}
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
