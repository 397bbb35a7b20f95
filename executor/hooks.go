package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/runtime"
)

// ErrCancelled is returned when the project's on_before_submit hook
// returns False: nothing was stored or run.
var ErrCancelled = errors.New("cancelled by the project's on_before_submit")

// projectHooks loads the hook file of the project, if any.
func (x *Executor) projectHooks(ctx context.Context, dir string) (runtime.ProjectHooks, error) {
	if x.Components == nil || dir == "" {
		return nil, nil
	}
	return x.Components.ProjectHooks(ctx, dir)
}

// projectMethods are the hooks' config methods for the resolver; nil
// (not a typed nil) without hooks.
func projectMethods(h runtime.ProjectHooks) runtime.ConfigMethods {
	if h == nil {
		return nil
	}
	return h
}

// applyHooks gives the scheduled components without resources the
// project's default_resources (merged under those that have some, as
// 2.14 does), and an experiment without .directory() the project's
// experiment_directory().
func applyHooks(ctx context.Context, h runtime.ProjectHooks, engine string, plan *runtime.Experiment, schedule []runtime.ScheduledComponent, started time.Time) (dir string, err error) {
	dir = runtime.Strftime(plan.Directory, started)
	if h == nil {
		return dir, nil
	}
	if h.Has("default_resources") {
		for i := range schedule {
			sc := &schedule[i]
			subs := make([]map[string]any, len(sc.Components))
			for j, s := range sc.Components {
				subs[j] = map[string]any{"name": s.Name, "config": s.Config, "flags": s.Flags}
			}
			defaults, err := h.DefaultResources(ctx, engine, map[string]any{"name": sc.Name, "config": sc.Config, "flags": sc.Flags}, subs)
			if err != nil {
				return "", fmt.Errorf("component %s: %w", sc.Name, err)
			}
			if sc.Resources, err = runtime.MergeDefaultResources(sc.Resources, defaults); err != nil {
				return "", fmt.Errorf("component %s: %w", sc.Name, err)
			}
		}
	}
	if plan.Directory == "" && h.Has("experiment_directory") {
		d, err := h.ExperimentDirectory(ctx)
		if err != nil || d == "" {
			return dir, err
		}
		// The same rules as .directory(): relative, inside the storage.
		if err := runtime.NewExperiment().SetDirectory(d); err != nil {
			return "", fmt.Errorf("%s: experiment_directory: %w", "_machinable/project.star", err)
		}
		dir = runtime.Strftime(d, started)
	}
	return dir, nil
}

// hostExtras carries the hooks' host information from Execute to
// prepare, which writes host.json; keyed by the execution, removed when
// read.
var hostExtras sync.Map

// submitHooks runs on_before_submit and collects the host information of
// host_information() and host_<name>() before anything is stored.
func (x *Executor) submitHooks(ctx context.Context, ex *runtime.Execution) error {
	h, err := x.projectHooks(ctx, ex.Project)
	if err != nil || h == nil {
		return err
	}
	if h.Has("on_before_submit") {
		ok, err := h.BeforeSubmit(ctx, submitInfo(ex))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("experiment %s: %w (it returned False): nothing was stored or run", ex.ExperimentID, ErrCancelled)
		}
	}
	info, err := h.HostInfo(ctx)
	if err != nil {
		return err
	}
	if len(info) > 0 {
		hostExtras.Store(ex, info)
	}
	return nil
}

// submittedHook runs on_submit once the experiment is stored (resumed:
// it was stored before), before its components run.
func (x *Executor) submittedHook(ctx context.Context, ex *runtime.Execution, resumed bool) error {
	h, err := x.projectHooks(ctx, ex.Project)
	if err != nil || h == nil || !h.Has("on_submit") {
		return err
	}
	if err := h.Submitted(ctx, submitInfo(ex), resumed); err != nil {
		return fmt.Errorf("experiment %s is stored, its components did not run (machinable resume %s runs them): %w", ex.ExperimentID, ex.ExperimentID, err)
	}
	return nil
}

// submitInfo is what on_before_submit and on_submit see of an execution.
func submitInfo(ex *runtime.Execution) map[string]any {
	comps := make([]any, len(ex.Schedule))
	for i, sc := range ex.Schedule {
		comps[i] = map[string]any{"id": sc.ID, "name": sc.Name, "config": jsonvalue.DeepCopy(sc.Config),
			"flags": jsonvalue.DeepCopy(sc.Flags), "resources": jsonvalue.DeepCopy(sc.Resources)}
	}
	return map[string]any{
		"experiment_id": ex.ExperimentID,
		"seed":          ex.Seed,
		"storage":       ex.Storage,
		"directory":     ex.Directory,
		"engine":        ex.Engine,
		"project":       ex.Project,
		"components":    comps,
	}
}

// hostRecord is host.json of an experiment: machinable's host facts, plus
// the project's host information under keys those facts do not use.
func hostRecord(ex *runtime.Execution) any {
	host := runtime.CurrentHost()
	v, ok := hostExtras.LoadAndDelete(ex)
	if !ok {
		return host
	}
	b, err := json.Marshal(host)
	var m map[string]any
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		return host
	}
	for k, x := range v.(map[string]any) {
		if _, taken := m[k]; !taken {
			m[k] = x
		}
	}
	return m
}
