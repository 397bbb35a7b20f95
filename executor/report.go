package executor

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/runtime/project"
	"github.com/machinable-go/machinable/storage"
)

// Reporter shows an execution's progress. Finished may be called from
// several goroutines at once; implementations serialize.
type Reporter interface {
	// Begin is called first, before anything is written: the experiment
	// ID comes first on the console. where describes the storage location.
	Begin(ex *runtime.Execution, where string)
	// Resumed is called when the experiment existed: earlier finished
	// components are skipped, running ones left alone.
	Resumed(finished, running, pending int)
	// Started is called when a component starts running.
	Started(c *runtime.ScheduledComponent)
	// Finished is called as soon as a component ends.
	Finished(o runtime.Outcome)
	// End is called last with the whole result.
	End(r *runtime.Result, took time.Duration)
	// Output is where component print() and log lines go (nil: nowhere),
	// and warnings of the executor.
	Output() io.Writer
}

// PlainReporter writes one line per event: the experiment ID first, a line
// per finished component (failures with their error at once), a summary.
// It is what non-terminals get.
type PlainReporter struct {
	mu    sync.Mutex
	w     io.Writer
	out   io.Writer
	total int
	done  int
}

// NewPlainReporter reports to w (nil: quiet).
func NewPlainReporter(w io.Writer) *PlainReporter {
	r := &PlainReporter{w: w}
	if w != nil {
		r.out = &lockedWriter{w: w}
	}
	return r
}

func (r *PlainReporter) printf(format string, args ...any) {
	if r.w == nil {
		return
	}
	fmt.Fprintf(r.out, format, args...)
}

// Output implements Reporter.
func (r *PlainReporter) Output() io.Writer {
	if r.out == nil {
		return nil
	}
	return r.out
}

// Begin implements Reporter.
func (r *PlainReporter) Begin(ex *runtime.Execution, where string) {
	r.total = ex.Len()
	r.printf("Experiment %s (seed %d): %d component(s), engine %s, storage %s\n",
		ex.ExperimentID, ex.Seed, r.total, ex.Engine, where)
}

// Resumed implements Reporter.
func (r *PlainReporter) Resumed(finished, running, pending int) {
	r.mu.Lock()
	r.done = finished
	r.mu.Unlock()
	r.printf("Resuming: %d finished earlier (kept), %d running elsewhere (left alone), %d to run\n", finished, running, pending)
}

// Started implements Reporter.
func (r *PlainReporter) Started(c *runtime.ScheduledComponent) {}

// Finished implements Reporter.
func (r *PlainReporter) Finished(o runtime.Outcome) {
	r.mu.Lock()
	r.done++
	n := r.done
	r.mu.Unlock()
	line := fmt.Sprintf("[%d/%d] %s %s %s in %s", n, r.total, o.Component.ID, o.Component.Name, o.Status, o.Duration.Round(time.Microsecond))
	if o.Error != "" {
		line += ": " + ErrorSummary(o.Error)
	}
	r.printf("%s\n", line)
}

// End implements Reporter.
func (r *PlainReporter) End(res *runtime.Result, took time.Duration) {
	r.printf("%s\n", SummaryLine(res, took))
	for _, o := range res.Failed() {
		r.printf("  failed: %s %s: %s\n", o.Component.ID, o.Component.Name, ErrorSummary(o.Error))
	}
}

// SummaryLine is the last line of a run: what finished, was stopped,
// failed, ...
func SummaryLine(res *runtime.Result, took time.Duration) string {
	c := res.Counts()
	line := fmt.Sprintf("Experiment %s: %d finished", res.Execution.ExperimentID, c.Finished)
	if c.Stopped > 0 { // tuning trials ended early: not failures
		line += fmt.Sprintf(", %d stopped", c.Stopped)
	}
	line += fmt.Sprintf(", %d failed", c.Failed)
	if c.Interrupted > 0 {
		line += fmt.Sprintf(", %d interrupted", c.Interrupted)
	}
	if c.NotRun > 0 {
		line += fmt.Sprintf(", %d not run", c.NotRun)
	}
	if c.Running > 0 {
		line += fmt.Sprintf(", %d running elsewhere", c.Running)
	}
	if res.LeftRunning > 0 {
		line += fmt.Sprintf(", %d left running (detached)", res.LeftRunning)
	}
	return fmt.Sprintf("%s in %s", line, took.Round(time.Millisecond))
}

// AlsoReport returns a reporter that reports as r does and also writes
// to w each failure as it happens (the component and its whole error),
// each warning line, and the summary line. The CLI gives it stderr when stdout is not a
// terminal: output piped to a file or a pager still leaves what went
// wrong on the terminal, and in the error log of a batch job.
func AlsoReport(r Reporter, w io.Writer) Reporter {
	if w == nil {
		return r
	}
	return &alsoReporter{Reporter: r, w: &lockedWriter{w: w}}
}

type alsoReporter struct {
	Reporter
	w    io.Writer
	id   string
	once sync.Once
	out  io.Writer
}

// Output is r's output with its warning lines also written to w: the
// executor writes each warning ("warning: ...") whole, in one Write, to
// the output it shares with the components' print().
func (a *alsoReporter) Output() io.Writer {
	a.once.Do(func() {
		if out := a.Reporter.Output(); out != nil {
			a.out = &warningTee{Writer: out, also: a.w}
		}
	})
	return a.out
}

type warningTee struct {
	io.Writer
	also io.Writer
}

func (t *warningTee) Write(p []byte) (int, error) {
	n, err := t.Writer.Write(p)
	if bytes.HasPrefix(p, []byte("warning: ")) {
		t.also.Write(p) // the console's own errors are not the run's
	}
	return n, err
}

func (a *alsoReporter) Begin(ex *runtime.Execution, where string) {
	a.id = ex.ExperimentID
	a.Reporter.Begin(ex, where)
}

func (a *alsoReporter) Finished(o runtime.Outcome) {
	a.Reporter.Finished(o)
	if o.Status == storage.StatusFailed && !o.Previous {
		fmt.Fprintf(a.w, "component %s (%s) of experiment %s failed:\n%s\n", o.Component.ID, o.Component.Name, a.id, strings.TrimRight(o.Error, "\n"))
	}
}

func (a *alsoReporter) End(res *runtime.Result, took time.Duration) {
	a.Reporter.End(res, took)
	fmt.Fprintln(a.w, SummaryLine(res, took))
}

// PrintSchedule shows what a dry run would execute. A streamed schedule
// (Execution.Stream) is consumed; a component that does not resolve ends
// the listing with the error.
func PrintSchedule(w io.Writer, ex *runtime.Execution) {
	if err := printSchedule(context.Background(), w, ex); err != nil && w != nil {
		fmt.Fprintf(w, "error: %v\n", err)
	}
}

// printSchedule lists the schedule as it is resolved: the first line
// shows at once, whatever the size of the plan.
func printSchedule(ctx context.Context, w io.Writer, ex *runtime.Execution) error {
	if w == nil {
		return nil
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	defer bw.Flush()
	fmt.Fprintf(bw, "Experiment %s (seed %d): dry run of %d component(s), nothing is written\n", ex.ExperimentID, ex.Seed, ex.Len())
	flushed := time.Now()
	line := func(i int, c *runtime.ScheduledComponent) error {
		fmt.Fprintf(bw, "  [%d] %s %s config=%s flags=%s\n", i+1, c.ID, c.Name, compactJSON(project.Visible(c.Config)), compactJSON(c.Flags))
		for _, s := range c.Components {
			fmt.Fprintf(bw, "      + %s %s config=%s\n", s.ID, s.Name, compactJSON(project.Visible(s.Config)))
		}
		if i == 0 || time.Since(flushed) > 100*time.Millisecond { // seen as it comes
			flushed = time.Now()
			return bw.Flush()
		}
		return nil
	}
	if ex.Stream == nil {
		for i := range ex.Schedule {
			line(i, &ex.Schedule[i])
		}
		return nil
	}
	stream := ex.Stream
	ex.Stream = nil
	for i := 0; ; i++ {
		c, err := stream.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		line(i, &c)
	}
}
