package cli

import (
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

func newResumeCommand(stdout io.Writer) *cobra.Command {
	var storageURL, engine string
	var failFast bool
	var engineOpts []string
	var project string
	cmd := &cobra.Command{
		Use:   "resume ID",
		Short: "Run what is left of an experiment",
		Long: `Resume an experiment from its storage: components that finished are kept
untouched, components that another live process is running are left alone,
and the rest (never started, failed, interrupted, or stale after a crash)
run again; an earlier attempt's files move to attempts/N/ in the component
directory. The components' code is loaded from the project directory
recorded in execution.json.`,
		Example: `  machinable resume 8gWVkz
  machinable resume 8gWVkz --storage ~/results --engine native:4
  machinable resume /abs/results/8gWVkz`,
		Args: oneArg("an experiment ID or its directory"),
		RunE: func(cmd *cobra.Command, args []string) error {
			surviveClosedPipe()
			exp, err := openExperiment(args[0], storageURL, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if project != "" {
				// Where the code is here; workers started by the engine
				// inherit it.
				abs, err := filepath.Abs(project)
				if err != nil {
					return &exitError{code: ExitError, err: err}
				}
				os.Setenv("MACHINABLE_PROJECT", abs)
			}
			spec, err := engineSpec(engine, engineOpts)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			res, err := runExecutor(stdout, cmd.ErrOrStderr()).Resume(cmd.Context(), exp, spec, failFast)
			return exitForResult(cmd.Context(), res, err)
		},
	}
	f := cmd.Flags()
	f.StringVar(&storageURL, "storage", "", storageFlagHelp)
	f.StringVar(&engine, "engine", "", `engine ("native", "native:4", "process:2", "slurm")`)
	f.StringArrayVar(&engineOpts, "engine-opt", nil, "engine option KEY=VALUE, repeatable")
	f.BoolVar(&failFast, "fail-fast", false, "stop starting components after the first failure")
	f.StringVar(&project, "project", "", "load component code from this directory instead of the recorded project (e.g. a copy on another host)")
	return cmd
}
