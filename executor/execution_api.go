package executor

import (
	"context"
	"fmt"
	"io"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

var (
	_ runtime.Planner        = (*Executor)(nil)
	_ runtime.StoredExecutor = (*Executor)(nil)
	_ runtime.Exporter       = (*Executor)(nil)
)

// Plan resolves req as Execute would, without running or writing
// anything: the same experiment ID, component IDs and configs.
func (x *Executor) Plan(ctx context.Context, req runtime.ExecuteRequest) (*runtime.Execution, error) {
	ex, _, err := x.Resolve(ctx, req)
	return ex, err
}

// OpenStored reads a stored experiment's execution; a missing or damaged
// schedule.json is rebuilt from the stored plan, as resume does.
func (x *Executor) OpenStored(ctx context.Context, exp *storage.Experiment) (*runtime.Execution, error) {
	return loadComplete(ctx, exp, x.resolveStored(ctx), io.Discard, nil)
}

// Export implements runtime.Exporter with the package function Export.
func (x *Executor) Export(ctx context.Context, ex *runtime.Execution, stored *storage.Experiment, path string) error {
	return Export(ex, stored, path)
}

// filterSchedule keeps the components keep says yes to, in order; the
// IDs were drawn for the whole schedule and stay as they are.
func filterSchedule(schedule []runtime.ScheduledComponent, keep runtime.ScheduleFilter) ([]runtime.ScheduledComponent, error) {
	if keep == nil {
		return schedule, nil
	}
	out := make([]runtime.ScheduledComponent, 0, len(schedule))
	for i := range schedule {
		ok, err := keep(i, &schedule[i])
		if err != nil {
			return nil, fmt.Errorf("filter: component %d (%s %s): %w", i+1, schedule[i].ID, schedule[i].Name, err)
		}
		if ok {
			out = append(out, schedule[i])
		}
	}
	return out, nil
}

func scheduleIDs(schedule []runtime.ScheduledComponent) []string {
	ids := make([]string, len(schedule))
	for i := range schedule {
		ids[i] = schedule[i].ID
	}
	return ids
}

// keepOnly drops what a filter dropped when the experiment ran, from a
// schedule rebuilt from its plan; an ID kept but not scheduled means the
// stored execution does not match its plan.
func keepOnly(schedule []runtime.ScheduledComponent, kept []string) ([]runtime.ScheduledComponent, error) {
	want := make(map[string]bool, len(kept))
	for _, id := range kept {
		want[id] = true
	}
	out := make([]runtime.ScheduledComponent, 0, len(kept))
	for _, sc := range schedule {
		if want[sc.ID] {
			out = append(out, sc)
			delete(want, sc.ID)
		}
	}
	if len(want) > 0 {
		return nil, fmt.Errorf("execution.json keeps components the plan does not schedule (%d of %d)", len(want), len(kept))
	}
	return out, nil
}
