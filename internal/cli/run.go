package cli

import (
	"io"

	"github.com/machinable-go/machinable/dsl"
	"github.com/spf13/cobra"
)

func newRunCommand(stdout io.Writer) *cobra.Command {
	var storage, engine, seed, project string
	var failFast bool
	var engineOpts []string
	cmd := &cobra.Command{
		Use:   "run FILE.star",
		Short: "Run an experiment script",
		Long: `Run an experiment script. The flags override what the script passes to
execute(). Exit status: 0 when every component finished, 1 when a component
failed, 2 when the script or the input is wrong, 130 when interrupted
(Ctrl-C or SIGTERM; a second Ctrl-C exits at once). Running the same
script with the same seed and storage again resumes: finished components
are kept, the rest run.`,
		Example: `  machinable run experiment.star
  machinable run experiment.star --storage ./results --seed 42
  machinable run experiment.star --engine dry`,
		Args: oneArg("a script file (FILE.star)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := dsl.Options{Executor: NewExecutor(stdout), Stdout: stdout, Storage: storage, Project: project, FailFast: failFast}
			spec, err := engineSpec(engine, engineOpts)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			opts.Engine = spec
			if seed != "" {
				s, err := parseSeedFlag(seed)
				if err != nil {
					return &exitError{code: ExitError, err: err}
				}
				opts.Seed = s
			}
			report, err := dsl.ExecFile(cmd.Context(), args[0], nil, opts)
			if err != nil && cmd.Context().Err() == nil {
				return &exitError{code: ExitError, err: err}
			}
			if report == nil {
				return exitFor(cmd.Context(), 0)
			}
			return exitFor(cmd.Context(), report.Failed())
		},
	}
	f := cmd.Flags()
	f.StringVar(&storage, "storage", "", "storage URL (mem://, ./results, ~/results, file://...)")
	f.StringVar(&engine, "engine", "", `engine ("native", "native:4", "process:2", "slurm", "detached", "dry")`)
	f.StringArrayVar(&engineOpts, "engine-opt", nil, "engine option KEY=VALUE, repeatable (e.g. --engine slurm --engine-opt partition=gpu)")
	f.StringVar(&seed, "seed", "", seedFlagHelp)
	f.StringVar(&project, "project", "", "project directory (default: nearest machinable.yaml above the script)")
	f.BoolVar(&failFast, "fail-fast", false, "stop starting components after the first failure")
	return cmd
}
