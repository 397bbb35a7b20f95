package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/machinable-go/machinable/engines"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// serveWorker is `machinable worker URL --serve`: it runs the components
// whose IDs arrive on in, one a line, and answers on out in the protocol
// of engines.WorkerMessage. It returns when in ends, or after the
// component running when ctx ends (SIGTERM from the engine).
func serveWorker(ctx context.Context, exp *storage.Experiment, in io.Reader, out io.Writer) error {
	console := engines.WorkerConsole(out)
	ids := make(chan string)
	go func() {
		defer close(ids)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			if id := strings.TrimSpace(sc.Text()); id != "" {
				ids <- id
			}
		}
	}()
	requeue := requeueSignal(console)
	var ex *runtime.Execution
	for {
		var id string
		var ok bool
		select {
		case id, ok = <-ids:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			return &exitError{code: ExitInterrupted, err: context.Cause(ctx)}
		}
		if !ok {
			return nil
		}
		id, gpus := servedRequest(id)
		msg := engines.WorkerMessage{ID: id, Status: storage.StatusFailed}
		o, err := runServed(ctx, exp, &ex, id, gpus, console, requeue)
		if err == nil && o.Status == storage.StatusRequeued {
			// Inside a Slurm job near its time limit: the whole task is
			// requeued (or, out of requeues, the component failed), as
			// a worker of its own does; the engine reads status.json.
			return requeueTask(console, exp, id)
		}
		if err != nil {
			msg.Error = err.Error()
		} else {
			msg.Status, msg.Error, msg.Previous = o.Status, o.Error, o.Previous
		}
		if err := console.Send(msg); err != nil {
			return &exitError{code: ExitError, err: fmt.Errorf("worker: %w", err)}
		}
	}
}

// runServed runs one component. The stored execution is read once and
// again when it lacks the component (a schedule that grew since). The
// registry is new for every component, as in a worker of its own: each
// component loads the project's modules afresh, nothing of the one
// before stays.
// gpus, when given, are the component's flag CUDA_VISIBLE_DEVICES.
func runServed(ctx context.Context, exp *storage.Experiment, ex **runtime.Execution, id string, gpus []string, console io.Writer, requeue <-chan struct{}) (runtime.Outcome, error) {
	var sc *runtime.ScheduledComponent
	if *ex != nil {
		sc, _ = (*ex).Component(id)
	}
	if sc == nil {
		// Only this component's line is decoded (the others as they are
		// served): a worker per component would decode the whole
		// schedule once per component.
		loaded, err := executor.LoadExecutionExcept(exp, func(other string) bool { return other != id })
		if err != nil {
			return runtime.Outcome{}, err
		}
		*ex = loaded
		var found bool
		if sc, found = loaded.Component(id); !found {
			return runtime.Outcome{}, fmt.Errorf("experiment %s has no component %q", exp.ID, id)
		}
	}
	reg := NewExecutor(console).Components
	out := runtime.RunComponent(ctx, runtime.RunEnv{Execution: *ex, Experiment: exp, Registry: reg, Console: console, Requeue: requeue,
		Tuner: executor.WorkerTuner(*ex, exp)}, engines.WithGPUs(sc, gpus))
	out.Component = sc
	return out, nil
}

// servedRequest reads a request line: "ID", or "ID gpus=0,1".
func servedRequest(line string) (id string, gpus []string) {
	id, rest, _ := strings.Cut(line, " ")
	if v, ok := strings.CutPrefix(strings.TrimSpace(rest), "gpus="); ok {
		gpus = engines.ParseGPUs(v)
	}
	return id, gpus
}
