package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
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
are kept, the rest run.

The storage is --storage, else the script's execute(storage=...), else
$MACHINABLE_STORAGE, else mem:// (kept in memory only: the results are
gone when the run ends). A relative path in the script is relative to
the script's directory; on the command line and in $MACHINABLE_STORAGE
to the current directory.`,
		Example: `  machinable run experiment.star
  machinable run experiment.star --storage ./results --seed 42
  machinable run experiment.star --engine dry`,
		Args: oneArg("a script file (FILE.star)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := dsl.Options{Executor: NewExecutor(stdout), Stdout: stdout, Storage: storage, Project: project, FailFast: failFast,
				DefaultStorage: envStorage()}
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
			if report != nil {
				warnNotKept(cmd.ErrOrStderr(), report.Results, "pass --storage ./results, give storage= to execute(), or set MACHINABLE_STORAGE")
			}
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
	f.StringVar(&storage, "storage", "", "storage URL (mem://, ./results, ~/results, file://...); default: the script's, else $MACHINABLE_STORAGE, else mem://")
	f.StringVar(&engine, "engine", "", `engine ("native", "native:4", "process:2", "slurm", "detached", "dry")`)
	f.StringArrayVar(&engineOpts, "engine-opt", nil, "engine option KEY=VALUE, repeatable (e.g. --engine slurm --engine-opt partition=gpu)")
	f.StringVar(&seed, "seed", "", seedFlagHelp)
	f.StringVar(&project, "project", "", "project directory (default: nearest machinable.yaml above the script)")
	f.BoolVar(&failFast, "fail-fast", false, "stop starting components after the first failure")
	return cmd
}

// envStorage is $MACHINABLE_STORAGE as the default storage of run and
// execute (2.x's default_storage setting), relative to the current
// directory; "" when unset.
func envStorage() string {
	u := os.Getenv("MACHINABLE_STORAGE")
	if u == "" {
		return ""
	}
	cwd, _ := os.Getwd()
	return storage.AbsURL(u, cwd)
}

// warnNotKept says, after the summary, that results ran into memory and
// are gone when the command ends: ls, show and records read ./results,
// so a newcomer would otherwise look for them in vain.
func warnNotKept(w io.Writer, results []*runtime.Result, how string) {
	var urls []string
	seen := map[string]bool{}
	for _, r := range results {
		if r == nil || r.Dry || r.Execution == nil {
			continue
		}
		u := r.Execution.Storage
		if u == "" {
			u = "mem://"
		}
		if !strings.HasPrefix(u, "mem://") || seen[u] {
			continue
		}
		seen[u] = true
		urls = append(urls, u)
	}
	if len(urls) > 0 {
		fmt.Fprintf(w, "results were not kept (storage %s): %s\n", strings.Join(urls, ", "), how)
	}
}
