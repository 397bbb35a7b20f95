package cli

import (
	"io"
	"os"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/internal/progress"
	"github.com/mattn/go-isatty"
)

// reporterFor picks the progress display for a console (SPEC §9): the
// live bar of internal/progress on a terminal, in color unless NO_COLOR
// is set (any value); plain lines otherwise, and on TERM=dumb, which
// cannot move the cursor the bar redraws with.
func reporterFor(console io.Writer) func() executor.Reporter {
	live, color := display(console, isTerminal, os.LookupEnv)
	if !live {
		return func() executor.Reporter { return executor.NewPlainReporter(console) }
	}
	return func() executor.Reporter { return progress.NewTerminal(console, color) }
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
