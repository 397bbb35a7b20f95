package storage

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/spf13/afero"
)

// Component is the directory of one component: its JSON files, status,
// logs, records and stored values.
type Component struct {
	fs   afero.Fs
	ID   string
	Path string

	mu      sync.Mutex
	records map[string]*RecordWriter
	files   []io.Closer
}

// OpenComponent opens the directory of an existing component.
func (e *Experiment) OpenComponent(id string) (*Component, error) {
	p := filepath.Join(e.Path, id)
	if fi, err := e.storage.Fs.Stat(p); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("component %s not found in experiment %s", id, e.ID)
	}
	return &Component{fs: e.storage.Fs, ID: id, Path: p, records: map[string]*RecordWriter{}}, nil
}

// WriteJSON writes a file of the component once.
func (c *Component) WriteJSON(name string, v any) error {
	return writeJSON(c.fs, filepath.Join(c.Path, name), v, false)
}

// ReadJSON decodes a file of the component into v.
func (c *Component) ReadJSON(name string, v any) error {
	return readJSON(c.fs, filepath.Join(c.Path, name), v)
}

// AppendFile opens a file of the component for appending (log.txt,
// output.log). It is closed by Close.
func (c *Component) AppendFile(name string) (io.Writer, error) {
	f, err := c.fs.OpenFile(filepath.Join(c.Path, name), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	w := &syncWriter{w: f}
	c.mu.Lock()
	c.files = append(c.files, f)
	c.mu.Unlock()
	return w, nil
}

// ReadFile returns the content of a file of the component.
func (c *Component) ReadFile(name string) ([]byte, error) {
	return afero.ReadFile(c.fs, filepath.Join(c.Path, name))
}

// Records returns the writer of a record scope ("default" for self.record),
// creating records/<scope>.jsonl on first use.
func (c *Component) Records(scope string) (*RecordWriter, error) {
	if err := checkScope(scope); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if w, ok := c.records[scope]; ok {
		return w, nil
	}
	dir := filepath.Join(c.Path, "records")
	if err := c.fs.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := c.fs.OpenFile(filepath.Join(dir, scope+".jsonl"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("records %q: %w", scope, err)
	}
	w := &RecordWriter{f: f, Scope: scope}
	c.records[scope] = w
	return w, nil
}

// Close flushes and closes every file the component opened.
func (c *Component) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for _, w := range c.records {
		if err := w.Close(); err != nil && first == nil {
			first = err
		}
	}
	for _, f := range c.files {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	c.records = map[string]*RecordWriter{}
	c.files = nil
	return first
}

// syncWriter serializes writes so log lines from several goroutines of a
// component do not interleave.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
