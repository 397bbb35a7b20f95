package web

import (
	"sync"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// Counting an experiment's component states reads every status.json: a
// storage of 1,000 experiments of 100 components is 100,000 files, some
// seconds. So the experiments list answers with what it knows:
//   - an experiment counted before, whose components have all ended, is
//     shown as counted; after countTTL it is counted again in the
//     background (a resume may run it again);
//   - one with queued or running components is counted on every request;
//   - one never counted is counted in the background; the request waits
//     up to countWait for it, then answers with the row marked pending,
//     and the page asks again.

const (
	countTTL     = time.Minute
	countWait    = 500 * time.Millisecond
	countWorkers = 4 // experiments counted at once in the background
)

type countEntry struct {
	counts map[string]int
	err    error // why its components could not be read
	at     time.Time
}

type countCache struct {
	mu   sync.Mutex
	m    map[string]*countEntry   // by experiment directory
	busy map[string]chan struct{} // being counted; closed when done
	sem  chan struct{}
	wait time.Duration // how long a request waits for counts not known yet
}

func newCountCache() *countCache {
	return &countCache{m: map[string]*countEntry{}, busy: map[string]chan struct{}{},
		sem: make(chan struct{}, countWorkers), wait: countWait}
}

// ended reports whether no component can change state by itself.
func ended(counts map[string]int) bool {
	return counts["queued"] == 0 && counts["running"] == 0 && counts["requeued"] == 0
}

// lookup returns the counts of each experiment, nil where they are not
// known yet (being counted).
func (cc *countCache) lookup(exps []*storage.ExperimentView, now func() time.Time) []*countEntry {
	out := make([]*countEntry, len(exps))
	var running []int         // counted now
	var waits []chan struct{} // never counted: waited for a little
	cc.mu.Lock()
	for i, e := range exps {
		c := cc.m[e.Path()]
		switch {
		case c == nil:
			waits = append(waits, cc.countLater(e, now))
		case c.err == nil && !ended(c.counts):
			running = append(running, i)
		default:
			out[i] = c
			if now().Sub(c.at) > countTTL {
				cc.countLater(e, now)
			}
		}
	}
	cc.mu.Unlock()
	storage.Parallel(len(running), func(k int) {
		out[running[k]] = cc.count(exps[running[k]], now)
	})
	timeout := time.NewTimer(cc.wait)
	defer timeout.Stop()
wait:
	for _, done := range waits {
		select {
		case <-done:
		case <-timeout.C:
			break wait
		}
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for i, e := range exps {
		if out[i] == nil {
			out[i] = cc.m[e.Path()]
		}
	}
	return out
}

// count counts an experiment now and keeps the result.
func (cc *countCache) count(e *storage.ExperimentView, now func() time.Time) *countEntry {
	t := now()
	counts, err := e.Counts(t)
	c := &countEntry{counts: counts, err: err, at: t}
	cc.mu.Lock()
	cc.m[e.Path()] = c
	cc.mu.Unlock()
	return c
}

// countLater counts an experiment in the background, once at a time;
// the channel closes when it is done. cc.mu is held.
func (cc *countCache) countLater(e *storage.ExperimentView, now func() time.Time) chan struct{} {
	if done, ok := cc.busy[e.Path()]; ok {
		return done
	}
	done := make(chan struct{})
	cc.busy[e.Path()] = done
	go func() {
		cc.sem <- struct{}{}
		cc.count(e, now)
		<-cc.sem
		cc.mu.Lock()
		delete(cc.busy, e.Path())
		cc.mu.Unlock()
		close(done)
	}()
	return done
}
