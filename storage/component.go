package storage

import (
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/afero"
)

// Component is the directory of one component: its JSON files, status,
// logs, records and stored values.
type Component struct {
	fs    afero.Fs
	ID    string        // the component ID, also the directory's name
	Path  string        // the directory inside the storage's Fs
	flush time.Duration // object stores: how often appended files are written
	// describe names a path for messages (s3://bucket/key on S3).
	describe func(string) string

	mu      sync.Mutex
	records map[string]*RecordWriter
	files   []io.Closer
	// appended are the appended files written to by this process: on an
	// object store their first part may not be uploaded yet.
	appended map[string]bool
}

// readAppended returns the content of an appended or plain file of the
// component; a file never written is empty.
func (c *Component) readAppended(name string) ([]byte, error) {
	return readAppended(c.fs, filepath.Join(c.Path, name))
}

// OpenComponent opens the directory of an existing component.
func (e *Experiment) OpenComponent(id string) (*Component, error) {
	if err := CheckComponentID(id); err != nil {
		return nil, err
	}
	p := filepath.Join(e.Path, id)
	if fi, err := e.storage.Fs.Stat(p); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("component %s not found in experiment %s", id, e.ID)
	}
	return e.component(id, p), nil
}

// WriteJSON writes a file of the component once.
func (c *Component) WriteJSON(name string, v any) error {
	return writeJSON(c.fs, filepath.Join(c.Path, name), v, false)
}

// PutJSON writes (or replaces, atomically) a file of the component
// without looking whether it exists: for the files written right after
// status.json was created, which already guards the directory against a
// second writer.
func (c *Component) PutJSON(name string, v any) error {
	data, err := marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	p := filepath.Join(c.Path, name)
	if err := writeAtomic(c.fs, p, data, false); err != nil {
		return fmt.Errorf("write %s: %w", c.describe(p), err)
	}
	return nil
}

// ReadJSON decodes a file of the component into v.
func (c *Component) ReadJSON(name string, v any) error {
	return readJSON(c.fs, filepath.Join(c.Path, name), v)
}

// AppendFile returns a writer that appends to a file of the component
// (log.txt, output.log). The file is created on the first write, so a
// component that never logs costs no file; Close closes it.
func (c *Component) AppendFile(name string) io.Writer {
	return &lazyAppender{c: c, path: filepath.Join(c.Path, name)}
}

// lazyAppender opens its file on first write; writes are serialized so
// lines from several goroutines of a component do not interleave.
type lazyAppender struct {
	mu   sync.Mutex
	c    *Component
	path string
	f    io.WriteCloser
	err  error
}

// Write opens the file on first use and appends p; an open error is
// kept and returned by every later Write.
func (l *lazyAppender) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil && l.err == nil {
		l.f, l.err = appender(l.c.fs, l.path, l.c.flush, l.c.describe)
		if l.err == nil {
			l.c.mu.Lock()
			l.c.files = append(l.c.files, l.f)
			l.c.mu.Unlock()
		}
	}
	if l.err != nil {
		return 0, fmt.Errorf("open %s: %w", l.path, l.err)
	}
	n, err := l.f.Write(p)
	if n > 0 {
		l.c.mu.Lock()
		if l.c.appended == nil {
			l.c.appended = map[string]bool{}
		}
		l.c.appended[l.path] = true
		l.c.mu.Unlock()
	}
	return n, err
}

// wroteAppended reports whether this process appended to the file p of
// the component (rows of a record scope, log.txt, output.log).
func (c *Component) wroteAppended(p string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.appended[p] {
		return true
	}
	for _, w := range c.records {
		if filepath.Join(w.dir, w.Scope+".jsonl") == p && w.Rows() > 0 {
			return true
		}
	}
	return false
}

// ReadFile returns the content of a file of the component (appended
// files included, whatever the storage); a file never written is empty.
func (c *Component) ReadFile(name string) ([]byte, error) {
	return c.readAppended(name)
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
	w := &RecordWriter{fs: c.fs, dir: filepath.Join(c.Path, "records"), Scope: scope, flush: c.flush, describe: c.describe}
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

// LocalPath is the component's directory on the local file system, for
// programs that write files of their own; false on memory and object
// storages.
func (c *Component) LocalPath() (string, bool) {
	if isObjectStore(c.fs) || isMemory(c.fs) {
		return "", false
	}
	return c.Path, true
}
