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
		// The wall clock alone (Round(0) drops the monotonic reading).
		if w := got.Round(0); w.Before(before.Round(0)) || w.After(after.Round(0)) {
			t.Fatalf("row %d: wall %v, not between %v and %v", i, w, before.Round(0), after.Round(0))
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
