package executor

import (
	"sync"
	"time"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// Trials that run in worker processes (engines.WorkerRunner: process:N,
// Slurm, ray per component) cannot call the judge: the executor reads their stored
// record rows while they run (trialWatch) and, to stop one, writes
// stop.json into its directory, which the worker's tuner (stopMarker)
// looks for when the trial saves a row. Decisions come within about a
// watch period of the row, not at once as in this process.

// stopFile is the marker of a stopped trial; it stays as the record of
// why its scheduler stopped it.
const stopFile = "stop.json"

// watchEvery is how often running trials' rows are read; checkEvery how
// often a worker looks for the marker.
const (
	watchEvery = 200 * time.Millisecond
	checkEvery = 200 * time.Millisecond
)

// trialWatch feeds the judge from the stored rows of running trials.
type trialWatch struct {
	judge *trialJudge
	exp   *storage.Experiment
	view  *storage.ExperimentView

	// reading is held through a read: the poll and an ended trial's
	// last read must not judge the same rows twice.
	reading sync.Mutex
	mu      sync.Mutex
	running map[string]int // trial ID -> record lines judged
	stopped map[string]bool
	quit    chan struct{}
	done    chan struct{}
}

// startTrialWatch watches the trials an engine reports started (Started)
// until they end (Done).
func startTrialWatch(judge *trialJudge, exp *storage.Experiment) (*trialWatch, error) {
	view, err := exp.View()
	if err != nil {
		return nil, err
	}
	w := &trialWatch{judge: judge, exp: exp, view: view, running: map[string]int{}, stopped: map[string]bool{},
		quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(watchEvery)
		defer tick.Stop()
		for {
			select {
			case <-w.quit:
				return
			case <-tick.C:
				w.poll()
			}
		}
	}()
	return w, nil
}

func (w *trialWatch) started(sc *runtime.ScheduledComponent) {
	w.mu.Lock()
	if _, ok := w.running[sc.ID]; !ok {
		w.running[sc.ID] = 0
	}
	w.mu.Unlock()
}

// ended reads a trial's last rows, so later decisions see all of them
// (also of a trial that ended before it was seen running).
func (w *trialWatch) ended(o runtime.Outcome) {
	w.started(o.Component)
	w.read(o.Component.ID, false)
	w.mu.Lock()
	delete(w.running, o.Component.ID)
	w.mu.Unlock()
}

func (w *trialWatch) stop() {
	close(w.quit)
	<-w.done
}

func (w *trialWatch) poll() {
	w.mu.Lock()
	ids := make([]string, 0, len(w.running))
	for id := range w.running {
		ids = append(ids, id)
	}
	w.mu.Unlock()
	for _, id := range ids {
		w.read(id, true)
	}
}

// read judges the rows of a trial not judged yet; with mark, a stop is
// written as the trial's marker once (not for a trial that has ended:
// its marker would say it stopped when it did not).
func (w *trialWatch) read(id string, mark bool) {
	w.reading.Lock()
	defer w.reading.Unlock()
	c := &storage.ComponentView{Experiment: w.view, ID: id}
	w.mu.Lock()
	seen, ok := w.running[id]
	w.mu.Unlock()
	if !ok {
		return
	}
	last := seen
	var stop *runtime.TrialStop
	_ = c.Records("default", func(row map[string]any) bool {
		last++
		if last <= seen {
			return true
		}
		if s := w.judge.Report(id, row); s != nil && stop == nil {
			stop = s
		}
		return true
	})
	w.mu.Lock()
	if _, still := w.running[id]; still {
		w.running[id] = last
	}
	first := mark && stop != nil && !w.stopped[id]
	if first {
		w.stopped[id] = true
	}
	w.mu.Unlock()
	if first {
		if comp, err := w.exp.OpenComponent(id); err == nil {
			_ = comp.PutJSON(stopFile, stop)
		}
	}
}

// stopMarker is the runtime.Tuner of a worker: it stops a trial once
// the executor has written the trial's marker.
type stopMarker struct {
	exp *storage.Experiment

	mu   sync.Mutex
	next map[string]time.Time // trial ID -> when to look again
}

// WorkerTuner is the tuner a worker process runs components of ex with:
// nil when ex is not tuned.
func WorkerTuner(ex *runtime.Execution, exp *storage.Experiment) runtime.Tuner {
	if ex == nil || ex.Plan == nil || ex.Plan.Tune == nil {
		return nil
	}
	return &stopMarker{exp: exp, next: map[string]time.Time{}}
}

func (m *stopMarker) Report(id string, _ map[string]any) *runtime.TrialStop {
	now := time.Now()
	m.mu.Lock()
	if now.Before(m.next[id]) {
		m.mu.Unlock()
		return nil
	}
	m.next[id] = now.Add(checkEvery)
	m.mu.Unlock()
	c, err := m.exp.OpenComponent(id)
	if err != nil {
		return nil
	}
	var stop runtime.TrialStop
	if ok, _ := c.HasFile(stopFile); !ok || c.ReadJSON(stopFile, &stop) != nil || stop.Reason == "" {
		return nil
	}
	return &stop
}
