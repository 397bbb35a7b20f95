package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/spf13/afero"
)

// RecordWriter appends rows to records/<scope>.jsonl, one JSON object a
// line. Each row is written with a single write so a crash never leaves a
// finished row half-written, and nothing earlier is ever rewritten.
type RecordWriter struct {
	Scope string // names the file: records/<Scope>.jsonl

	mu       sync.Mutex
	fs       afero.Fs
	dir      string
	flush    time.Duration
	describe func(string) string
	f        io.WriteCloser // opened on the first row
	closed   bool
	buf      bytes.Buffer
	rows     int
}

// Append writes one row.
func (w *RecordWriter) Append(row map[string]any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return fmt.Errorf("records %q: writer is closed", w.Scope)
	}
	if w.f == nil {
		if err := mkdirAll(w.fs, w.dir); err != nil {
			return fmt.Errorf("records %q: %w", w.Scope, err)
		}
		f, err := appender(w.fs, filepath.Join(w.dir, w.Scope+".jsonl"), w.flush, w.describe)
		if err != nil {
			return fmt.Errorf("records %q: %w", w.Scope, err)
		}
		w.f = f
	}
	w.buf.Reset()
	enc := json.NewEncoder(&w.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jsonvalue.KeepFloatsMap(row)); err != nil {
		return fmt.Errorf("records %q: row %d: %w", w.Scope, w.rows, err)
	}
	if _, err := w.f.Write(w.buf.Bytes()); err != nil {
		return fmt.Errorf("records %q: %w", w.Scope, err)
	}
	w.rows++
	return nil
}

// Rows is how many rows this writer appended.
func (w *RecordWriter) Rows() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rows
}

// Close closes the file; later appends fail.
func (w *RecordWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

// ReadRecords returns every row of a scope.
func (c *Component) ReadRecords(scope string) ([]map[string]any, error) {
	if err := checkScope(scope); err != nil {
		return nil, err
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
