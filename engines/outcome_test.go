package engines

import (
	"testing"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// TestFinalOutcomeStopped: a tuning trial its scheduler stopped early has
// ended, as finished has; running and requeued ones have not.
func TestFinalOutcomeStopped(t *testing.T) {
	sc := &runtime.ScheduledComponent{ID: "abc"}
	for status, final := range map[string]bool{
		storage.StatusStopped: true, storage.StatusFinished: true, storage.StatusFailed: true,
		storage.StatusRunning: false, storage.StatusRequeued: false, storage.StatusCreated: false,
	} {
		o, ok := finalOutcome(sc, storage.Status{Status: status})
		if ok != final || (ok && o.Status != status) {
			t.Errorf("finalOutcome(%q) = %q, %v; want final %v", status, o.Status, ok, final)
		}
	}
}
