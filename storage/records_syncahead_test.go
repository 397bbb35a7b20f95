package storage

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
)

// syncedFile is a real file that notes, at each fsync, how much of it
// had been written, and can be made to fail its fsyncs.
type syncedFile struct {
	*os.File
	mu      sync.Mutex
	written int
	syncs   []int // bytes written when each fsync began
	fail    error
}

func (f *syncedFile) Write(p []byte) (int, error) {
	n, err := f.File.Write(p)
	f.mu.Lock()
	f.written += n
	f.mu.Unlock()
	return n, err
}

func (f *syncedFile) Sync() error {
	f.mu.Lock()
	f.syncs = append(f.syncs, f.written)
	fail := f.fail
	f.mu.Unlock()
	if fail != nil {
		return fail
	}
	return f.File.Sync()
}

func syncAheadWriter(t *testing.T) (*RecordWriter, *syncedFile, string) {
	t.Helper()
	_, w := recordWriter(t)
	if err := w.AppendLater(numberEncoder{}, []Field{{Key: "v", Value: "first"}}, RowStamp{}); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	real := w.f.(*os.File) // opened by the first row
	f := &syncedFile{File: real}
	w.f = f
	w.mu.Unlock()
	return w, f, real.Name()
}

// TestRecordSyncAhead: a component writing many rows has them fsynced
// while it goes on (once RecordSyncAhead bytes are written since the last
// fsync began), so the fsync at its end has only the rest to do; every
// row is in the file after Close.
func TestRecordSyncAhead(t *testing.T) {
	w, f, name := syncAheadWriter(t)
	pad := strings.Repeat("x", 1000)
	n := 3*RecordSyncAhead/len(pad) + 10
	for i := 1; i < n; i++ {
		if err := w.AppendLater(numberEncoder{}, []Field{{Key: "v", Value: pad}}, RowStamp{int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	syncs, written := f.syncs, f.written
	f.mu.Unlock()
	if len(syncs) < 3 {
		t.Fatalf("fsyncs at %v bytes of %d: want some while rows were written, then one at the end", syncs, written)
	}
	if last := syncs[len(syncs)-1]; last != written {
		t.Errorf("the last fsync began at %d of %d bytes", last, written)
	}
	for i, at := range syncs[:len(syncs)-1] {
		if at < (i+1)*RecordSyncAhead {
			t.Errorf("fsync %d began at %d bytes, before %d were written", i, at, (i+1)*RecordSyncAhead)
		}
	}
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(data), "\n"); lines != n {
		t.Errorf("%d rows in the file, want %d", lines, n)
	}
}

// TestRecordSyncAheadFails: an fsync that fails while rows are written
// is reported, by a later Sync or Close, and no row is lost.
func TestRecordSyncAheadFails(t *testing.T) {
	w, f, name := syncAheadWriter(t)
	f.fail = errors.New("input/output error")
	pad := strings.Repeat("x", 1000)
	n := RecordSyncAhead/len(pad) + 10
	for i := 1; i < n; i++ {
		if err := w.AppendLater(numberEncoder{}, []Field{{Key: "v", Value: pad}}, RowStamp{int64(i)}); err != nil && !strings.Contains(err.Error(), "input/output error") {
			t.Fatal(err)
		}
	}
	err := w.Close()
	if err == nil || !strings.Contains(err.Error(), "input/output error") || !strings.Contains(err.Error(), `records "default"`) {
		t.Fatalf("Close after a failed fsync: %v", err)
	}
	data, rerr := os.ReadFile(name)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if lines := strings.Count(string(data), "\n"); lines != n {
		t.Errorf("%d rows in the file, want %d", lines, n)
	}
}
