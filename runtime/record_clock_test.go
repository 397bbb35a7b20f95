package runtime

import (
	"testing"
	"time"
)

// TestRowClock: the rows' clock tells the time as time.Now does, on the
// wall clock and the monotonic one, and never goes back.
func TestRowClock(t *testing.T) {
	var c rowClock
	var prev time.Time
	for i := 0; i < 2000; i++ {
		before := time.Now()
		got := c.now()
		after := time.Now()
		if got.Before(before) || got.After(after) {
			t.Fatalf("row %d: %v, not between %v and %v", i, got, before, after)
		}
		// The wall clock alone (Round(0) drops the monotonic reading),
		// within a microsecond, the rows' precision: time.Now reads
		// the two clocks one after the other, some nanoseconds apart.
		lo, hi := before.Round(0).Add(-time.Microsecond), after.Round(0).Add(time.Microsecond)
		if w := got.Round(0); w.Before(lo) || w.After(hi) {
			t.Fatalf("row %d: wall %v, not between %v and %v", i, w, lo, hi)
		}
		if got.Before(prev) {
			t.Fatalf("row %d: %v before the previous row's %v", i, got, prev)
		}
		prev = got
		if i == 1000 {
			c.base = c.base.Add(-2 * resyncEvery) // as if a second had passed: read again
		}
	}
}
