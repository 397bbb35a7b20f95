package executor

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync"

	"github.com/machinable-go/machinable/engines"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// streamedRun feeds an engine that pulls (engines.Streamer) from a
// streamed schedule: each component is appended to schedule.jsonl as it
// is handed out, and only counters stay behind once it ends.
type streamedRun struct {
	sw     *storage.ScheduleWriter
	stream *runtime.ScheduleStream
	ended  bool // the stream gave its last component
	url    string

	mu       sync.Mutex
	finished int // outcomes "finished", counted as they come (Done)
	stopped  int // and "stopped"
}

// activeStreams holds the URLs of the experiments whose schedule this
// process is appending to: a resume in the same process waits for those
// alone, and completes the others (a writer that crashed).
var activeStreams sync.Map

// startStream opens schedule.jsonl and sets job up to pull from ex's
// stream.
func startStream(ctx context.Context, exp *storage.Experiment, ex *runtime.Execution, job *engines.Job) (*streamedRun, error) {
	sw, err := exp.AppendSchedule()
	if err != nil {
		return nil, err
	}
	s := &streamedRun{sw: sw, stream: ex.Stream, url: exp.URL()}
	activeStreams.Store(s.url, true)
	job.Components = nil
	job.Next = func() (*runtime.ScheduledComponent, error) {
		if s.ended {
			return nil, nil
		}
		sc, err := s.stream.Next(ctx)
		if errors.Is(err, io.EOF) {
			s.ended = true
			defer activeStreams.Delete(s.url)
			return nil, s.sw.Complete()
		}
		if err != nil {
			return nil, err
		}
		// Written before it runs: a component is never running without
		// its line (a crash loses at most the unsynced batch, which the
		// resume resolves again).
		if err := s.sw.Append(&sc); err != nil {
			return nil, err
		}
		return &sc, nil
	}
	done := job.Done
	job.Done = func(o runtime.Outcome) {
		s.mu.Lock()
		switch o.Status {
		case storage.StatusFinished:
			s.finished++
		case storage.StatusStopped:
			s.stopped++
		}
		s.mu.Unlock()
		if done != nil {
			done(o)
		}
	}
	return s, nil
}

// end closes schedule.jsonl when the run stopped before the stream's end
// (fail-fast, Ctrl-C, an error): it is marked stopped, and a resume
// completes it.
func (s *streamedRun) end() error {
	if s.ended {
		return nil
	}
	s.ended = true
	defer activeStreams.Delete(s.url)
	return s.sw.Stop()
}

// unkept counts the components that finished, and the trials that
// stopped, without their outcome being kept; raw are the outcomes the
// engine returned, before reconcile and checkIntact change any.
func (s *streamedRun) unkept(raw []runtime.Outcome) runtime.Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := runtime.Counts{Finished: s.finished, Stopped: s.stopped}
	for _, o := range raw {
		switch o.Status {
		case storage.StatusFinished:
			n.Finished--
		case storage.StatusStopped:
			n.Stopped--
		}
	}
	n.Finished, n.Stopped = max(n.Finished, 0), max(n.Stopped, 0)
	return n
}

// counts are the counts of every outcome: those kept (all that did not
// settle) and the unkept finished and stopped ones.
func counts(kept []runtime.Outcome, unkept runtime.Counts) *runtime.Counts {
	var c runtime.Counts
	for _, o := range kept {
		c.Add(o)
	}
	c.Finished += unkept.Finished
	c.Stopped += unkept.Stopped
	return &c
}

// lateWarnings adds to warnings those the stream's resolver found while
// streaming, after the ones said when the run began.
func lateWarnings(warnings []string, stream *runtime.ScheduleStream) []string {
	out := warnings
	for _, w := range stream.Warnings() {
		if !slices.Contains(out, w) {
			out = append(slices.Clip(out), w)
		}
	}
	return out
}
