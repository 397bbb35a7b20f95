package cli

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/executor"
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
$MACHINABLE_STORAGE, else default_storage of ~/.machinable/settings.yaml
(or the file $MACHINABLE_SETTINGS names), else mem:// (kept in memory only: the results are
gone when the run ends). A relative path in the script is relative to
the script's directory; on the command line and in $MACHINABLE_STORAGE
to the current directory.`,
		Example: `  machinable run experiment.star
  machinable run experiment.star --storage ./results --seed 42
  machinable run experiment.star --engine dry`,
		Args: oneArg("a script file (FILE.star)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			surviveClosedPipe()
			x, err := settingsExecutor(stdout, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			opts := dsl.Options{Executor: x, Stdout: stdout, Storage: storage, Project: project, FailFast: failFast,
				DefaultStorage: envStorage()}
			if err := checkStorageFlag(storage); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if err := checkProjectFlag(project); err != nil {
				return &exitError{code: ExitError, err: err}
			}
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
	f.StringVar(&storage, "storage", "", "storage URL (mem://, ./results, ~/results, file://...); default: the script's, else $MACHINABLE_STORAGE, else the settings' default_storage, else mem://")
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

var pipeOnce sync.Once

// surviveClosedPipe keeps a run going when its output is a pipe that
// closes early (machinable run x.star | head -2). Go kills a program that
// writes to a broken pipe on stdout or stderr unless SIGPIPE is handled
// (see os/signal); handled, the write fails with EPIPE instead, and the
// executor ignores console write errors. Notify rather than Ignore: an
// ignored signal would stay ignored in the commands components run.
func surviveClosedPipe() {
	pipeOnce.Do(func() {
		signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	})
}

// runExecutor is the executor of run, execute and resume. When stdout is
// not a terminal (a file, a pipe into a pager or a batch job's log), the
// failures and the summary line also go to stderr, so what went wrong
// still reaches the terminal or the error log; on a terminal once is
// enough, and so it is when both are the same file (2>&1).
func runExecutor(stdout, stderr io.Writer) *executor.Executor {
	x := NewExecutor(stdout)
	if !echoToStderr(stdout, stderr) {
		return x
	}
	newReporter := x.NewReporter
	x.NewReporter = func() executor.Reporter {
		var r executor.Reporter
		if newReporter != nil {
			r = newReporter()
		} else {
			r = executor.NewPlainReporter(x.Console)
		}
		return executor.AlsoReport(r, stderr)
	}
	return x
}

func echoToStderr(stdout, stderr io.Writer) bool {
	if stderr == nil || stdout == nil {
		return false
	}
	out, ok := stdout.(*os.File)
	if !ok {
		return true
	}
	if isTerminal(out) {
		return false
	}
	if errf, ok := stderr.(*os.File); ok {
		a, err1 := out.Stat()
		b, err2 := errf.Stat()
		if err1 == nil && err2 == nil && os.SameFile(a, b) {
			return false
		}
	}
	return true
}

// checkStorageFlag opens --storage before the script runs, so a bad one
// is reported as the flag's error, not at the script's execute() line
// (which would suggest the script is wrong).
func checkStorageFlag(url string) error {
	if url == "" {
		return nil
	}
	if _, err := storage.Open(url); err != nil {
		return fmt.Errorf("--storage %s: %s", url, strings.TrimPrefix(err.Error(), fmt.Sprintf("storage %q: ", url)))
	}
	return nil
}

// checkProjectFlag: --project must be a directory with machinable.yaml.
func checkProjectFlag(dir string) error {
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("--project %s: no such directory", dir)
	case !fi.IsDir():
		return fmt.Errorf("--project %s: not a directory (expected the directory with machinable.yaml)", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "machinable.yaml")); err != nil {
		return fmt.Errorf("--project %s: no machinable.yaml there", dir)
	}
	return nil
}
