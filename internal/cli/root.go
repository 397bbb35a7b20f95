// Package cli is the machinable command line: it wires the component
// registry (Starlark loader), the engines and the executor once, so every
// command (and later the worker on a cluster node) builds the same runtime.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"go.starlark.net/starlark"
)

// Exit codes.
const (
	ExitOK     = 0 // everything ran and finished
	ExitFailed = 1 // a component failed
	ExitError  = 2 // the script, its input or the command line is wrong
	// ExitInterrupted: stopped by Ctrl-C or SIGTERM; `machinable resume`
	// continues.
	ExitInterrupted = 130
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// NewExecutor builds the standard executor: Starlark components, built-in
// engines, output to console.
func NewExecutor(console io.Writer) *executor.Executor {
	reg := runtime.NewRegistry()
	dsl.Register(reg)
	x := executor.New(reg, console)
	x.NewReporter = reporterFor(console)
	x.Ask = askOnTerminal(console)
	f, ok := console.(*os.File)
	x.Unattended = !ok || !isTerminal(f)
	return x
}

// Main runs the CLI with standard input and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	return MainIO(args, os.Stdin, stdout, stderr)
}

// MainIO runs the CLI and returns the exit code. Without arguments on a
// terminal it starts the REPL.
func MainIO(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if f, ok := stdin.(*os.File); len(args) == 0 && ok && isatty.IsTerminal(f.Fd()) {
		args = []string{"repl"}
	}
	var ctx context.Context
	if len(args) > 0 && (args[0] == "repl" || args[0] == "ui") {
		// The REPL handles Ctrl-C itself: it cancels one statement; ui
		// stops serving, with no components to stop.
		ctx = context.Background()
	} else {
		var stop func()
		ctx, stop = interruptible(stderr)
		defer stop()
	}
	root := &cobra.Command{
		Use:           "machinable",
		Short:         "Run experiments described in Starlark",
		Long:          "machinable runs experiments described in Starlark (.star) files: it resolves\nthe plan into components with config, flags and seeds, runs them on an engine\nand writes everything they produce to a storage under the experiment ID.",
		SilenceUsage:  true,
		SilenceErrors: true,
		// --version prints what `machinable version` prints.
		Version: versionText(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.Flags().BoolP("version", "v", false, "print the version (what machinable version prints)")
	// Without arguments: the usage; with an unknown command: its nearest.
	root.Args = rootArgs
	root.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	root.SetFlagErrorFunc(flagError)
	var noProgressFlag bool
	root.PersistentFlags().BoolVar(&noProgressFlag, "no-progress", false, "no live progress bar on a terminal: one plain line per finished component, as when the output is piped")
	defer withProgressFlag(stdout, &noProgressFlag)()
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	root.AddCommand(newRunCommand(stdout), newResumeCommand(stdout), newStatusCommand(stdout),
		newWorkerCommand(stdout), newRestoreCommand(stdout), newVersionCommand(stdout),
		newLsCommand(stdout), newShowCommand(stdout), newRecordsCommand(stdout), newConfigCommand(stdout), newLogCommand(stdout, stderr),
		newREPLCommand(stdin, stdout, stderr), newExecuteCommand(stdout), newInitCommand(stdout))
	root.AddCommand(newIndexCommand(stdout, stderr))
	root.AddCommand(newVendorCommand(stdout))
	root.AddCommand(newUICommand(stdout, stderr))
	strictHelp(root)
	addCompletions(root, stdout)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.code != ExitFailed && ee.code != ExitInterrupted {
			printError(stderr, ee.err)
		}
		return ee.code
	}
	printError(stderr, err)
	return ExitError
}

// interruptible returns a context that the first Ctrl-C or SIGTERM
// cancels (running components end as interrupted, nothing partial is
// marked finished); a second signal exits at once.
func interruptible(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "\n%v: stopping running components (press Ctrl-C again to exit at once)\n", s)
			cancel(fmt.Errorf("received %v", s))
		case <-done:
			return
		}
		select {
		case <-sigs:
			os.Exit(ExitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

// exitFor maps what a run produced to an exit code.
func exitFor(ctx context.Context, failed int) error {
	if ctx.Err() != nil {
		return &exitError{code: ExitInterrupted, err: context.Cause(ctx)}
	}
	if failed > 0 {
		return &exitError{code: ExitFailed, err: fmt.Errorf("%d component(s) failed", failed)}
	}
	return nil
}

// exitForResult maps an execution's result and error to an exit code.
func exitForResult(ctx context.Context, res *runtime.Result, err error) error {
	if err != nil && ctx.Err() == nil {
		return &exitError{code: ExitError, err: err}
	}
	failed := 0
	if res != nil {
		failed = len(res.Failed())
	}
	return exitFor(ctx, failed)
}

// printError shows Starlark errors with their backtrace (file:line:col).
func printError(w io.Writer, err error) {
	var evalErr *starlark.EvalError
	if errors.As(err, &evalErr) {
		fmt.Fprintln(w, dsl.ErrorText(evalErr))
		return
	}
	fmt.Fprintf(w, "error: %s\n", dsl.ErrorText(err))
}
