package progress

import (
	"fmt"
	"strconv"

	"github.com/vbauerster/mpb/v8/decor"
)

// countDecorators: "3/12 done  running 2  failed 1  queued 7", with
// stopped (tuning trials ended early), interrupted and running-elsewhere
// counts when there are any. Counts are
// padded to the width of the total so the bar does not jitter.
func (t *Terminal) countDecorators() []decor.Decorator {
	n := len(strconv.FormatInt(t.total, 10))
	count := func(label string, v func() int64) decor.Decorator {
		return decor.Any(func(decor.Statistics) string {
			return fmt.Sprintf("  %s %-*d", label, n, v())
		})
	}
	optional := func(label string, v func() int64) decor.Decorator {
		return decor.Any(func(decor.Statistics) string {
			if x := v(); x > 0 {
				return fmt.Sprintf("  %s %d", label, x)
			}
			return ""
		})
	}
	failed := decor.Meta(count("failed", t.failed.Load), func(s string) string {
		if t.failed.Load() > 0 {
			return t.paint.red(s)
		}
		return s
	})
	return []decor.Decorator{
		decor.Any(func(decor.Statistics) string {
			return fmt.Sprintf("%*d/%d done", n, t.done.Load(), t.total)
		}),
		count("running", t.running.Load),
		failed,
		optional("stopped", t.stopped.Load),
		optional("interrupted", t.interrupted.Load),
		optional("elsewhere", t.elsewhere.Load),
		count("queued", t.queued),
	}
}

// queued is what has not started: total minus ended, running here and
// running elsewhere.
func (t *Terminal) queued() int64 {
	return max(t.total-t.done.Load()-t.running.Load()-t.elsewhere.Load(), 0)
}

// timeDecorators: " 25 %  ETA 4s  elapsed 2s"; the ETA is an EWMA of the
// time between finishes, which is the time per component whether they run
// one at a time or in parallel (the first sample divided by how many ran
// at once; "?" before it), gone once the bar ended.
func (t *Terminal) timeDecorators() []decor.Decorator {
	return []decor.Decorator{
		decor.Percentage(decor.WC{W: 5}),
		eta{decor.MovingAverageETA(decor.ET_STYLE_GO, newEWMA(etaAge), nil), func() bool { return t.ranNow.Load() > 0 }},
		decor.Name("  elapsed "),
		decor.Elapsed(decor.ET_STYLE_GO),
	}
}

// eta wraps mpb's EWMA ETA: "  ETA 4s", "  ETA ?" while nothing has
// finished in this run, nothing once the bar is complete or aborted.
// Unwrap lets mpb find the EWMA decorator to feed it.
type eta struct {
	decor.Decorator
	known func() bool
}

const etaLabel = "  ETA "

func (e eta) Decor(s decor.Statistics) (string, int) {
	if s.Completed || s.Aborted {
		return "", 0
	}
	if !e.known() {
		return etaLabel + "?", len(etaLabel) + 1
	}
	str, width := e.Decorator.Decor(s)
	return etaLabel + str, len(etaLabel) + width
}

func (e eta) Unwrap() decor.Decorator { return e.Decorator }

// etaAge is the number of samples the ETA's average mostly remembers.
const etaAge = 8

// ewmaAverage is an exponentially weighted moving average that starts at
// its first sample. mpb's decor.EwmaETA does not fit a dozen components:
// its ewma.NewMovingAverage(age) reads 0 for the first 10 samples for any
// age but 30, and age 30 adapts slowly. It satisfies ewma.MovingAverage;
// mpb makes it safe for concurrent use.
type ewmaAverage struct {
	decay float64
	value float64
	set   bool
}

func newEWMA(age float64) *ewmaAverage { return &ewmaAverage{decay: 2 / (age + 1)} }

func (e *ewmaAverage) Add(v float64) {
	if !e.set {
		e.value, e.set = v, true
		return
	}
	e.value = v*e.decay + e.value*(1-e.decay)
}

func (e *ewmaAverage) Value() float64 { return e.value }

func (e *ewmaAverage) Set(v float64) { e.value, e.set = v, true }
