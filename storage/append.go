package storage

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/afero"
)

// Appended files (records/<scope>.jsonl, log.txt, output.log) are opened
// with O_APPEND on file systems and in memory. Object stores cannot
// append, so there the data is buffered and written every Flush as a new
// numbered part, NAME.parts/00000001, NAME.parts/00000002, ...: nothing
// earlier is ever rewritten, and a crash loses at most one flush interval.
// Readers see the base file followed by its parts in order.

// partsSuffix names the directory of an appended file's parts.
const partsSuffix = ".parts"

func isMemory(f afero.Fs) bool { _, ok := f.(*afero.MemMapFs); return ok }

// mkdirAll makes directories where they exist; on object stores a
// "directory" is only a key prefix, and a marker object per directory
// would cost a request each.
func mkdirAll(f afero.Fs, p string) error {
	if isObjectStore(f) {
		return nil
	}
	return f.MkdirAll(p, 0o755)
}

// appender returns the writer for an appended file: O_APPEND where the
// file system has it, a flushing parts writer on object stores.
func appender(f afero.Fs, p string, flush time.Duration, describe func(string) string) (io.WriteCloser, error) {
	if isObjectStore(f) {
		if flush <= 0 {
			flush = defaultFlush
		}
		w := &partsWriter{fs: f, dir: p + partsSuffix, every: flush, describe: describe}
		if err := w.findNext(); err != nil {
			return nil, err
		}
		return w, nil
	}
	return f.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
}

// partsWriter buffers writes and puts them as a new part at most every
// `every` (and on Close). A failed flush keeps the data for the next one
// and reports the error, naming the object.
type partsWriter struct {
	fs       afero.Fs
	dir      string
	every    time.Duration
	describe func(string) string // names an object in messages: s3://bucket/key

	mu      sync.Mutex
	buf     bytes.Buffer
	next    int
	timer   *time.Timer
	lastErr error
	closed  bool
}

// findNext continues after the parts an earlier writer left (a resumed
// component keeps its earlier parts under attempts/, but a scope written
// by two writers in one run must not collide).
func (w *partsWriter) findNext() error {
	w.next = 1
	entries, err := afero.ReadDir(w.fs, w.dir)
	if err != nil {
		return nil // no parts yet
	}
	for _, e := range entries {
		var n int
		if _, err := fmt.Sscanf(e.Name(), "%08d", &n); err == nil && n >= w.next {
			w.next = n + 1
		}
	}
	return nil
}

// Write buffers p and arms the flush timer; it reports an earlier
// background flush failure once.
func (w *partsWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, fmt.Errorf("write %s: closed", w.dir)
	}
	w.buf.Write(p)
	if w.timer == nil {
		w.timer = time.AfterFunc(w.every, func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.timer = nil
			if !w.closed {
				w.lastErr = w.flushLocked()
			}
		})
	}
	// Report an earlier background failure once, so the component learns
	// that its data is not reaching the store.
	err := w.lastErr
	w.lastErr = nil
	if err != nil {
		return len(p), err
	}
	return len(p), nil
}

// flushLocked writes the buffer as the next part.
func (w *partsWriter) flushLocked() error {
	if w.buf.Len() == 0 {
		return nil
	}
	name := filepath.Join(w.dir, fmt.Sprintf("%08d", w.next))
	if err := afero.WriteFile(w.fs, name, w.buf.Bytes(), 0o644); err != nil {
		if w.describe != nil {
			name = w.describe(name)
		}
		return fmt.Errorf("write %s: %w", name, err)
	}
	w.next++
	w.buf.Reset()
	return nil
}

// Flush writes what is buffered now.
func (w *partsWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

// Close stops the timer and writes what is left as a last part.
func (w *partsWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	w.closed = true
	return w.flushLocked()
}

// openAppended opens an appended file for reading: the base file, then
// its parts in order. A file never written reads as empty (fs.ErrNotExist
// is returned when neither exists).
func openAppended(f afero.Fs, p string) (io.ReadCloser, error) {
	var readers []io.Reader
	var closers []io.Closer
	if base, err := f.Open(p); err == nil {
		if fi, err := base.Stat(); err == nil && !fi.IsDir() {
			readers, closers = append(readers, base), append(closers, base)
		} else {
			base.Close()
		}
	}
	parts, _ := afero.ReadDir(f, p+partsSuffix)
	names := make([]string, 0, len(parts))
	for _, e := range parts {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		part, err := f.Open(filepath.Join(p+partsSuffix, n))
		if err != nil {
			for _, c := range closers {
				c.Close()
			}
			return nil, err
		}
		readers, closers = append(readers, part), append(closers, part)
	}
	if len(readers) == 0 {
		return nil, fs.ErrNotExist
	}
	return multiReadCloser{Reader: io.MultiReader(readers...), closers: closers}, nil
}

type multiReadCloser struct {
	io.Reader
	closers []io.Closer
}

// Close closes the base file and every part, returning the first error.
func (m multiReadCloser) Close() error {
	var first error
	for _, c := range m.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// readAppended returns the whole content of an appended file; a file
// never written is empty.
func readAppended(f afero.Fs, p string) ([]byte, error) {
	r, err := openAppended(f, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// appendedNames lists the appended files in dir with the given suffix
// (".jsonl"), whether stored whole or as parts.
func appendedNames(f afero.Fs, dir, suffix string) []string {
	entries, _ := afero.ReadDir(f, dir)
	seen := map[string]bool{}
	var out []string
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), partsSuffix)
		if !strings.HasSuffix(name, suffix) || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
