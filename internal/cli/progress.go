package cli

import (
	"io"
	"os"
	"sync"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/internal/progress"
	"github.com/mattn/go-isatty"
)

// reporterFor picks the progress display for a console: the live bar of
// internal/progress on a terminal, in color unless NO_COLOR is set (any
// value); plain lines otherwise, with --no-progress, and on TERM=dumb,
// which cannot move the cursor the bar redraws with.
func reporterFor(console io.Writer) func() executor.Reporter {
	live, color := display(console, isTerminal, os.LookupEnv)
	plain := func() executor.Reporter { return executor.NewPlainReporter(console) }
	if !live {
		return plain
	}
	return func() executor.Reporter {
		// Asked when the run begins: the flags are parsed by then, the
		// executor may have been made before.
		if progressOff(console) {
			return plain()
		}
		return progress.NewTerminal(console, color)
	}
}

// noProgress holds, for each console of a running Main, whether
// --no-progress was given. Keyed by the console, not global: tests run
// Main in-process, each with its own writers.
var noProgress sync.Map // *os.File → *bool

// withProgressFlag records where the --no-progress flag of a Main call
// for console is stored, until the returned function is called.
func withProgressFlag(console io.Writer, off *bool) func() {
	f, ok := console.(*os.File)
	if !ok {
		return func() {}
	}
	noProgress.Store(f, off)
	return func() { noProgress.CompareAndDelete(f, off) }
}

func progressOff(console io.Writer) bool {
	f, ok := console.(*os.File)
	if !ok {
		return false
	}
	off, ok := noProgress.Load(f)
	return ok && *off.(*bool)
}

// display decides from the console and the environment whether to draw
// the live display and whether in color.
func display(console io.Writer, terminal func(*os.File) bool, env func(string) (string, bool)) (live, color bool) {
	f, ok := console.(*os.File)
	if !ok || f == nil || !terminal(f) {
		return false, false
	}
	if term, _ := env("TERM"); term == "dumb" {
		return false, false
	}
	_, noColor := env("NO_COLOR")
	return true, !noColor
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}
