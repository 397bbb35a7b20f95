package engines

import (
	"context"
	"io"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// Engine runs the components of an execution.
type Engine interface {
	// Name is the engine's registered type, stored in execution.json.
	Name() string
	// Run runs job.Components and returns the outcomes of those it ran,
	// in the order they were given. It stops starting new ones when ctx
	// ends or, with job.FailFast, after the first failure.
	Run(ctx context.Context, job *Job) ([]runtime.Outcome, error)
}

// DryRunner is implemented by engines that only show the schedule: the
// executor then writes nothing to storage.
type DryRunner interface {
	// Dry reports whether this engine only shows the schedule.
	Dry() bool
}

// WorkerRunner is implemented by engines that run each component in a
// `machinable worker` process (process:N, slurm, ray per component). A
// worker judges tuning trials only through the storage, so the executor
// reads their record rows while they run. Engines that run components
// in this process hand them Job.Tuner (RunLocal); engines that run the
// whole execution elsewhere (remote, detached, ray's whole mode) judge
// there.
type WorkerRunner interface {
	RunsWorkers() bool
}

// Detacher is implemented by engines that hand the execution to a
// background process and return at once.
type Detacher interface {
	// Detached reports, after Run, whether the execution went on in the
	// background (then there are no outcomes to report).
	Detached() bool
}

// Job is one execution handed to an engine. Everything a remote worker
// needs is also in the storage (execution.json + schedule.json), so
// engines that run components in other processes only pass on the
// experiment's location and component IDs.
type Job struct {
	// Execution is the resolved execution: seed, engine, schedule.
	Execution *runtime.Execution
	// Experiment is where the execution is stored; workers reopen it by
	// its URL.
	Experiment *storage.Experiment
	// Registry holds the Go (and, with dsl.Register, Starlark) component
	// factories that in-process engines run components with.
	Registry *runtime.Registry
	// Components are the ones to run now (a resume leaves out those that
	// finished earlier); nil means the whole schedule.
	Components []*runtime.ScheduledComponent
	// Next, when set, yields the components to run one at a time instead
	// (nil, nil after the last): a streamed schedule, given only to
	// engines that are Streamers.
	Next func() (*runtime.ScheduledComponent, error)
	// FailFast stops starting components after the first failure.
	FailFast bool
	// Console receives component output; nil for quiet runs.
	Console io.Writer
	// Started is called when a component starts (optional).
	Started func(*runtime.ScheduledComponent)
	// Done is called once per component as soon as it ends, possibly from
	// several goroutines at once.
	Done func(runtime.Outcome)
	// Prompt, when set, lets a cluster engine ask what to do with the
	// work it submitted after Ctrl-C (cancel or detach).
	Prompt Prompt
	// Tuner, set for a tuned plan, judges the record rows of trials that
	// run in this process (see runtime.Tuner).
	Tuner runtime.Tuner
	// Unattended says no one watches the console (the CLI's output is
	// not a terminal): the slurm engine then submits and returns unless
	// its "wait" option says otherwise.
	Unattended bool
}

// Todo returns the components to run (a stream taken whole, stopping at
// an error: only engines that are no Streamers call it).
func (j *Job) Todo() []*runtime.ScheduledComponent {
	if j.Components == nil && j.Next != nil {
		j.Components = []*runtime.ScheduledComponent{}
		for sc, err := j.Next(); sc != nil && err == nil; sc, err = j.Next() {
			j.Components = append(j.Components, sc)
		}
	}
	if j.Components != nil {
		return j.Components
	}
	all := make([]*runtime.ScheduledComponent, len(j.Execution.Schedule))
	for i := range j.Execution.Schedule {
		all[i] = &j.Execution.Schedule[i]
	}
	return all
}

// RunLocal runs one component in this process; in-process engines share it.
func (j *Job) RunLocal(ctx context.Context, sc *runtime.ScheduledComponent, prefix string) runtime.Outcome {
	out := runtime.RunComponent(ctx, runtime.RunEnv{
		Execution:  j.Execution,
		Experiment: j.Experiment,
		Registry:   j.Registry,
		Console:    j.Console,
		Prefix:     prefix,
		Tuner:      j.Tuner,
	}, sc)
	return out
}
