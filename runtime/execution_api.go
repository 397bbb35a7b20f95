package runtime

import (
	"context"

	"github.com/machinable-go/machinable/storage"
)

// ScheduleFilter decides per scheduled component whether it stays in the
// schedule (2.x's Execution.filter): index is its position in the full
// schedule. Component IDs are drawn before filtering, so the components
// kept have the IDs they have in the unfiltered experiment.
type ScheduleFilter func(index int, sc *ScheduledComponent) (bool, error)

// Planner is an Executor that can also resolve a request without running
// or writing anything: Execution.summary() and .schedule use it.
type Planner interface {
	Plan(ctx context.Context, req ExecuteRequest) (*Execution, error)
}

// StoredExecutor opens and resumes experiments already in a storage:
// Execution.from_storage(url) uses it.
type StoredExecutor interface {
	// OpenStored reads the execution of a stored experiment, validated.
	OpenStored(ctx context.Context, exp *storage.Experiment) (*Execution, error)
	// Resume runs what is left of it; finished components are kept.
	Resume(ctx context.Context, exp *storage.Experiment, engine any, failFast bool) (*Result, error)
}

// Exporter writes an execution as a self-contained folder that runs it
// again without the original project: Execution.export(path). stored is
// the stored experiment, or nil for one not run yet.
type Exporter interface {
	Export(ctx context.Context, ex *Execution, stored *storage.Experiment, path string) error
}
