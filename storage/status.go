package storage

import (
	"errors"
	"io/fs"
	"path/filepath"
	"time"
)

// Status values of a component.
const (
	StatusCreated  = "created"
	StatusRunning  = "running"
	StatusFinished = "finished"
	StatusFailed   = "failed"
)

// Status is the content of status.json.
type Status struct {
	Status      string     `json:"status"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	HeartbeatAt *time.Time `json:"heartbeat_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	Error       string     `json:"error,omitempty"`
}

// WriteStatus replaces status.json atomically.
func (c *Component) WriteStatus(st Status) error {
	return writeJSON(c.fs, filepath.Join(c.Path, "status.json"), st, true)
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
