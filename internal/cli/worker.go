package cli

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/machinable-go/machinable/engines"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
	"github.com/spf13/cobra"
)

func newWorkerCommand(stdout io.Writer) *cobra.Command {
	var component string
	var serve bool
	var gpus string
	cmd := &cobra.Command{
		Use:   "worker EXPERIMENT_URL (--component ID | --serve)",
		Short: "Run one component of a stored experiment (used by engines)",
		// Engines start it; users have no reason to: left out of --help.
		Hidden: true,
		Long: `Run one component of an experiment whose execution.json and schedule.json
are in storage, in this process. Engines that run components elsewhere
(process, slurm) start one worker per component. The component's print()
and log lines go to standard output. Exit status: 0 finished (or requeued),
1 failed, 130 interrupted (SIGINT/SIGTERM), 2 bad arguments.

Inside a Slurm job, SIGUSR1 (sent before the time limit, --signal) makes
the component save a checkpoint through on_save at its next iteration
boundary; the worker then requeues its task (scontrol requeue), at most
$MACHINABLE_MAX_REQUEUE times (default 3), and the restarted worker
continues the component from that checkpoint through on_restore.

With --serve (the process engine), the worker runs components one after
the other, each as --component would: it reads one component ID a line on
standard input (followed by " gpus=0,1" when the engine gave it GPUs, as
--gpus does) and writes JSON lines on standard output, {"out": TEXT} for
the running component's console output and {"id": ID, "status": STATUS,
"error": TEXT} when it ended. Each component gets a fresh registry: its
modules are read and run anew. The worker ends when its input ends (exit
0) or on SIGINT/SIGTERM, after marking the running component interrupted
(exit 130).`,
		Example: `  machinable worker /abs/results/8gWVkz --component e9DJBHuoiCvn`,
		Args:    oneArg("the experiment URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (component == "") == !serve {
				return &exitError{code: ExitError, err: fmt.Errorf("worker: expected --component ID or --serve (one of them)")}
			}
			exp, err := storage.OpenExperimentURL(args[0])
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			defer engines.TuneGC()() // as the native engine does
			if serve {
				return serveWorker(cmd.Context(), exp, cmd.InOrStdin(), stdout)
			}
			requeue := requeueSignal(stdout)
			var ex *runtime.Execution
			out, err := runServed(cmd.Context(), exp, &ex, component, engines.ParseGPUs(gpus), stdout, requeue)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			switch out.Status {
			case storage.StatusFinished, storage.StatusStopped: // a trial stopped early is no failure
				return nil
			case storage.StatusRequeued:
				return requeueTask(stdout, exp, component)
			case storage.StatusInterrupted:
				return &exitError{code: ExitInterrupted, err: fmt.Errorf("%s", out.Error)}
			}
			return &exitError{code: ExitFailed, err: fmt.Errorf("%s", out.Error)}
		},
	}
	cmd.Flags().StringVar(&component, "component", "", "ID of the component to run")
	cmd.Flags().BoolVar(&serve, "serve", false, "run the components whose IDs arrive on standard input, one after the other")
	cmd.Flags().StringVar(&gpus, "gpus", "", "GPUs the engine gave the component, as CUDA_VISIBLE_DEVICES names them (its flag CUDA_VISIBLE_DEVICES)")
	return cmd
}

// requeueSignal closes the returned channel on SIGUSR1 inside a Slurm job.
func requeueSignal(stdout io.Writer) <-chan struct{} {
	if os.Getenv("SLURM_JOB_ID") == "" {
		return nil
	}
	ch := make(chan struct{})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	go func() {
		<-sig
		fmt.Fprintln(stdout, "machinable worker: SIGUSR1 (time limit near): saving a checkpoint to be requeued")
		close(ch)
	}()
	return ch
}

// requeueTask asks Slurm to run this task again, unless it was requeued
// as often as allowed: then the component is marked failed (its last
// checkpoint stays in its directory).
func requeueTask(stdout io.Writer, exp *storage.Experiment, component string) error {
	limit := 3
	if v, err := strconv.Atoi(os.Getenv("MACHINABLE_MAX_REQUEUE")); err == nil {
		limit = v
	}
	restarts, _ := strconv.Atoi(os.Getenv("SLURM_RESTART_COUNT"))
	if restarts >= limit {
		err := fmt.Errorf("time limit reached again after %d requeue(s) (max_requeue %d): giving up", restarts, limit)
		if c, oerr := exp.OpenComponent(component); oerr == nil {
			if st, rerr := c.ReadStatus(); rerr == nil {
				now := time.Now().UTC()
				st.Status, st.Error, st.FinishedAt = storage.StatusFailed, err.Error(), &now
				if st.Checkpoint != "" {
					st.Error += "; the last checkpoint is " + st.Checkpoint
				}
				if werr := c.WriteStatus(st); werr != nil {
					fmt.Fprintf(stdout, "machinable worker: could not mark the component failed: %v\n", werr)
				}
			}
		}
		fmt.Fprintf(stdout, "machinable worker: %v\n", err)
		return &exitError{code: ExitFailed, err: err}
	}
	task := os.Getenv("SLURM_JOB_ID")
	if a, t := os.Getenv("SLURM_ARRAY_JOB_ID"), os.Getenv("SLURM_ARRAY_TASK_ID"); a != "" && t != "" {
		task = a + "_" + t
	}
	fmt.Fprintf(stdout, "machinable worker: requeueing Slurm task %s (restart %d of at most %d)\n", task, restarts+1, limit)
	if out, err := exec.Command("scontrol", "requeue", task).CombinedOutput(); err != nil {
		return &exitError{code: ExitFailed, err: fmt.Errorf("scontrol requeue %s: %v: %s", task, err, out)}
	}
	return nil
}
