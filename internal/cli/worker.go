package cli

import (
	"fmt"
	"io"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/storage"
	"github.com/spf13/cobra"
)

func newWorkerCommand(stdout io.Writer) *cobra.Command {
	var component string
	cmd := &cobra.Command{
		Use:   "worker EXPERIMENT_URL --component ID",
		Short: "Run one component of a stored experiment (used by engines)",
		Long: `Run one component of an experiment whose execution.json and schedule.json
are in storage, in this process. Engines that run components elsewhere
(process, and cluster engines) start one worker per component. The
component's print() and log lines go to standard output. Exit status: 0
finished, 1 failed, 130 interrupted (SIGINT/SIGTERM), 2 bad arguments.`,
		Example: `  machinable worker /abs/results/8gWVkz --component e9DJBHuoiCvn`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if component == "" {
				return &exitError{code: ExitError, err: fmt.Errorf("worker: --component ID is required")}
			}
			exp, err := storage.OpenExperimentURL(args[0])
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			x := NewExecutor(stdout)
			out, err := executor.RunStored(cmd.Context(), exp, component, x.Components, stdout)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			switch out.Status {
			case storage.StatusFinished:
				return nil
			case storage.StatusInterrupted:
				return &exitError{code: ExitInterrupted, err: fmt.Errorf("%s", out.Error)}
			}
			return &exitError{code: ExitFailed, err: fmt.Errorf("%s", out.Error)}
		},
	}
	cmd.Flags().StringVar(&component, "component", "", "ID of the component to run")
	return cmd
}
