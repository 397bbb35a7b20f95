package executor

import (
	"bytes"
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
	"github.com/machinable-go/machinable/settings"
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
	// Settings are the defaults of the user's settings file (see package
	// settings); nil is none. Only the command line reads that file.
	Settings *settings.Settings
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

// steadyWriter passes writes on and never fails: the console is for
// watching, and a closed pipe (machinable run x.star | head) or a full
// disk behind a redirect must not fail a component whose print(), log or
// command output is echoed there. Everything still reaches the storage.
type steadyWriter struct{ w io.Writer }

func (s steadyWriter) Write(p []byte) (int, error) {
	s.w.Write(p) // the error is dropped on purpose: see the type
	return len(p), nil
}

// steady wraps w in a steadyWriter; nil stays nil (a quiet run).
func steady(w io.Writer) io.Writer {
	if w == nil {
		return nil
	}
	return steadyWriter{w}
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
		// "8gWVkz" or "id:8gWVkz" (the explicit form, for all-digit IDs);
		// IDs outside the global seeds' range are refused.
		if id, ok := seeding.CutIDPrefix(s); ok {
			s = id
		}
		return seeding.ExperimentSeed(s)
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

// Resolve builds the execution of a request without running it; its
// Schedule holds every component.
func (x *Executor) Resolve(ctx context.Context, req runtime.ExecuteRequest) (*runtime.Execution, engines.Engine, error) {
	ex, engine, err := x.resolve(ctx, req)
	if err == nil {
		err = ex.Collect(ctx)
	}
	if err != nil {
		return nil, nil, err
	}
	return ex, engine, nil
}

// resolve is Resolve leaving the schedule of more than OutcomesKept
// components a stream (Execution.Stream) where the engine pulls its
// components and nothing needs the schedule whole first (a filter,
// project hooks that see every component).
func (x *Executor) resolve(ctx context.Context, req runtime.ExecuteRequest) (*runtime.Execution, engines.Engine, error) {
	req = x.applySettings(req)
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
	var hooks runtime.ProjectHooks // _machinable/project.star (hooks.go)
	if proj != nil {
		if hooks, err = x.projectHooks(ctx, proj.Dir); err != nil {
			return nil, nil, err
		}
	}
	resolver := &runtime.Resolver{Project: proj, Registry: x.Components, SearchFrom: req.SearchFrom, SchemaValidation: x.Settings != nil && x.Settings.SchemaValidation,
		ProjectMethods: projectMethods(hooks)}
	var schedule []runtime.ScheduledComponent
	stream, err := resolver.Stream(ctx, req.Plan, globalSeed)
	if err != nil {
		return nil, nil, err
	}
	s, pulls := engine.(engines.Streamer)
	// A plan of at most OutcomesKept components is held whole: the result
	// then shows every component (Execution.Schedule, Outcomes).
	if stream.Total() <= runtime.OutcomesKept || !pulls || !s.Streams() || req.Filter != nil || needsWholeSchedule(hooks) {
		ex := &runtime.Execution{Stream: stream}
		if err := ex.Collect(ctx); err != nil {
			return nil, nil, err
		}
		if schedule, err = filterSchedule(ex.Schedule, req.Filter); err != nil {
			return nil, nil, err
		}
		stream = nil
	}
	storageURL := req.Storage
	if storageURL == "" {
		storageURL = "mem://"
	}
	started := x.now()
	directory, err := applyHooks(ctx, hooks, spec.Type, req.Plan, schedule, started)
	if err != nil {
		return nil, nil, err
	}
	ex := &runtime.Execution{
		ExperimentID: id,
		Seed:         globalSeed,
		Plan:         req.Plan,
		Engine:       spec.Redacted().String(),
		EngineConfig: spec.Redacted().Options,
		Storage:      storageURL,
		Directory:    directory,
		StartedAt:    started.UTC(),
		Version:      runtime.MachinableVersion,
		Schedule:     schedule,
		Stream:       stream,

		ScheduleFormat: runtime.ScheduleFormat,
	}
	if req.Filter != nil {
		ex.Kept = scheduleIDs(schedule)
	}
	if proj != nil {
		ex.Project = proj.Dir
		ex.Warnings = append(proj.Warnings(), resolver.Warnings...)
	}
	st, err := storage.Open(storageURL)
	if err != nil {
		return nil, nil, err
	}
	if ex.CodeBackup, err = codeBackupConfig(proj, req.CodeBackup, st, x.settingsCodeBackup()); err != nil {
		return nil, nil, err
	}
	return ex, engine, nil
}

// needsWholeSchedule says whether a project's hooks see every component
// before anything runs.
func needsWholeSchedule(h runtime.ProjectHooks) bool {
	return h != nil && (h.Has("default_resources") || h.Has("on_before_submit") || h.Has("on_submit"))
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
	ex, engine, err := x.resolve(ctx, req)
	if err == nil {
		err = x.submitHooks(ctx, ex)
		defer hostExtras.Delete(ex) // when prepare did not take it
	}
	if err != nil {
		return nil, err
	}
	rep := x.reporter()
	if d, ok := engine.(engines.DryRunner); ok && d.Dry() {
		stream := ex.Stream
		if err := printSchedule(ctx, rep.Output(), ex); err != nil {
			return nil, err
		}
		if stream != nil {
			ex.Warnings = lateWarnings(ex.Warnings, stream)
		}
		printWarnings(rep.Output(), ex)
		return &runtime.Result{Execution: ex, Dry: true}, nil
	}
	st, err := storage.Open(ex.Storage)
	if err != nil {
		return nil, err
	}
	// What the engine can tell will not work is refused before anything
	// is written: no half-made experiment to clean up.
	if err := engines.Preflight(ctx, engine, ex, st); err != nil {
		return nil, err
	}
	// The experiment ID comes first, before anything else is said.
	rep.Begin(ex, st.Describe(st.ExperimentPath(ex.Directory, ex.ExperimentID)))
	printWarnings(rep.Output(), ex)
	var exp *storage.Experiment
	resumed := st.Exists(ex.Directory, ex.ExperimentID)
	if resumed {
		// Compared with the stored schedule, whole.
		if err := ex.Collect(ctx); err != nil {
			return nil, err
		}
	} else {
		exp, resumed, err = prepare(ex, rep.Output())
		if errors.Is(err, errPreparedElsewhere) {
			// Another process created it a moment ago: this one resumes.
			resumed, err = true, ex.Collect(ctx)
		}
		if err != nil {
			return nil, err
		}
	}
	if exp == nil {
		exp, ex, err = openExisting(ctx, st, ex, rep.Output())
		if err != nil {
			return nil, err
		}
	}
	if err := x.submittedHook(ctx, ex, resumed); err != nil { // on_submit (hooks.go)
		return nil, err
	}
	return x.run(ctx, ex, exp, engine, resumed, req.FailFast, rep, nil)
}

// Resume runs what is left of a stored experiment: `machinable resume`,
// and the background half of the detached engine. engineSpec nil uses
// native.
func (x *Executor) Resume(ctx context.Context, exp *storage.Experiment, engineSpec any, failFast bool) (*runtime.Result, error) {
	var warnings bytes.Buffer
	// What the journal says ended final is neither run nor decoded.
	final := exp.FinalInJournal()
	ex, err := loadComplete(ctx, exp, x.resolveStored(ctx), &warnings, func(id string) bool { return final[id] != "" })
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
	if err := engines.Preflight(ctx, engine, ex, exp.Storage()); err != nil {
		return nil, err
	}
	rep := x.reporter()
	rep.Begin(ex, exp.Storage().Describe(exp.Path))
	if out := rep.Output(); out != nil {
		io.Copy(out, &warnings)
	}
	return x.run(ctx, ex, exp, engine, true, failFast, rep, final)
}

// run runs the components of ex that still need to, and reports. final,
// when not nil, is what the journal said ended final when ex was read.
func (x *Executor) run(ctx context.Context, ex *runtime.Execution, exp *storage.Experiment, engine engines.Engine, resumed, failFast bool, rep Reporter, final map[string]string) (*runtime.Result, error) {
	result := &runtime.Result{Execution: ex, Experiment: exp, Resumed: resumed}
	var todo []*runtime.ScheduledComponent
	var previous []runtime.Outcome
	var err error
	if ex.Stream == nil {
		if todo, previous, err = pending(exp, ex, resumed, x.now(), final); err != nil {
			return result, err
		}
	}
	// The storage's search index, if it has one: after pending, which
	// moved the earlier attempts of what runs again out of the way.
	notes := noteExperiment(exp)
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
	judge, err := newTrialJudge(ex.Plan)
	if err != nil {
		return result, err
	}
	if d, ok := engine.(engines.DryRunner); ok && d.Dry() {
		judge = nil // nothing runs
	}
	if err := judge.replay(exp, previous); err != nil {
		return result, err
	}
	start := time.Now()
	job := &engines.Job{
		Execution:  ex,
		Experiment: exp,
		Registry:   x.Components,
		Components: todo,
		FailFast:   failFast,
		Console:    steady(rep.Output()),
		Started:    notes.started(rep.Started),
		Done:       notes.done(rep.Finished),
		Unattended: x.Unattended,
	}
	if judge != nil {
		job.Tuner = judge // for the components an engine runs here (RunLocal)
	}
	if w, ok := engine.(engines.WorkerRunner); ok && judge != nil && w.RunsWorkers() {
		watch, err := startTrialWatch(judge, exp)
		if err != nil {
			return result, err
		}
		defer watch.stop()
		started, done := job.Started, job.Done
		job.Started = func(sc *runtime.ScheduledComponent) {
			watch.started(sc)
			if started != nil {
				started(sc)
			}
		}
		job.Done = func(o runtime.Outcome) {
			watch.ended(o)
			if done != nil {
				done(o)
			}
		}
	}
	if x.Ask != nil {
		job.Prompt = func(question string, choices []string) string { return x.Ask(rep.Output(), question, choices) }
	}
	var streamed *streamedRun
	if ex.Stream != nil { // a new experiment, on an engine that pulls
		if streamed, err = startStream(ctx, exp, ex, job); err != nil {
			return result, err
		}
	}
	outcomes, runErr := engine.Run(ctx, job)
	if streamed != nil {
		if err := streamed.end(); err != nil && runErr == nil {
			runErr = err
		}
		if late := lateWarnings(ex.Warnings, streamed.stream); len(late) > len(ex.Warnings) {
			printWarnings(rep.Output(), &runtime.Execution{Warnings: late[len(ex.Warnings):]})
			ex.Warnings = late
		}
	}
	if d, ok := engine.(engines.Detacher); ok && d.Detached() {
		result.Detached = true
		return result, runErr
	}
	var unkept runtime.Counts
	if streamed != nil {
		unkept = streamed.unkept(outcomes)
	}
	outcomes = reconcile(exp, outcomes, x.now())
	outcomes = checkIntact(exp, ex, outcomes, x.resolveStored(ctx), rep.Output())
	if streamed != nil {
		result.Outcomes, result.Counted = outcomes, counts(outcomes, unkept) // in schedule order already
	} else {
		result.Outcomes = inScheduleOrder(ex, previous, outcomes)
	}
	// Interrupted, the engine may have left the submitted work running.
	detached, isDetached := engines.IsDetached(runErr)
	if isDetached {
		result.LeftRunning = detached.Running
	}
	rep.End(result, time.Since(start))
	if runErr != nil && !errors.Is(runErr, context.Canceled) && !isDetached {
		return result, engines.RunError(engine.Name(), runErr)
	}
	return result, nil
}

// pending sorts the components of a (possibly resumed) experiment: those
// that ended final earlier (storage.Final: finished, stopped) or are
// running elsewhere are left as they are; the others (never started,
// failed, interrupted, stale) run, their earlier attempt moved to
// attempts/<n>/ first. final is what the journal says ended final (nil:
// read it here).
func pending(exp *storage.Experiment, ex *runtime.Execution, resumed bool, now time.Time, final map[string]string) ([]*runtime.ScheduledComponent, []runtime.Outcome, error) {
	// todo is non-nil: an engine runs exactly these.
	todo := []*runtime.ScheduledComponent{}
	if !resumed { // a new experiment: nothing ran yet
		for i := range ex.Schedule {
			todo = append(todo, &ex.Schedule[i])
		}
		return todo, nil, nil
	}
	if final == nil {
		final = exp.FinalInJournal()
	}
	previous := make([]runtime.Outcome, 0, len(final))
	for i := range ex.Schedule {
		sc := &ex.Schedule[i]
		// The journal saves reading the status.json of what ended final.
		if status := final[sc.ID]; status != "" {
			previous = append(previous, runtime.Outcome{Component: sc, Status: status, Previous: true})
			continue
		}
		if err := sc.Decode(); err != nil { // it may run
			return nil, nil, err
		}
		a, err := exp.ReadAttempt(sc.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("component %s: %w", sc.ID, err)
		}
		st := a.Status
		switch {
		case storage.Final(st.Status):
			previous = append(previous, runtime.Outcome{Component: sc, Status: st.Status, Previous: true})
		case st.Running(now):
			previous = append(previous, runtime.Outcome{Component: sc, Status: storage.StatusRunning, Previous: true})
		default:
			// Never started, failed, interrupted, stale or unreadable:
			// it runs again, its earlier attempt kept aside. Another
			// process resuming at the same moment may have taken it.
			if _, err := exp.Archive(a); errors.Is(err, storage.ErrClaimed) {
				previous = append(previous, runtime.Outcome{Component: sc, Status: storage.StatusRunning, Previous: true,
					Error: "taken over by another process resuming the experiment"})
				continue
			} else if err != nil {
				return nil, nil, err
			}
			todo = append(todo, sc)
		}
	}
	return todo, previous, nil
}

// reconcile corrects failures that were another process's success: a
// worker that lost the race for a component to a concurrent run or
// resume exits without running it, and the engine reports it failed,
// while status.json says the other process finished it or runs it now.
func reconcile(exp *storage.Experiment, outcomes []runtime.Outcome, now time.Time) []runtime.Outcome {
	for i, o := range outcomes {
		if o.Status != storage.StatusFailed || o.Previous {
			continue
		}
		st, err := exp.ComponentStatus(o.Component.ID)
		switch {
		case err != nil:
		case storage.Final(st.Status):
			outcomes[i].Status, outcomes[i].Error, outcomes[i].Previous = st.Status, "", true
		case st.Running(now) && (st.Host != storage.Hostname() || st.PID != os.Getpid()):
			outcomes[i].Status, outcomes[i].Previous = storage.StatusRunning, true
			outcomes[i].Error = fmt.Sprintf("started by another process (host %s, pid %d); left to it", st.Host, st.PID)
		}
	}
	return outcomes
}

// inScheduleOrder merges earlier and new outcomes in schedule order.
func inScheduleOrder(ex *runtime.Execution, previous, outcomes []runtime.Outcome) []runtime.Outcome {
	if len(outcomes) == 0 {
		return previous // pending keeps schedule order
	}
	lists := [][]runtime.Outcome{previous, outcomes}
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

// RunStored runs one component of a stored execution in this process: the
// worker side of every engine that runs components elsewhere. Closing
// requeue (may be nil) asks the component to checkpoint and stop for a
// requeue (see runtime.RunEnv).
func RunStored(ctx context.Context, exp *storage.Experiment, componentID string, reg *runtime.Registry, console io.Writer, requeue <-chan struct{}) (runtime.Outcome, error) {
	// Only its own line is decoded: a worker per component would
	// otherwise decode the whole schedule once per component.
	ex, err := LoadExecutionExcept(exp, func(id string) bool { return id != componentID })
	if err != nil {
		return runtime.Outcome{}, err
	}
	sc, ok := ex.Component(componentID)
	if !ok {
		return runtime.Outcome{}, fmt.Errorf("experiment %s has no component %q", exp.ID, componentID)
	}
	return runtime.RunComponent(ctx, runtime.RunEnv{Execution: ex, Experiment: exp, Registry: reg, Console: console, Requeue: requeue,
		Tuner: WorkerTuner(ex, exp)}, sc), nil
}
