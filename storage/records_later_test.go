package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// numberEncoder writes {"n":stamp[0],"v":the first field's value}.
type numberEncoder struct{}

func (numberEncoder) EncodeRow(dst []byte, fields []Field, stamp RowStamp) []byte {
	dst = fmt.Appendf(dst, `{"n":%d,"v":`, stamp[0])
	dst, _ = AppendJSONValue(dst, fields[0].Value)
	return append(dst, '}')
}

// recordWriter is the default record writer of a component on disk.
func recordWriter(t testing.TB) (*Component, *RecordWriter) {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	exp, _ := s.CreateExperiment("", "8gWVkz")
	c, _ := exp.CreateComponent("e9DJBHuoiCvn")
	w, err := c.Records("default")
	if err != nil {
		t.Fatal(err)
	}
	return c, w
}

// TestAppendLaterOrder: rows queued with AppendLater and rows appended
// at once between them are written in the order they were given, all of
// them, whoever encodes them (the batch goroutine, the appending one past
// the queue's bound, a read, Sync, Close); a reader of the component sees
// every row appended before it read, and Rows counts them.
func TestAppendLaterOrder(t *testing.T) {
	c, w := recordWriter(t)
	const n = 3*laterMax + 17
	for i := range n {
		var err error
		switch {
		case i%5000 == 1:
			err = w.Append(map[string]any{"n": i, "v": "direct"})
		default:
			err = w.AppendLater(numberEncoder{}, []Field{{Key: "v", Value: int64(i)}}, RowStamp{int64(i)})
		}
		if err != nil {
			t.Fatal(err)
		}
		if i == laterBatch/2 || i == n/2 {
			rows, err := c.ReadRecords("default")
			if err != nil || len(rows) != i+1 {
				t.Fatalf("after row %d: a reader saw %d rows (%v)", i, len(rows), err)
			}
		}
	}
	if got := w.Rows(); got != n {
		t.Errorf("Rows() = %d, want %d", got, n)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(c.Path, "records", "default.jsonl"))
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	for i, line := range lines {
		want := fmt.Sprintf(`{"n":%d,"v":%d}`, i, i)
		if i%5000 == 1 {
			want = fmt.Sprintf(`{"n":%d,"v":"direct"}`, i)
		}
		if line != want {
			t.Fatalf("line %d: %s, want %s", i, line, want)
		}
	}
	if err := w.AppendLater(numberEncoder{}, []Field{{Key: "v", Value: 1}}, RowStamp{}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("a row queued after Close: %v", err)
	}
}

// TestAppendLaterReachesFile: a few rows, too few for a batch, reach the
// file within about RecordFlushEvery without anyone asking for them.
func TestAppendLaterReachesFile(t *testing.T) {
	c, w := recordWriter(t)
	defer c.Close()
	for i := range 3 {
		if err := w.AppendLater(numberEncoder{}, []Field{{Key: "v", Value: "x"}}, RowStamp{int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	waitForLines(t, filepath.Join(c.Path, "records", "default.jsonl"), 3, 5*time.Second)
}

// TestAppendLaterConcurrent: goroutines appending to one writer, some
// rows queued and some at once, while readers read: every row is written
// once, whole, each goroutine's in its order (run with -race).
func TestAppendLaterConcurrent(t *testing.T) {
	c, w := recordWriter(t)
	var wg sync.WaitGroup
	const per = 5000
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				var err error
				if i%97 == 0 {
					err = w.Append(map[string]any{"n": g*per + i, "v": "direct"})
				} else {
					err = w.AppendLater(numberEncoder{}, []Field{{Key: "v", Value: int64(g)}}, RowStamp{int64(g*per + i)})
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 20 {
			if _, err := c.ReadRecords("default"); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := c.ReadRecords("default")
	if err != nil || len(rows) != 4*per {
		t.Fatalf("%d rows, want %d (%v)", len(rows), 4*per, err)
	}
	seen := map[int64]bool{}
	last := map[int64]int64{} // each goroutine's rows in the order it gave them
	for _, r := range rows {
		n := r["n"].(int64)
		if seen[n] {
			t.Fatalf("row %d twice", n)
		}
		seen[n] = true
		if prev, ok := last[n/per]; ok && prev > n {
			t.Fatalf("row %d after %d", n, prev)
		}
		last[n/per] = n
	}
}

// flakyFile fails its writes while failing is set and keeps what it was
// given otherwise.
type flakyFile struct {
	mu      sync.Mutex
	failing bool
	data    []byte
}

func (f *flakyFile) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing {
		return 0, fmt.Errorf("disk full")
	}
	f.data = append(f.data, p...)
	return len(p), nil
}

func (f *flakyFile) Close() error { return nil }

func (f *flakyFile) set(failing bool) {
	f.mu.Lock()
	f.failing = failing
	f.mu.Unlock()
}

// TestAppendLaterWriteFails: a write that fails in the background is
// reported once, to a later AppendLater or to Sync, and loses no row:
// the rows stay buffered and are written, in order, once writes work.
func TestAppendLaterWriteFails(t *testing.T) {
	_, w := recordWriter(t)
	pad := strings.Repeat("x", 200) // a megabyte every 5,000 rows
	add := func(i int) error {
		return w.AppendLater(numberEncoder{}, []Field{{Key: "v", Value: pad}}, RowStamp{int64(i)})
	}
	if err := add(0); err != nil {
		t.Fatal(err)
	}
	file := &flakyFile{}
	w.mu.Lock()
	w.f = file // opened by the first row; now the disk fills up
	w.mu.Unlock()
	file.set(true)
	if err := w.Sync(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Sync on a full disk: %v", err)
	}
	// Rows while the disk is full, more than may wait: the appending
	// goroutine then encodes and writes them itself, and reports the
	// failure; none is dropped.
	const n = 3 * laterMax
	reported := 0
	for i := 1; i < n; i++ {
		if err := add(i); err != nil {
			if !strings.Contains(err.Error(), "disk full") {
				t.Fatal(err)
			}
			reported++
		}
	}
	time.Sleep(3 * RecordFlushEvery) // the timer's flush fails too
	file.set(false)
	if err := w.Sync(); err != nil && !strings.Contains(err.Error(), "disk full") {
		t.Fatal(err)
	}
	if err := w.Sync(); err != nil {
		t.Fatalf("Sync once the disk has room: %v", err)
	}
	if reported == 0 {
		t.Error("no append reported the failed background writes")
	}
	lines := strings.Split(strings.TrimSuffix(string(file.data), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d rows written, want %d", len(lines), n)
	}
	for i, line := range lines {
		if want := fmt.Sprintf(`{"n":%d,"v":"%s"}`, i, pad); line != want {
			t.Fatalf("line %d: %s, want %s", i, line, want)
		}
	}
}
