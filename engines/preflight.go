package engines

import (
	"context"
	"fmt"
	"strings"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// Preflighter is implemented by engines that can tell before anything is
// stored that a run cannot work (a mem:// storage their workers cannot
// see, a cluster that does not answer). The executor calls Preflight
// before it writes the experiment, so a refused run leaves no half-made
// experiment behind; errors say what to do instead.
type Preflighter interface {
	Preflight(ctx context.Context, ex *runtime.Execution, st *storage.Storage) error
}

// Preflight runs e's preflight check, if it has one.
func Preflight(ctx context.Context, e Engine, ex *runtime.Execution, st *storage.Storage) error {
	if p, ok := e.(Preflighter); ok {
		return p.Preflight(ctx, ex, st)
	}
	return nil
}

// sharedStorage refuses a storage that other processes cannot see:
// engine names the engine, who the processes that would not see it.
func sharedStorage(engine, who string, st *storage.Storage) error {
	if st == nil || !st.Memory {
		return nil
	}
	where := "a local path (or s3://)"
	if engine != "process" && engine != "detached" {
		where = "a shared file system path or s3://"
	}
	return fmt.Errorf("engine %s: %s cannot see a mem:// storage; use %s: pass --storage ./results, or give storage= to execute()", engine, who, where)
}

func (p *process) Preflight(_ context.Context, ex *runtime.Execution, st *storage.Storage) error {
	if err := sharedStorage("process", "workers are separate processes and", st); err != nil {
		return err
	}
	return p.gpus.checkSchedule("process", ex, p.parallel)
}

// Preflight refuses a component asking for more GPUs than this machine
// has, or resources the engine cannot read, before anything runs.
func (n *native) Preflight(_ context.Context, ex *runtime.Execution, _ *storage.Storage) error {
	return n.gpus.checkSchedule("native", ex, n.parallel)
}

func (d *detached) Preflight(ctx context.Context, ex *runtime.Execution, st *storage.Storage) error {
	if err := sharedStorage("detached", "the background process", st); err != nil {
		return err
	}
	// What runs in the background is checked here too: once detached,
	// nobody sees its errors until they look at the log.
	spec, err := ParseSpec(d.inner)
	if err != nil {
		return err
	}
	inner, err := NewRegistry().New(spec)
	if err != nil {
		return fmt.Errorf("engine detached: %w", err)
	}
	return Preflight(ctx, inner, ex, st)
}

// Preflight checks the dashboard answers and that its Ray takes every
// component's resources.
func (r *rayEngine) Preflight(ctx context.Context, ex *runtime.Execution, st *storage.Storage) error {
	if err := sharedStorage("ray", "the jobs run in other processes (on other nodes) and", st); err != nil {
		return err
	}
	version, err := r.client.reachable(ctx)
	if err != nil {
		if !strings.HasPrefix(err.Error(), "engine ray: ") {
			err = fmt.Errorf("engine ray: %w", err)
		}
		return err
	}
	if ex == nil {
		return nil
	}
	for i := range ex.Schedule {
		sc := &ex.Schedule[i]
		var req rayRequest
		if err := applyComponentResources(&req, sc); err != nil {
			return err
		}
		if err := version.check(req, fmt.Sprintf("component %s (%s)", sc.ID, sc.Name), r.opts.address); err != nil {
			return err
		}
	}
	return nil
}

func (r *remote) Preflight(_ context.Context, ex *runtime.Execution, st *storage.Storage) error {
	if err := sharedStorage("remote", "the host", st); err != nil {
		return err
	}
	if ex != nil && ex.Project == "" {
		return fmt.Errorf("engine remote: no project directory to copy: the remote engine copies the project (the directory with machinable.yaml) to the host; run from inside one or pass --project DIR")
	}
	return nil
}

func (s *slurm) Preflight(_ context.Context, _ *runtime.Execution, st *storage.Storage) error {
	return sharedStorage("slurm", "the nodes", st)
}
