package engines

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// process runs components in N long-lived worker processes ("process:N"),
// `machinable worker EXPERIMENT_URL --serve`, each fed one component at a
// time (process_serve.go); with option reuse_workers false, each
// component gets a `machinable worker EXPERIMENT_URL --component ID` of
// its own, the protocol cluster engines use. Either way the worker
// rebuilds the component from the stored execution and schedule.
type process struct {
	parallel int
	binary   string
	oneShot  bool // reuse_workers false: a fresh worker per component
	gpus     gpuSource
}

func newProcess(spec Spec) (Engine, error) {
	if err := checkOptions(spec, "processes", "binary", "reuse_workers"); err != nil {
		return nil, err
	}
	n, err := optionInt(spec, "processes", 1)
	if err != nil {
		return nil, err
	}
	bin, err := workerBinary(spec)
	if err != nil {
		return nil, err
	}
	p := &process{parallel: max(n, 1), binary: bin}
	if v, ok := spec.Options["reuse_workers"]; ok {
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("engine process: option \"reuse_workers\": expected true (N long-lived workers) or false (a fresh worker per component), got %v", v)
		}
		p.oneShot = !b
	}
	return p, nil
}

func (p *process) Name() string { return "process" }

// RunsWorkers implements WorkerRunner.
func (p *process) RunsWorkers() bool { return true }

func (p *process) Run(ctx context.Context, job *Job) ([]runtime.Outcome, error) {
	if err := p.Preflight(ctx, job.Execution, job.Experiment.Storage()); err != nil {
		return nil, err
	}
	url := job.Experiment.URL()
	if p.oneShot {
		return runLocalPool(ctx, job, p.parallel, &p.gpus, func(ctx context.Context, sc *runtime.ScheduledComponent, prefix string, gpus []string) runtime.Outcome {
			return runWorker(ctx, p.binary, url, sc, job.Experiment, job.Console, prefix, gpus)
		})
	}
	slots := startSlots(ctx, p.parallel, p.binary, url, job.Experiment, job.Console)
	defer slots.close()
	return runLocalPool(ctx, job, p.parallel, &p.gpus, slots.run)
}

// RunWorker runs one component through `machinable worker` and reads how
// it ended from its status.json. Output goes to console with prefix; a
// worker that dies without a final status is reported failed with the
// tail of its stderr — interrupted if ctx was cancelled — and its
// status.json says the same. Cancelling ctx sends SIGTERM (the worker
// marks the component interrupted), then kills after 5 s. The worker
// runs in a process group of its own: Ctrl-C on the terminal stops it
// through ctx, with one signal.
func RunWorker(ctx context.Context, binary, url string, sc *runtime.ScheduledComponent, exp *storage.Experiment, console io.Writer, prefix string) runtime.Outcome {
	return runWorker(ctx, binary, url, sc, exp, console, prefix, nil)
}

// runWorker is RunWorker giving the component the GPUs gpus: the worker
// (`--gpus`) sets them as its flag CUDA_VISIBLE_DEVICES, and its process
// environment says the same, being the component's alone.
func runWorker(ctx context.Context, binary, url string, sc *runtime.ScheduledComponent, exp *storage.Experiment, console io.Writer, prefix string, gpus []string) runtime.Outcome {
	start := time.Now()
	defer lockThread()()
	cmd := exec.CommandContext(ctx, binary, "worker", url, "--component", sc.ID)
	if len(gpus) > 0 {
		devices := strings.Join(gpus, ",")
		cmd.Args = append(cmd.Args, "--gpus", devices)
		cmd.Env = append(os.Environ(), GPUFlag+"="+devices)
	}
	cmd.SysProcAttr = workerAttr()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	var stderr tailBuffer
	if console != nil {
		out := runtime.PrefixWriter(console, prefix)
		cmd.Stdout = out
		cmd.Stderr = io.MultiWriter(&stderr, runtime.PrefixWriter(console, prefix))
	} else {
		cmd.Stderr = &stderr
	}
	runErr := cmd.Run()
	pid := 0
	if cmd.Process != nil {
		pid = cmd.Process.Pid
	}
	out := deadWorkerOutcome(ctx, exp, sc, pid, runErr, stderr.String())
	out.Duration = time.Since(start)
	return out
}

// deadWorkerOutcome is how a component ended whose worker exited (with
// runErr): as its status.json says when that is final; else failed with
// the tail of the worker's stderr — interrupted if ctx was cancelled —
// and status.json is made to say the same.
func deadWorkerOutcome(ctx context.Context, exp *storage.Experiment, sc *runtime.ScheduledComponent, pid int, runErr error, stderr string) runtime.Outcome {
	out := runtime.Outcome{Component: sc, Status: storage.StatusFailed}
	st, err := exp.ComponentStatus(sc.ID)
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		out.Error = fmt.Sprintf("worker: reading status: %v", err)
	case err == nil && (st.Status == storage.StatusFinished || st.Status == storage.StatusStopped || st.Status == storage.StatusFailed || st.Status == storage.StatusInterrupted):
		out.Status, out.Error = st.Status, st.Error
	default: // running, or never started
		msg := "worker exited without a final status"
		if runErr != nil {
			msg = fmt.Sprintf("worker %v", runErr)
		}
		if tail := strings.TrimSpace(stderr); tail != "" {
			msg += ": " + tail
		}
		out.Error = msg
		if ctx.Err() != nil {
			out.Status = storage.StatusInterrupted
			out.Error = "interrupted: " + msg
		}
		if pid != 0 && err == nil {
			recordWorkerEnd(exp, sc.ID, pid, out)
		}
	}
	return out
}

// recordWorkerEnd writes the final status a dead worker could not write:
// only if status.json still says running in that worker's process, so
// nothing another process wrote is overwritten.
func recordWorkerEnd(exp *storage.Experiment, id string, pid int, out runtime.Outcome) {
	c, err := exp.OpenComponent(id)
	if err != nil {
		return
	}
	st, err := c.ReadStatus()
	if err != nil || st.Status != storage.StatusRunning || st.PID != pid || st.Host != storage.Hostname() {
		return
	}
	now := time.Now().UTC()
	st.Status, st.Error, st.FinishedAt, st.HeartbeatAt = out.Status, out.Error, &now, &now
	_ = c.WriteStatus(st) // if this fails too, the component is stale: a resume runs it
}

// tailBuffer keeps the last 4 KiB written to it.
type tailBuffer struct{ b bytes.Buffer }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b.Write(p)
	if over := t.b.Len() - 4096; over > 0 {
		t.b.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return t.b.String() }
