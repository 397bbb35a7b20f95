package executor

import (
	"github.com/machinable-go/machinable/index"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// A storage that has a search index (see package index) has it kept up
// to date as experiments run: the experiment when it is written, each
// component when it starts and ends. The executor never starts an
// index, and a failed update is no failed run: the index is rebuilt or
// refreshed from the storage before it answers a search.

// noteExperiment records a just written experiment in its storage's index.
func noteExperiment(exp *storage.Experiment) {
	if ix := index.Existing(exp.Storage()); ix != nil {
		if rel, err := index.Rel(exp); err == nil {
			_ = ix.NoteExperiment(rel)
		}
	}
}

// noteStarted and noteDone wrap the engine's callbacks to record the
// component's status as stored.
func noteStarted(exp *storage.Experiment, next func(*runtime.ScheduledComponent)) func(*runtime.ScheduledComponent) {
	return func(c *runtime.ScheduledComponent) {
		noteStatus(exp, c)
		if next != nil {
			next(c)
		}
	}
}

func noteDone(exp *storage.Experiment, next func(runtime.Outcome)) func(runtime.Outcome) {
	return func(o runtime.Outcome) {
		noteStatus(exp, o.Component)
		if next != nil {
			next(o)
		}
	}
}

func noteStatus(exp *storage.Experiment, c *runtime.ScheduledComponent) {
	if c == nil {
		return
	}
	if ix := index.Existing(exp.Storage()); ix != nil {
		if rel, err := index.Rel(exp); err == nil {
			_ = ix.NoteStatus(rel, c.ID)
		}
	}
}
