package engines

import (
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// finalOutcome turns a component's status, as engines that run components
// elsewhere read it from storage, into its outcome; ok is false while the
// component has not ended (queued, running, requeued).
func finalOutcome(sc *runtime.ScheduledComponent, st storage.Status) (runtime.Outcome, bool) {
	switch st.Status {
	case storage.StatusFinished, storage.StatusStopped, storage.StatusFailed, storage.StatusInterrupted:
		o := runtime.Outcome{Component: sc, Status: st.Status, Error: st.Error}
		if st.StartedAt != nil && st.FinishedAt != nil {
			o.Duration = st.FinishedAt.Sub(*st.StartedAt)
		}
		return o, true
	}
	return runtime.Outcome{}, false
}
