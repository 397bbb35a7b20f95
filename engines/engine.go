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
	// Run runs every component of job.Execution.Schedule (or those in
	// job.Only when set) and returns their outcomes in schedule order.
	Run(ctx context.Context, job *Job) ([]runtime.Outcome, error)
}

// DryRunner is implemented by engines that only show the schedule: the
// executor then writes nothing to storage.
type DryRunner interface {
	Dry() bool
}

// Job is one execution handed to an engine. Everything a remote worker
// needs is also in the storage (execution.json + schedule.json), so
// engines that run components in other processes only pass on the
// experiment's location and component IDs.
type Job struct {
	Execution  *runtime.Execution
	Experiment *storage.Experiment
	Registry   *runtime.Registry
	// Console receives component output; nil for quiet runs.
	Console io.Writer
	// Done is called once per component as soon as it ends, possibly from
	// several goroutines at once.
	Done func(runtime.Outcome)
}

// RunLocal runs one component in this process; in-process engines share it.
func (j *Job) RunLocal(ctx context.Context, sc *runtime.ScheduledComponent, prefix string) runtime.Outcome {
	out := runtime.RunComponent(ctx, runtime.RunEnv{
		Execution:  j.Execution,
		Experiment: j.Experiment,
		Registry:   j.Registry,
		Console:    j.Console,
		Prefix:     prefix,
	}, sc)
	if j.Done != nil {
		j.Done(out)
	}
	return out
}
