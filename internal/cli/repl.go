package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/machinable-go/machinable/dsl"
	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
)

func newREPLCommand(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var storage, engine, seed, project string
	cmd := &cobra.Command{
		Use:   "repl",
		Short: "An interactive Starlark prompt with the builtins of scripts",
		Long: `An interactive Starlark prompt in the context of the project of the current
directory, with the same builtins as scripts (Experiment, execute, Storage,
random, ...). execute() defaults to the mem:// storage, so results stay
queryable in the session: Storage("mem://").find(ID).

Multi-line input (def, for, if) ends with an empty line. Line editing and
history (kept in $MACHINABLE_HISTORY, default ~/.machinable_history), Tab
completes names and attributes. Ctrl-C cancels the running statement (or
the current input), Ctrl-D exits. Errors print their backtrace and the
session goes on.

Not on a terminal (machinable repl < session.star) it reads statements from
standard input without prompts and exits with status 1 if any failed.`,
		Example: `  machinable repl
  echo 'print(Experiment().component("optimization"))' | machinable repl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := dsl.REPLOptions{In: stdin, Out: stdout, Err: stderr}
			x := NewExecutor(stdout)
			s, err := userSettings(stderr)
			if err != nil {
				return err
			}
			x.Settings = s
			// The line editor owns standard input: after Ctrl-C the
			// cluster engines take their default (cancel) without asking.
			x.Ask = nil
			opts.Executor = x
			opts.Storage, opts.Project = storage, project
			if engine != "" {
				opts.Engine = engine
			}
			if seed != "" {
				s, err := parseSeedFlag(seed)
				if err != nil {
					return &exitError{code: ExitError, err: err}
				}
				opts.Seed = s
			}
			if f, ok := stdin.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
				opts.Interactive = true
				opts.HistoryFile = dsl.DefaultHistoryFile()
				fmt.Fprintln(stdout, "machinable REPL: Experiment(), execute(), Storage(), random, ... (Ctrl-D exits)")
			}
			failed, err := dsl.REPL(cmd.Context(), opts)
			if err != nil && cmd.Context().Err() == nil {
				return &exitError{code: ExitError, err: err}
			}
			if failed > 0 && !opts.Interactive {
				return &exitError{code: ExitFailed, err: fmt.Errorf("%d statement(s) failed", failed)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&storage, "storage", "", "storage for execute() (default mem://)")
	f.StringVar(&engine, "engine", "", "engine for execute()")
	f.StringVar(&seed, "seed", "", "seed for execute()")
	f.StringVar(&project, "project", "", "project directory (default: nearest machinable.yaml above the current directory)")
	return cmd
}
