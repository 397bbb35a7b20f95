package cli

import (
	"io"

	"github.com/machinable-go/machinable/executor"
)

// reporterFor picks the progress display for a console: plain lines for
// now (the terminal display is being built in internal/progress).
func reporterFor(console io.Writer) func() executor.Reporter {
	return func() executor.Reporter { return executor.NewPlainReporter(console) }
}
