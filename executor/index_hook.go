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

// indexNotes records what a run writes in its storage's index. The index
// is looked up once, when the experiment is written, not on every
// component event; one made during the run catches up at its first
// search.
type indexNotes struct {
	ix  *index.Index // nil: the storage has no index
	rel string
}

// noteExperiment records a just written experiment in its storage's
// index, if it has one.
func noteExperiment(exp *storage.Experiment) indexNotes {
	ix := index.Existing(exp.Storage())
	if ix == nil {
		return indexNotes{}
	}
	rel, err := index.Rel(exp)
	if err != nil {
		return indexNotes{}
	}
	_ = ix.NoteExperiment(rel)
	return indexNotes{ix: ix, rel: rel}
}

// started and done wrap the engine's callbacks to record the component's
// status as stored.
func (n indexNotes) started(next func(*runtime.ScheduledComponent)) func(*runtime.ScheduledComponent) {
	if n.ix == nil {
		return next
	}
	return func(c *runtime.ScheduledComponent) {
		n.status(c)
		if next != nil {
			next(c)
		}
	}
}

func (n indexNotes) done(next func(runtime.Outcome)) func(runtime.Outcome) {
	if n.ix == nil {
		return next
	}
	return func(o runtime.Outcome) {
		n.status(o.Component)
		if next != nil {
			next(o)
		}
	}
}

func (n indexNotes) status(c *runtime.ScheduledComponent) {
	if c != nil {
		_ = n.ix.NoteStatus(n.rel, c.ID)
	}
}
