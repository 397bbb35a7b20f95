package storage

import (
	"errors"
	"io/fs"
	"path/filepath"
	"time"
)

// Status values of a component.
const (
	StatusCreated  = "created"  // no status.json: read, never written
	StatusRunning  = "running"  // started; its heartbeat shows it is alive
	StatusFinished = "finished" // ran to the end without error
	StatusFailed   = "failed"   // ended with an error, a Go panic included
	// StatusInterrupted: stopped by Ctrl-C, SIGTERM or a cancelled context;
	// a resume runs it again.
	StatusInterrupted = "interrupted"
	// StatusRequeued: stopped before a cluster time limit, checkpoint
	// saved; the scheduler restarts it and it continues from there.
	StatusRequeued = "requeued"
	// StatusStopped: a tuning trial its scheduler (or a stop condition)
	// ended early; it keeps its records and is final, as finished is.
	StatusStopped = "stopped"
)

// Status is the content of status.json.
type Status struct {
	Status      string     `json:"status"`                 // a Status* value
	StartedAt   *time.Time `json:"started_at,omitempty"`   // first start, kept across requeues
	HeartbeatAt *time.Time `json:"heartbeat_at,omitempty"` // last beat, every HeartbeatEvery while running
	FinishedAt  *time.Time `json:"finished_at,omitempty"`  // nil while running or requeued
	Error       string     `json:"error,omitempty"`        // why it failed or was interrupted
	// Where it runs, so a reader on the same host can tell a killed
	// process at once, and how often the heartbeat beats, so any reader
	// can tell a stale one.
	Host           string  `json:"host,omitempty"`
	PID            int     `json:"pid,omitempty"`
	HeartbeatEvery float64 `json:"heartbeat_every,omitempty"` // seconds
	// PIDStart is when process PID started (Linux: clock ticks after
	// boot, field 22 of /proc/<pid>/stat) and BootID which boot of Host
	// that was, so a reader there can tell that process from a later one
	// with the same PID. Older files lack both: the heartbeat decides.
	PIDStart uint64 `json:"pid_start,omitempty"`
	BootID   string `json:"boot_id,omitempty"`
	// Checkpoint is what a requeued component saved last, handed to its
	// on_restore when it continues; Requeues counts its requeues.
	Checkpoint string `json:"checkpoint,omitempty"`
	Requeues   int    `json:"requeues,omitempty"`
}

// WriteStatus replaces status.json atomically; an end state is then
// appended to the experiment's journal (see journalName).
func (c *Component) WriteStatus(st Status) error {
	if err := writeJSON(c.fs, filepath.Join(c.Path, "status.json"), st, true); err != nil {
		return err
	}
	c.appendJournal(st)
	return nil
}

// ReadStatus reads status.json; a component without one is "created".
func (c *Component) ReadStatus() (Status, error) {
	var st Status
	err := c.ReadJSON("status.json", &st)
	if errors.Is(err, fs.ErrNotExist) {
		return Status{Status: StatusCreated}, nil
	}
	return st, err
}

// IsAlive reports whether a running component has beaten its heart within
// the given window; a crashed one goes stale.
func (st Status) IsAlive(now time.Time, window time.Duration) bool {
	return st.Status == StatusRunning && st.HeartbeatAt != nil && now.Sub(*st.HeartbeatAt) <= window
}

// Running reports whether a component with this status is still being
// run by some process (see Liveness). A killed run (kill -9, a crashed
// node, a reused PID) is not running: it is stale.
func (st Status) Running(now time.Time) bool {
	return st.Status == StatusRunning && st.Liveness(now).Alive
}

// State is the state of a component as `machinable status` shows it:
// queued (not started), running, stale (running, but its process is gone),
// finished, failed, interrupted.
func (st Status) State(now time.Time) string {
	switch {
	case st.Status == StatusCreated:
		return "queued"
	case st.Status == StatusRunning && !st.Running(now):
		return "stale"
	}
	return st.Status
}
