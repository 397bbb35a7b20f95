package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/machinable-go/machinable/backup"
	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/storage"
)

// ScheduledComponent is a component of a resolved execution: the unit an
// engine runs. Sub-components of a node are nested.
type ScheduledComponent struct {
	// ID is the 12-character component ID drawn from the global seed; it
	// names the component's directory and is the flag COMPONENT_ID.
	ID string `json:"id"`
	// Name is the component's full name in machinable.yaml, or the name a
	// Go component or command was registered or planned under.
	Name string `json:"name"`
	// Module is the dotted path of the component's code; it equals Name
	// unless machinable.yaml says otherwise.
	Module string `json:"module,omitempty"`
	// ConfigOnly is set for a component declared in machinable.yaml
	// without code: it runs with its config only (no events).
	ConfigOnly bool `json:"config_only,omitempty"`
	// Config is the resolved config: defaults, versions and config
	// methods applied.
	Config map[string]any `json:"config"`
	// Flags are the plan's flags plus those the resolver sets (SEED,
	// GLOBAL_SEED, EXPERIMENT_ID, COMPONENT_ID, repeat flags, CHECKPOINT).
	Flags map[string]any `json:"flags"`
	// Checkpoint is handed to on_restore; "" starts from scratch.
	Checkpoint string `json:"checkpoint,omitempty"`
	// Resources are what the component asks of an engine (e.g. Slurm's
	// cpus or memory), computed ones included.
	Resources map[string]any `json:"resources,omitempty"`
	// Components are a node's sub-components; 2.x gives them no ID of
	// their own.
	Components []ScheduledComponent `json:"components,omitempty"`

	computed []computedKey // values computed once the flags are final
	methods  ConfigMethods // config methods to apply after them
	// raw is the stored line of a component read back undecoded (see
	// UndecodedComponent); nil once decoded.
	raw []byte
}

// UndecodedComponent is a stored component that is not decoded: only its
// ID and Name are set, from the start of its schedule line (raw, which it
// keeps; see storage.ScheduledHead). An execution read back for a resume
// holds the components that ended final so, which nothing runs again:
// decoding every line of a large schedule was most of the cost of
// resuming it. Execution.DecodeSchedule decodes them where more is needed.
func UndecodedComponent(id, name string, raw []byte) ScheduledComponent {
	return ScheduledComponent{ID: id, Name: name, raw: raw}
}

// Undecoded reports whether only the ID and Name of the component are set
// (see UndecodedComponent).
func (sc *ScheduledComponent) Undecoded() bool { return sc.raw != nil }

// DecodeScheduled decodes a component of a stored schedule (a line of
// schedule.jsonl) as stored JSON is decoded: whole numbers as int64,
// maps as map[string]any. A null entry of an older schedule.json is nil.
func DecodeScheduled(raw []byte) (*ScheduledComponent, error) {
	var c *ScheduledComponent
	if err := storage.DecodeScheduled(raw, &c); err != nil {
		return nil, err
	}
	if c != nil {
		normalizeScheduled(c)
	}
	return c, nil
}

func normalizeScheduled(c *ScheduledComponent) {
	c.Config = jsonvalue.NormalizeMap(c.Config)
	c.Flags = jsonvalue.NormalizeMap(c.Flags)
	c.Resources = jsonvalue.NormalizeMap(c.Resources)
	for i := range c.Components {
		normalizeScheduled(&c.Components[i])
	}
}

// Execution is a resolved plan: what execution.json and schedule.jsonl
// hold, and all a worker needs to run one component again elsewhere.
type Execution struct {
	// ExperimentID is the 6-character ID that encodes Seed.
	ExperimentID string `json:"experiment_id"`
	// Seed is the global seed every component's seeds and IDs derive from.
	Seed int64 `json:"seed"`
	// Plan is the experiment as the script or Go caller built it.
	Plan *Experiment `json:"plan"`
	// Engine is the engine spec in its short form ("native:4"), with
	// secrets redacted; EngineConfig holds its options, redacted too.
	Engine       string         `json:"engine"`
	EngineConfig map[string]any `json:"engine_config,omitempty"`
	// Storage is the storage URL ("mem://" when none was given).
	Storage string `json:"storage"`
	// Directory is the plan's storage sub-directory, strftime
	// placeholders expanded at StartedAt.
	Directory string `json:"directory,omitempty"`
	// Project is the project directory, "" without a machinable.yaml.
	Project string `json:"project"`
	// StartedAt is when the execution was resolved, in UTC.
	StartedAt time.Time `json:"started_at"`
	// Version is the MachinableVersion that ran it.
	Version string `json:"machinable_version"`
	// ScheduleFormat says which resolution rules made the schedule:
	// ScheduleFormat for every execution resolved today; 0 (absent) for
	// experiments stored before repeats covered the whole experiment and
	// sub-components stopped drawing seeds. An old schedule is resumed as
	// stored.
	ScheduleFormat int `json:"schedule_format,omitempty"`
	// Kept lists the IDs of the components a filter (Execution.filter)
	// kept when it dropped some, so that a schedule rebuilt from the plan
	// drops the others again; empty when nothing was filtered out.
	Kept []string `json:"kept,omitempty"`
	// CodeVersion is the git state of the project when it ran.
	CodeVersion *backup.Version `json:"code_version,omitempty"`
	// CodeBackup holds the effective code_backup settings and, when
	// code.zip was written, how many files and bytes it holds.
	CodeBackup map[string]any `json:"code_backup,omitempty"`

	// Schedule is stored in schedule.jsonl. Read back for a resume, the
	// components that ended final earlier are undecoded (only ID and
	// Name: see UndecodedComponent) until DecodeSchedule.
	Schedule []ScheduledComponent `json:"-"`
	// Stream, when set, yields the schedule instead of Schedule (which is
	// then nil): a new experiment of more than OutcomesKept components
	// run on an engine that pulls its components one at a time (native,
	// dry), so that a sweep of any size starts at once and is never held
	// whole. It is consumed once.
	Stream *ScheduleStream `json:"-"`
	// Warnings are what resolving found worth saying but not refusing,
	// e.g. config keys of machinable.yaml that machinable 2.x warns about.
	Warnings []string `json:"-"`
}

// ScheduleFormat is the format of schedules resolved by this release:
// machinable 2.0's plan shapes (a repeat covers the whole experiment,
// level suffixes, sub-components draw nothing) and its flags.
const ScheduleFormat = 2

// Len is how many components the execution schedules.
func (e *Execution) Len() int {
	if e.Schedule == nil && e.Stream != nil {
		return e.Stream.Total()
	}
	return len(e.Schedule)
}

// Collect turns a streamed schedule into Schedule, for what needs it
// whole (a resume compares it with the stored one).
func (e *Execution) Collect(ctx context.Context) error {
	if e.Stream == nil {
		return nil
	}
	s := e.Stream
	e.Stream = nil
	e.Schedule = make([]ScheduledComponent, 0, s.Total())
	for {
		sc, err := s.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		e.Schedule = append(e.Schedule, sc)
	}
}

// Component returns the scheduled component with that ID, decoded; one
// whose line does not decode is not found (a whole read of the schedule
// says why).
func (e *Execution) Component(id string) (*ScheduledComponent, bool) {
	for i := range e.Schedule {
		if sc := &e.Schedule[i]; sc.ID == id {
			if sc.Decode() != nil {
				return nil, false
			}
			return sc, true
		}
	}
	return nil, false
}

// DecodeSchedule decodes the components of Schedule that are not (see
// UndecodedComponent), in place; a line that does not decode is a
// *storage.CorruptError naming the component.
func (e *Execution) DecodeSchedule() error {
	for i := range e.Schedule {
		if err := e.Schedule[i].Decode(); err != nil {
			return err
		}
	}
	return nil
}

// Decode decodes an undecoded component in place (see
// UndecodedComponent); a decoded one is left as it is.
func (sc *ScheduledComponent) Decode() error {
	if sc.raw == nil {
		return nil
	}
	c, err := DecodeScheduled(sc.raw)
	if err == nil && (c == nil || c.ID != sc.ID) {
		err = &storage.CorruptError{Err: errors.New("its line decodes as another component")}
	}
	if err != nil {
		var ce *storage.CorruptError
		if errors.As(err, &ce) && ce.Path == "" {
			ce.Path = storage.ScheduleName
		}
		return fmt.Errorf("component %s: %w", sc.ID, err)
	}
	*sc = *c
	return nil
}

// ScheduleFile is the content of schedule.json, the schedule of
// experiments stored by earlier releases (now schedule.jsonl: see
// package storage).
type ScheduleFile struct {
	// Components are the scheduled components in schedule order.
	Components []ScheduledComponent `json:"components"`
}

// Outcome is how one component ended.
type Outcome struct {
	Component *ScheduledComponent // the component it is the outcome of
	Status    string              // storage.Status* value
	Error     string              // message with backtrace when failed
	Duration  time.Duration       // wall time of the run, 0 for Previous
	// Previous is set for a component that finished in an earlier run of
	// a resumed experiment, or is running elsewhere: it was not run now.
	Previous bool
}

// Counts sums up the outcomes of a result.
type Counts struct {
	// Outcomes by status; Previous counts those of an earlier run, which
	// are counted by their status too. Stopped counts tuning trials a
	// scheduler ended early: final, and not failures.
	Finished, Failed, Interrupted, Running, Previous int
	Stopped                                          int
	NotRun                                           int // scheduled, no outcome (fail-fast, interrupt)
}

// Result is what executing a plan returns.
type Result struct {
	// Execution is the resolved plan that ran (the stored one on resume).
	Execution *Execution
	// Experiment is where the results were written (nil for dry runs).
	Experiment *storage.Experiment
	// Outcomes holds, in schedule order, one entry per component that ran
	// now or earlier (Previous); components that never started have none.
	// A streamed run (Execution.Stream) keeps memory flat: beyond the
	// first OutcomesKept, it keeps only outcomes that did not finish, and
	// Counts counts them all. The storage holds every component.
	Outcomes []Outcome
	// Counted, when set, are the counts of every outcome, of which
	// Outcomes holds some.
	Counted *Counts
	// Dry is set when the engine only resolved the schedule. The
	// Execution's Schedule then holds it when it has at most
	// OutcomesKept components; a larger one was streamed and is not kept.
	Dry bool
	// Detached is set when the execution continues in the background.
	Detached bool
	// LeftRunning counts the components an engine left running on a
	// cluster when the run was interrupted and it detached.
	LeftRunning int
	// Resumed is set when the experiment existed and was resumed.
	Resumed bool
}

// OutcomesKept is how many outcomes of finished components a streamed
// run keeps in Result.Outcomes.
const OutcomesKept = 1000

// Failed lists the outcomes that failed.
func (r *Result) Failed() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if o.Status == "failed" {
			out = append(out, o)
		}
	}
	return out
}

// OK reports whether every component finished (or, a tuning trial, was
// stopped early by its scheduler), or — detached, the
// execution going on elsewhere — none failed or was interrupted here.
func (r *Result) OK() bool {
	c := r.Counts()
	return r.Dry || (c.Failed == 0 && c.Interrupted == 0 && c.NotRun == 0)
}

// Counts sums up the outcomes.
func (r *Result) Counts() Counts {
	var c Counts
	if r.Counted != nil {
		c = *r.Counted
		if !r.Dry && !r.Detached {
			c.NotRun = r.Execution.Len() - (c.Finished + c.Stopped + c.Failed + c.Interrupted + c.Running) - r.LeftRunning
		}
		return c
	}
	for _, o := range r.Outcomes {
		c.Add(o)
	}
	if !r.Dry && !r.Detached {
		c.NotRun = r.Execution.Len() - len(r.Outcomes) - r.LeftRunning
	}
	return c
}

// Add counts one outcome.
func (c *Counts) Add(o Outcome) {
	switch o.Status {
	case "finished":
		c.Finished++
	case "failed":
		c.Failed++
	case "stopped":
		c.Stopped++
	case "interrupted":
		c.Interrupted++
	case "running":
		c.Running++
	}
	if o.Previous {
		c.Previous++
	}
}

// ExecuteRequest is everything execute() is given: the plan and where,
// how and with which seed to run it. Zero values mean defaults.
type ExecuteRequest struct {
	Plan    *Experiment // the experiment to run; required
	Storage string      // storage URL; "" is mem://
	Engine  any         // nil, "native:4", or map[string]any{"type": ...}
	Seed    any         // nil (fresh), int64, or a 6-character experiment ID
	// Project is the project directory; "" searches upwards from
	// SearchFrom for machinable.yaml.
	Project string
	// SearchFrom is where that search starts; "" is the working
	// directory.
	SearchFrom string
	// CodeBackup is execute()'s code_backup argument: nil (the project's
	// setting, on by default), false, true, or a map of options.
	CodeBackup any
	// FailFast stops starting components after the first failure.
	FailFast bool
	// Filter, when set, drops scheduled components it returns false for.
	Filter ScheduleFilter
}

// Executor executes plans. The dsl's execute() calls one; the executor
// package provides the standard implementation.
type Executor interface {
	// Execute resolves and runs the plan of req, resuming a stored
	// experiment that has the same plan; the Result says how each
	// component ended.
	Execute(ctx context.Context, req ExecuteRequest) (*Result, error)
}
