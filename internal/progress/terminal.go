package progress

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/vbauerster/mpb/v8"
)

// phase is where output goes: straight to the writer before the bar
// starts and after it ended, above the bar while it is live.
type phase int

const (
	before phase = iota
	live
	ended
)

// Terminal is the live display of one execution. Its methods and its
// Output may be called from several goroutines.
type Terminal struct {
	w     io.Writer
	paint painter
	opts  []mpb.ContainerOption

	// mu serializes events, bar updates and output. mpb's goroutines
	// never take it: the decorators read the counters below.
	mu      sync.Mutex
	plain   *executor.PlainReporter // words every line as plain mode does
	text    bytes.Buffer            // what plain wrote for the current event
	phase   phase
	p       *mpb.Progress
	bar     *mpb.Bar
	last    time.Time // start or previous finish: the ETA's samples
	partial []byte    // output after its last newline

	total int64
	counts
}

// counts are read by the decorators on mpb's goroutines.
type counts struct {
	done        atomic.Int64 // ended, any status, earlier runs included
	running     atomic.Int64
	failed      atomic.Int64
	stopped     atomic.Int64 // tuning trials their scheduler ended early
	interrupted atomic.Int64
	elsewhere   atomic.Int64 // running in another process (resumed)
	ranNow      atomic.Int64 // ended in this run
}

var _ executor.Reporter = (*Terminal)(nil)

// NewTerminal reports to w, a terminal, with colors when color is set. On
// a writer that is not a terminal every refresh appends the bar line (what
// the tests read); the CLI gives those executor.PlainReporter instead.
func NewTerminal(w io.Writer, color bool) executor.Reporter {
	return newTerminal(w, color)
}

// newTerminal takes extra mpb container options (tests: width, rate).
func newTerminal(w io.Writer, color bool, opts ...mpb.ContainerOption) *Terminal {
	t := &Terminal{w: w, paint: painter(color), opts: opts}
	t.plain = executor.NewPlainReporter(&t.text)
	return t
}

// Begin implements executor.Reporter: the experiment ID comes first.
func (t *Terminal) Begin(ex *runtime.Execution, where string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total = int64(ex.Len())
	t.plain.Begin(ex, where)
	t.emit(t.take())
}

// Resumed implements executor.Reporter: the bar starts at the components
// that finished earlier.
func (t *Terminal) Resumed(finished, running, pending int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.plain.Resumed(finished, running, pending)
	t.done.Store(int64(finished))
	t.elsewhere.Store(int64(running))
	t.start()
	if t.bar != nil {
		t.bar.SetCurrent(int64(finished))
	}
	t.emit(t.take())
}

// Started implements executor.Reporter.
func (t *Terminal) Started(c *runtime.ScheduledComponent) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.running.Add(1)
	t.start()
}

// Finished implements executor.Reporter: a component that failed or was
// interrupted is printed above the bar at once, in red; a trial stopped
// early is counted apart, not painted.
func (t *Terminal) Finished(o runtime.Outcome) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.plain.Finished(o)
	line := t.take()
	t.start()
	// The line first, the counts after: the bar redraws on its own
	// schedule, and must not show the failure counted before its line.
	// A stopped trial's Error is its scheduler's reason, not a failure.
	if o.Error != "" && o.Status != "stopped" || o.Status == "failed" || o.Status == "interrupted" {
		t.emit(t.paint.red(line))
	}
	concurrent := max(t.running.Load(), 1) // running when it ended, itself included
	if t.running.Load() > 0 {
		t.running.Add(-1)
	}
	switch o.Status {
	case "failed":
		t.failed.Add(1)
	case "stopped":
		t.stopped.Add(1)
	case "interrupted":
		t.interrupted.Add(1)
	}
	t.done.Add(1)
	t.ranNow.Add(1)
	if t.bar != nil {
		now := time.Now()
		interval := now.Sub(t.last)
		if t.ranNow.Load() == 1 {
			// The first finish comes a whole component's time after the
			// start, but with N running at once one finishes every 1/N of
			// that: otherwise the ETA starts N times too long.
			interval /= time.Duration(concurrent)
		}
		t.bar.EwmaIncrement(interval)
		t.last = now
	}
}

// End implements executor.Reporter: the bar is completed (or aborted when
// components did not run) and rendered a last time, then the summary.
func (t *Terminal) End(res *runtime.Result, took time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.phase == live {
		if len(t.partial) > 0 {
			t.partial = append(t.partial, '\n')
			t.emit(string(t.partial))
			t.partial = t.partial[:0]
		}
		// Complete when all are done, else abort (a no-op after completing):
		// either renders the bar a last time, with what was written above.
		t.bar.EnableTriggerComplete()
		t.bar.Abort(false)
		t.p.Wait()
	}
	t.phase = ended
	t.plain.End(res, took)
	t.emit(t.paint.redLines(t.take(), "  failed: "))
}

// Output implements executor.Reporter: lines written to it appear above
// the bar; a line is held back until its newline arrives.
func (t *Terminal) Output() io.Writer { return output{t} }

type output struct{ t *Terminal }

func (o output) Write(b []byte) (int, error) {
	t := o.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.phase != live {
		return t.w.Write(b)
	}
	t.partial = append(t.partial, b...)
	i := bytes.LastIndexByte(t.partial, '\n')
	if i < 0 {
		return len(b), nil
	}
	_, err := t.p.Write(t.partial[:i+1])
	t.partial = append(t.partial[:0], t.partial[i+1:]...)
	return len(b), err
}

// start shows the bar on the first event that changes it. Not earlier:
// after Begin the executor may still fail (and never call End).
func (t *Terminal) start() {
	if t.phase != before || t.total == 0 {
		return
	}
	opts := append([]mpb.ContainerOption{mpb.WithOutput(t.w), mpb.WithAutoRefresh()}, t.opts...)
	t.p = mpb.New(opts...)
	// Made with total 0 and given its total without the trigger: the bar
	// completes in End, not with the last component. mpb prints what was
	// written to the container at the next refresh, and Wait does not
	// refresh once the bar completed: output between the last component
	// and End would be lost.
	t.bar = t.p.New(0, mpb.BarStyle(),
		mpb.PrependDecorators(t.countDecorators()...),
		mpb.AppendDecorators(t.timeDecorators()...),
	)
	t.bar.SetTotal(t.total, false)
	t.last = time.Now()
	t.phase = live
}

// take returns and clears what plain wrote.
func (t *Terminal) take() string {
	s := t.text.String()
	t.text.Reset()
	return s
}

// emit prints s above the bar while it is live, else straight to w.
func (t *Terminal) emit(s string) {
	if s == "" {
		return
	}
	if t.phase == live {
		if _, err := t.p.Write([]byte(s)); err == nil {
			return
		}
	}
	_, _ = io.WriteString(t.w, s)
}
