package storage

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/spf13/afero"
)

// Record rows are buffered: a row reaches its file at most
// RecordFlushEvery after it was appended (sooner when RecordFlushSize
// bytes are waiting), and every row is on disk (fsynced) once the
// component ends. Rows are written whole, in order, and nothing earlier
// is ever rewritten; a process killed outright loses at most the rows of
// the last flush interval.
const (
	RecordFlushEvery = 100 * time.Millisecond
	RecordFlushSize  = 1 << 20
)

// RecordWriter appends rows to records/<scope>.jsonl, one JSON object a
// line, buffered as described at RecordFlushEvery.
type RecordWriter struct {
	Scope string // names the file: records/<Scope>.jsonl

	mu       sync.Mutex
	fs       afero.Fs
	dir      string
	flush    time.Duration
	describe func(string) string
	f        io.WriteCloser // opened on the first row
	closed   bool
	buf      []byte      // encoded rows not written yet
	timer    *time.Timer // armed while buf holds rows
	lastErr  error       // of a background flush, reported once
	rows     int

	later  laterQueue  // rows AppendLater queued, not encoded yet
	ahead  syncAhead   // an fsync started while rows are still written
	opened atomic.Bool // f is open: AppendLater need not take mu
	failed atomic.Bool // lastErr is set
}

// Append encodes one row into the buffer; it reaches the file within
// RecordFlushEvery. An error of an earlier background write is reported
// here once.
func (w *RecordWriter) Append(row map[string]any) error {
	keys := make([]string, 0, len(row))
	for k := range row {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return w.AppendSorted(row, keys)
}

// AppendSorted is Append for a caller that has the row's keys, sorted:
// every key of row, once each.
func (w *RecordWriter) AppendSorted(row map[string]any, keys []string) error {
	return w.append(func(dst []byte) ([]byte, error) { return appendRow(dst, row, keys) })
}

// AppendEncoded is Append for a caller that encodes the row itself:
// encode appends one JSON object (no newline) to dst, writing values
// with AppendJSONValue so that the bytes are Append's. A row saved a
// million times in a loop is encoded from a plan made once for its keys
// (runtime's record), with no map or field list per row.
func (w *RecordWriter) AppendEncoded(encode func(dst []byte) ([]byte, error)) error {
	return w.append(encode)
}

// append encodes one row into the buffer with encode, after the rows
// queued by AppendLater.
func (w *RecordWriter) append(encode func(dst []byte) ([]byte, error)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.openLocked(); err != nil {
		return err
	}
	w.drainLocked(false)
	n := len(w.buf)
	buf, err := encode(w.buf)
	if err != nil {
		w.buf = w.buf[:n]
		return fmt.Errorf("records %q: row %d: %w", w.Scope, w.rows, err)
	}
	w.buf = append(buf, '\n')
	w.rows++
	if err := w.encodedLocked(); err != nil {
		return err
	}
	return w.takeErrLocked()
}

// openLocked opens the file on the first row.
func (w *RecordWriter) openLocked() error {
	if w.closed {
		return fmt.Errorf("records %q: writer is closed", w.Scope)
	}
	if w.f != nil {
		return nil
	}
	if err := mkdirAll(w.fs, w.dir); err != nil {
		return fmt.Errorf("records %q: %w", w.Scope, err)
	}
	f, err := appender(w.fs, filepath.Join(w.dir, w.Scope+".jsonl"), w.flush, w.describe)
	if err != nil {
		return fmt.Errorf("records %q: %w", w.Scope, err)
	}
	w.f = f
	w.opened.Store(true)
	return nil
}

// encodedLocked writes the buffer once it is full, else makes sure the
// timer will.
func (w *RecordWriter) encodedLocked() error {
	if len(w.buf) >= RecordFlushSize {
		return w.writeLocked()
	}
	if w.timer == nil && len(w.buf) > 0 {
		w.timer = time.AfterFunc(RecordFlushEvery, w.background)
	}
	return nil
}

// takeErrLocked returns the error of an earlier background write, once.
func (w *RecordWriter) takeErrLocked() error {
	err := w.lastErr
	w.lastErr = nil
	w.failed.Store(false)
	return err
}

// failLocked keeps the error of a background write for the next caller.
func (w *RecordWriter) failLocked(err error) {
	if err != nil {
		w.lastErr = err
		w.failed.Store(true)
	}
}

// background is the timer's flush.
func (w *RecordWriter) background() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timer = nil
	if !w.closed {
		w.failLocked(w.writeLocked())
	}
}

// writeLocked writes the buffered rows in one write; on failure they
// stay buffered for the next try.
func (w *RecordWriter) writeLocked() error {
	w.drainLocked(false)
	if len(w.buf) == 0 || w.f == nil {
		return nil
	}
	if _, err := w.f.Write(w.buf); err != nil {
		return fmt.Errorf("records %q: %w", w.Scope, err)
	}
	n := len(w.buf)
	w.buf = w.buf[:0]
	if err := w.syncAheadLocked(n); err != nil {
		return fmt.Errorf("records %q: %w", w.Scope, err)
	}
	return nil
}

// Sync writes the buffered rows and makes them durable (fsync where the
// file system has it).
func (w *RecordWriter) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.syncLocked()
}

func (w *RecordWriter) syncLocked() error {
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	werr := w.writeLocked()
	aerr := w.ahead.finished(true) // Close must not close the file under it
	if werr != nil {
		return werr
	}
	err := w.takeErrLocked()
	if err == nil && aerr != nil {
		err = fmt.Errorf("records %q: %w", w.Scope, aerr)
	}
	if s, ok := w.f.(interface{ Sync() error }); ok && err == nil {
		if err = s.Sync(); err != nil {
			err = fmt.Errorf("records %q: %w", w.Scope, err)
		}
	}
	return err
}

// Rows is how many rows this writer appended.
func (w *RecordWriter) Rows() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.drainLocked(false)
	return w.rows
}

// Close writes and fsyncs what is buffered and closes the file; later
// appends fail.
func (w *RecordWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closeLater()
	w.closed = true
	if w.f == nil {
		return nil
	}
	err := w.syncLocked()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	return err
}

// SyncRecords writes every record row buffered so far and fsyncs it: a
// component's rows are all on disk before its final status says it ended.
func (c *Component) SyncRecords() error {
	c.mu.Lock()
	writers := make([]*RecordWriter, 0, len(c.records))
	for _, w := range c.records {
		writers = append(writers, w)
	}
	c.mu.Unlock()
	var first error
	for _, w := range writers {
		if err := w.Sync(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// ReadRecords returns every row of a scope.
func (c *Component) ReadRecords(scope string) ([]map[string]any, error) {
	if err := checkScope(scope); err != nil {
		return nil, err
	}
	// The component reading its own rows sees every row it appended.
	c.mu.Lock()
	w := c.records[scope]
	c.mu.Unlock()
	if w != nil {
		w.mu.Lock()
		err := w.writeLocked()
		w.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	data, err := readAppended(c.fs, filepath.Join(c.Path, "records", scope+".jsonl"))
	if err != nil {
		return nil, err
	}
	var rows []map[string]any
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var row map[string]any
		if err := jsonvalue.Unmarshal(line, &row); err != nil {
			return rows, fmt.Errorf("records %q line %d: %w", scope, i+1, err)
		}
		if row == nil { // a line "null": JSON leaves the map nil
			return rows, fmt.Errorf("records %q line %d: expected a JSON object (a row), got null", scope, i+1)
		}
		rows = append(rows, jsonvalue.NormalizeMap(row))
	}
	return rows, nil
}

// CheckScope refuses a record scope that is not a plain name.
func CheckScope(scope string) error { return checkScope(scope) }

func checkScope(scope string) error {
	if scope == "" || strings.ContainsAny(scope, "/\\\x00") || scope == "." || scope == ".." || !utf8.ValidString(scope) {
		return fmt.Errorf("record scope %q: expected a plain name such as \"default\" or \"validation\"", scope)
	}
	return nil
}
