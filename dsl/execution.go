package dsl

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/machinable-go/machinable/internal/suggest"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/seeding"
	"github.com/machinable-go/machinable/storage"
	"go.starlark.net/starlark"
)

// execution is 2.x's Execution object: a plan and where, how and with
// which seed to run it, changed by chainable setters and run by submit().
// It only gathers a runtime.ExecuteRequest; resolving and running are the
// executor's (runtime.Planner, runtime.StoredExecutor, runtime.Exporter).
// execute(...) is Execution(...).submit().
type execution struct {
	plan                               *runtime.Experiment
	storage, engine, project, backupIn starlark.Value
	seed                               int64  // the global seed, once fixed
	id                                 string // its experiment ID; "" until fixed
	failFast, raise                    bool
	filter                             starlark.Callable
	keep                               map[string]bool // filter's answers by component ID, asked once
	resolved                           *runtime.Execution
	// A stored execution (Execution.from_storage): resumed on submit.
	stored   *storage.Experiment
	storedEx *runtime.Execution
	result   starlark.Value // what the last submit() returned
	failures int            // failed components of the last submit() (2.x's failures)
	// thread is the script's: attributes that need the resolved plan
	// resolve on it (a filter runs there).
	thread *starlark.Thread
}

var executionMethods = map[string]func(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error){
	"set_experiment":  execSetExperiment,
	"set_storage":     execSetter("storage", func(e *execution, v starlark.Value) { e.storage = v }),
	"set_engine":      execSetter("engine", func(e *execution, v starlark.Value) { e.engine = v }),
	"set_project":     execSetter("project", func(e *execution, v starlark.Value) { e.project = v }),
	"set_code_backup": execSetCodeBackup,
	"set_seed":        execSetSeed,
	"set_checkpoint":  execSetCheckpoint,
	"set_version":     execSetVersion,
	"set_directory":   execSetDirectory,
	"set_behavior":    execSetBehavior,
	"filter":          execFilter,
	"summary":         execSummary,
	"submit":          execSubmit,
	"export":          execExport,
	"is_submitted":    execIsSubmitted,
}

var executionAttrs = []string{"components", "engine", "experiment", "experiment_id", "failures", "result", "schedule", "seed", "storage", "submission_id"}

func (e *execution) String() string {
	if e.id == "" {
		return "Execution <None>"
	}
	return fmt.Sprintf("Execution <%s>", e.id)
}
func (e *execution) Type() string          { return "Execution" }
func (e *execution) Freeze()               {}
func (e *execution) Truth() starlark.Bool  { return true }
func (e *execution) Hash() (uint32, error) { return 0, errors.New("unhashable type: Execution") }

func (e *execution) AttrNames() []string {
	names := append([]string{}, executionAttrs...)
	for n := range executionMethods {
		names = append(names, n)
	}
	return names
}

func (e *execution) Attr(name string) (starlark.Value, error) {
	if m, ok := executionMethods[name]; ok {
		return starlark.NewBuiltin(name, func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return m(e, th, b, args, kwargs)
		}), nil
	}
	switch name {
	case "experiment_id", "submission_id", "seed":
		if e.id == "" {
			// No seed given: resolving draws it (or takes the
			// embedder's default), and fixes it for submit().
			if _, err := e.resolve(e.thread, "Execution."+name); err != nil {
				return nil, err
			}
		}
		if name == "seed" {
			return starlark.MakeInt64(e.seed), nil
		}
		return starlark.String(e.id), nil
	case "experiment":
		return &experiment{plan: e.plan.Clone()}, nil
	case "failures":
		return starlark.MakeInt(e.failures), nil
	case "result":
		if e.result == nil {
			return starlark.None, nil
		}
		return e.result, nil
	case "storage", "engine", "components", "schedule":
		// What the resolved plan says: resolved now (nothing is written)
		// on the script's thread, which is the one reading the attribute.
		ex, err := e.resolve(e.thread, "Execution."+name)
		if err != nil {
			return nil, err
		}
		switch name {
		case "storage":
			return starlark.String(ex.Storage), nil
		case "engine":
			return starlark.String(ex.Engine), nil
		case "components":
			ids := make([]starlark.Value, len(ex.Schedule))
			for i := range ex.Schedule {
				ids[i] = starlark.String(ex.Schedule[i].ID)
			}
			return starlark.NewList(ids), nil
		}
		views := make([]*storage.ComponentView, len(ex.Schedule))
		for i := range ex.Schedule {
			sc := &ex.Schedule[i]
			views[i] = &storage.ComponentView{ID: sc.ID, Name: sc.Name, Config: sc.Config, Flags: sc.Flags, Resources: sc.Resources}
		}
		return componentCollection(views), nil
	}
	return nil, nil // starlark reports the missing attribute with its own did-you-mean
}

// builtinExecution is Execution(experiment, storage=None, engine=None,
// project=None, seed=None).
func builtinExecution(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var exp, storage, engine, project, seed starlark.Value = nil, starlark.None, starlark.None, starlark.None, starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "experiment", &exp, "storage?", &storage,
		"engine?", &engine, "project?", &project, "seed?", &seed); err != nil {
		return nil, err
	}
	return newExecution(thread, b.Name(), exp, storage, engine, project, seed, starlark.None)
}

func newExecution(thread *starlark.Thread, fn string, exp, storageV, engine, project, seed, codeBackup starlark.Value) (*execution, error) {
	st := stateOf(thread)
	if st == nil || st.role != roleScript {
		return nil, fmt.Errorf("%s() is only available in experiment scripts, not in component modules or loaded files", fn)
	}
	if err := resolveExperimentDirective(st, &exp, project); err != nil { // "@name"
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	plan, err := planOf(exp)
	if err != nil {
		return nil, fmt.Errorf("%s: experiment: %w", fn, err)
	}
	e := &execution{thread: thread, plan: plan, storage: storageV, engine: engine, project: project, backupIn: codeBackup}
	if err := e.setSeed(st, seed); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	// Arguments are checked now, as execute() does, not at submit().
	if _, err := e.request(thread); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return e, nil
}

// setSeed fixes the global seed of a seed given (as 2.x's set_seed
// does), so summary(), submit() and experiment_id agree; the CLI's --seed
// wins. None leaves it to the executor (a fresh one, or an embedder's
// default); the first resolution or submit() fixes it.
func (e *execution) setSeed(st *state, v starlark.Value) error {
	var seed any
	switch s := v.(type) {
	case starlark.NoneType:
	case starlark.Int:
		n, ok := s.Int64()
		if !ok {
			return fmt.Errorf("seed %s does not fit in 64 bits", s)
		}
		seed = n
	case starlark.String:
		seed = string(s)
	default:
		return fmt.Errorf("seed: expected None, an int or an experiment ID string, got %s", v.Type())
	}
	if st.opts.Seed != nil {
		seed = st.opts.Seed
	}
	var g int64
	var err error
	switch s := seed.(type) {
	case nil:
		e.seed, e.id = 0, ""
		e.changed()
		return nil
	case int64:
		g = seeding.GlobalSeedFromInt(s)
	case int:
		g = seeding.GlobalSeedFromInt(int64(s))
	case string:
		// "id:" in front is accepted as on the command line
		id, _ := seeding.CutIDPrefix(s)
		g, err = seeding.ExperimentSeed(id)
	default:
		err = fmt.Errorf("unsupported seed %T", seed)
	}
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	id, err := seeding.EncodeExperimentID(g)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	e.seed, e.id = g, id
	e.changed()
	return nil
}

// fixSeed keeps the seed an executor drew, so that the execution stays
// the same experiment from then on.
func (e *execution) fixSeed(ex *runtime.Execution) {
	if e.id == "" && ex != nil {
		e.seed, e.id = ex.Seed, ex.ExperimentID
	}
}

// changed forgets what was resolved and the filter's answers: the plan,
// seed or project they were for has changed.
func (e *execution) changed() {
	e.resolved, e.keep = nil, nil
}

// request translates the execution into what the executor runs. Values
// the script gives are defaults; the CLI's flags override them.
func (e *execution) request(thread *starlark.Thread) (runtime.ExecuteRequest, error) {
	st := stateOf(thread)
	req := runtime.ExecuteRequest{Plan: e.plan, SearchFrom: st.dir, Project: st.opts.Project,
		Storage: st.opts.Storage, Engine: st.opts.Engine,
		FailFast: e.failFast || e.raise || st.opts.FailFast}
	if e.id != "" {
		req.Seed = e.id
	}
	if s, ok := e.storage.(starlark.String); ok && req.Storage == "" {
		req.Storage = st.storageURL(string(s))
	} else if !ok && e.storage != starlark.None {
		return req, fmt.Errorf("storage: expected a URL string, got %s", e.storage.Type())
	}
	if req.Engine == nil && e.engine != starlark.None {
		switch en := e.engine.(type) {
		case starlark.String:
			req.Engine = string(en)
		case *starlark.Dict:
			m, err := fromStarlarkMap("engine", en)
			if err != nil {
				return req, err
			}
			req.Engine = m
		default:
			return req, fmt.Errorf("engine: expected a string such as \"native:4\" or a dict, got %s", e.engine.Type())
		}
	}
	engine, err := resolveEngineDirective(st, req.Engine, e.project) // "@name"
	if err != nil {
		return req, err
	}
	req.Engine = engine
	if req.Storage == "" {
		req.Storage = st.opts.DefaultStorage
	}
	if p, ok := e.project.(starlark.String); ok {
		req.Project = string(p)
		if !filepath.IsAbs(req.Project) {
			req.Project = filepath.Join(st.dir, req.Project)
		}
	} else if e.project != starlark.None {
		return req, fmt.Errorf("project: expected a directory path, got %s", e.project.Type())
	}
	switch cb := e.backupIn.(type) {
	case starlark.NoneType:
	case starlark.Bool:
		req.CodeBackup = bool(cb)
	case *starlark.Dict:
		m, err := fromStarlarkMap("code_backup", cb)
		if err != nil {
			return req, err
		}
		req.CodeBackup = m
	default:
		return req, fmt.Errorf("code_backup: expected True, False or a dict, got %s", e.backupIn.Type())
	}
	if e.filter != nil {
		req.Filter = e.scheduleFilter(thread)
	}
	return req, nil
}

// scheduleFilter asks the script's filter about each component once;
// later resolutions (summary, then submit) reuse the answers.
func (e *execution) scheduleFilter(thread *starlark.Thread) runtime.ScheduleFilter {
	return func(i int, sc *runtime.ScheduledComponent) (bool, error) {
		if keep, ok := e.keep[sc.ID]; ok {
			return keep, nil
		}
		view := &storage.ComponentView{ID: sc.ID, Name: sc.Name, Config: sc.Config, Flags: sc.Flags, Resources: sc.Resources}
		v, err := starlark.Call(thread, e.filter, starlark.Tuple{starlark.MakeInt(i), starlark.String(sc.ID), &componentValue{v: view}}, nil)
		if err != nil {
			return false, err
		}
		if e.keep == nil {
			e.keep = map[string]bool{}
		}
		e.keep[sc.ID] = bool(v.Truth())
		return e.keep[sc.ID], nil
	}
}

func (e *execution) notStored(b *starlark.Builtin) error {
	if e.stored != nil {
		return fmt.Errorf("%s: experiment %s is stored: its plan, seed and project cannot change (set_engine and set_behavior can)", b.Name(), e.id)
	}
	return nil
}

func execSetter(what string, set func(*execution, starlark.Value)) func(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return func(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var v starlark.Value = starlark.None
		if err := unpackArgs(b.Name(), args, kwargs, what+"?", &v); err != nil {
			return nil, err
		}
		if what != "engine" {
			if err := e.notStored(b); err != nil {
				return nil, err
			}
		}
		old := *e
		set(e, v)
		if _, err := e.request(th); err != nil {
			*e = old
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		e.changed()
		return e, nil
	}
}

func execSetExperiment(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var exp starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "experiment", &exp); err != nil {
		return nil, err
	}
	if err := e.notStored(b); err != nil {
		return nil, err
	}
	if err := resolveExperimentDirective(stateOf(th), &exp, e.project); err != nil { // "@name"
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	plan, err := planOf(exp)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	e.plan = plan
	e.changed()
	return e, nil
}

func execSetSeed(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var seed starlark.Value = starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "seed?", &seed); err != nil {
		return nil, err
	}
	if err := e.notStored(b); err != nil {
		return nil, err
	}
	if err := e.setSeed(stateOf(th), seed); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return e, nil
}

// set_code_backup(enabled=None, exclude=None), as 2.9.
func execSetCodeBackup(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var enabled, exclude starlark.Value = starlark.None, starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "enabled?", &enabled, "exclude?", &exclude); err != nil {
		return nil, err
	}
	if err := e.notStored(b); err != nil {
		return nil, err
	}
	d := starlark.NewDict(2)
	if enabled != starlark.None {
		if _, ok := enabled.(starlark.Bool); !ok {
			return nil, fmt.Errorf("%s: enabled: expected True, False or None, got %s", b.Name(), enabled.Type())
		}
		d.SetKey(starlark.String("enabled"), enabled)
	}
	if exclude != starlark.None {
		d.SetKey(starlark.String("exclude"), exclude)
	}
	old := e.backupIn
	e.backupIn = d
	if _, err := e.request(th); err != nil {
		e.backupIn = old
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return e, nil
}

// set_checkpoint(path): every component of the plan restores from it
// (on_restore, flag CHECKPOINT), as 2.1+ does for each scheduled one.
func execSetCheckpoint(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var checkpoint string
	if err := unpackArgs(b.Name(), args, kwargs, "checkpoint", &checkpoint); err != nil {
		return nil, err
	}
	if err := e.notStored(b); err != nil {
		return nil, err
	}
	for i := range e.plan.Components {
		e.plan.Components[i].Checkpoint = checkpoint
	}
	e.changed()
	return e, nil
}

// set_version(config): a version applied to every component, like
// Experiment().version(...) on the whole plan.
func execSetVersion(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var config starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "config", &config); err != nil {
		return nil, err
	}
	if err := e.notStored(b); err != nil {
		return nil, err
	}
	if _, ok := config.(starlark.Callable); ok {
		return nil, fmt.Errorf("%s: a function that rewrites the schedule is Python-only; give a version (a dict, a ~name or a list of them)", b.Name())
	}
	v, err := toVersion(config)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	e.plan.Version(v)
	e.changed()
	return e, nil
}

func execSetDirectory(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var dir string
	if err := unpackArgs(b.Name(), args, kwargs, "directory", &dir); err != nil {
		return nil, err
	}
	if err := e.notStored(b); err != nil {
		return nil, err
	}
	if err := e.plan.SetDirectory(dir); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	e.changed()
	return e, nil
}

// set_behavior(raise_exceptions=...): raising, a failing component stops
// the execution (fail-fast) and submit() fails the script.
func execSetBehavior(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) > 0 {
		return nil, fmt.Errorf("%s: takes keyword arguments only (raise_exceptions=True)", b.Name())
	}
	for _, kv := range kwargs {
		k := string(kv[0].(starlark.String))
		if k != "raise_exceptions" {
			hint := ""
			if n := suggest.Nearest(k, []string{"raise_exceptions"}); n != "" {
				hint = fmt.Sprintf(" (did you mean %s?)", n)
			}
			return nil, fmt.Errorf("%s: unknown option %q%s; the only option is raise_exceptions", b.Name(), k, hint)
		}
		v, ok := kv[1].(starlark.Bool)
		if !ok {
			return nil, fmt.Errorf("%s: raise_exceptions: expected True or False, got %s", b.Name(), kv[1].Type())
		}
		e.raise = bool(v)
	}
	return e, nil
}

// filter(callback): callback(index, component_id, component) is called
// per scheduled component; a false result drops it (2.0).
func execFilter(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fn starlark.Callable
	if err := unpackArgs(b.Name(), args, kwargs, "callback", &fn); err != nil {
		return nil, err
	}
	if err := e.notStored(b); err != nil {
		return nil, err
	}
	if e.filter != nil {
		// Filters add up: each sees what the earlier ones kept.
		prev, next := e.filter, fn
		fn = starlark.NewBuiltin("filter", func(th *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			keep, err := starlark.Call(th, prev, args, kwargs)
			if err != nil || !keep.Truth() {
				return keep, err
			}
			return starlark.Call(th, next, args, kwargs)
		})
	}
	e.filter = fn
	e.changed()
	return e, nil
}

// resolve resolves the execution once (the executor writes nothing).
func (e *execution) resolve(thread *starlark.Thread, fn string) (*runtime.Execution, error) {
	if e.storedEx != nil {
		return e.storedEx, nil
	}
	if e.resolved != nil {
		return e.resolved, nil
	}
	st := stateOf(thread)
	planner, ok := st.opts.Executor.(runtime.Planner)
	if !ok {
		return nil, fmt.Errorf("%s: this interpreter's executor cannot resolve a plan without running it", fn)
	}
	req, err := e.request(thread)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	ex, err := planner.Plan(st.ctx, req)
	if err != nil {
		return nil, err
	}
	e.resolved = ex
	e.fixSeed(ex)
	return ex, nil
}

// summary(): what would run, printed and returned (a summaryValue, which
// also chains as 2.x's did); nothing runs or is written.
func execSummary(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	ex, err := e.resolve(th, b.Name())
	if err != nil {
		return nil, err
	}
	s := ex.Summary()
	th.Print(th, strings.TrimSuffix(s, "\n"))
	return &summaryValue{text: starlark.String(s), e: e}, nil
}

// submit(): runs the execution exactly as execute() does, or resumes a
// stored one; returns what execute() returns.
func execSubmit(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return e.submit(th, b.Name())
}

func (e *execution) submit(thread *starlark.Thread, fn string) (starlark.Value, error) {
	st := stateOf(thread)
	if st.ctx != nil && st.ctx.Err() != nil {
		return nil, fmt.Errorf("%s: not started: %v", fn, context.Cause(st.ctx))
	}
	if st.opts.Executor == nil {
		return nil, fmt.Errorf("%s(): this interpreter has no executor", fn)
	}
	var result *runtime.Result
	var err error
	if e.stored != nil {
		res, ok := st.opts.Executor.(runtime.StoredExecutor)
		if !ok {
			return nil, fmt.Errorf("%s: this interpreter's executor cannot resume a stored experiment", fn)
		}
		req, rerr := e.request(thread)
		if rerr != nil {
			return nil, fmt.Errorf("%s: %w", fn, rerr)
		}
		result, err = res.Resume(st.ctx, e.stored, req.Engine, req.FailFast)
	} else {
		req, rerr := e.request(thread)
		if rerr != nil {
			return nil, fmt.Errorf("%s: %w", fn, rerr)
		}
		result, err = st.opts.Executor.Execute(st.ctx, req)
	}
	if result != nil {
		st.results = append(st.results, result)
		e.fixSeed(result.Execution)
	}
	if err != nil {
		return nil, err
	}
	v, err := newExecutionValue(result)
	if err != nil {
		return nil, err
	}
	e.result = v
	e.failures = len(result.Failed())
	if e.raise && !result.OK() {
		return nil, raisedFailure(result)
	}
	return v, nil
}

// raisedFailure is set_behavior(raise_exceptions=True)'s error: the first
// failure, as 2.x re-raises the component's exception.
func raisedFailure(r *runtime.Result) error {
	c := r.Counts()
	msg := fmt.Sprintf("experiment %s: %d of %d components finished", r.Execution.ExperimentID, c.Finished, r.Execution.Len())
	if f := r.Failed(); len(f) > 0 {
		msg += fmt.Sprintf("; component %s (%s) failed: %s", f[0].Component.ID, f[0].Component.Name, f[0].Error)
	}
	return errors.New(msg)
}

// is_submitted(): whether the experiment is in its storage already (then
// submit() resumes it).
func execIsSubmitted(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	if e.stored != nil {
		return starlark.True, nil
	}
	ex, err := e.resolve(th, b.Name())
	if err != nil {
		return nil, err
	}
	st, err := storage.Open(ex.Storage)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.Bool(st.Exists(ex.Directory, ex.ExperimentID)), nil
}

// export(path): a folder that runs the experiment without the project.
func execExport(e *execution, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var path string
	if err := unpackArgs(b.Name(), args, kwargs, "path", &path); err != nil {
		return nil, err
	}
	st := stateOf(th)
	exporter, ok := st.opts.Executor.(runtime.Exporter)
	if !ok {
		return nil, fmt.Errorf("%s: this interpreter's executor cannot export", b.Name())
	}
	ex, err := e.resolve(th, b.Name())
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(st.dir, path)
	}
	if err := exporter.Export(st.ctx, ex, e.stored, path); err != nil {
		return nil, err
	}
	return starlark.String(path), nil
}
