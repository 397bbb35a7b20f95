package storage

import (
	"bytes"
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// The direct row encoder writes the bytes encoding/json wrote before it.
func TestAppendRowMatchesEncodingJSON(t *testing.T) {
	var all []byte
	for b := 0; b < 256; b++ {
		all = append(all, byte(b))
	}
	strs := []string{"", "plain", `q"uote`, `back\slash`, "tab\there", "<html>&", "é", "\u2028\u2029", string(all), "\x7f", "ctl\x01\x1f"}
	floats := []float64{0, -0.0, 1, -2, 1.5, 1e-7, 1e-6, 1e20, 1e21, 1e300, 123456789.125, -3.25e-9, math.SmallestNonzeroFloat64}
	rows := []map[string]any{{}, {"nil": nil, "t": true, "f": false}}
	for i, s := range strs {
		rows = append(rows, map[string]any{s: s, "i": i})
	}
	for _, f := range floats {
		rows = append(rows, map[string]any{"f": f, "n": int64(-7), "u": uint64(math.MaxUint64)})
	}
	rows = append(rows, map[string]any{"nested": map[string]any{"b": 2.0, "a": []any{1.0, "x", nil}}, "list": []any{3.0}, "num": json.Number("4")})
	many := map[string]any{}
	for i := 0; i < 40; i++ { // more keys than the encoder's stack array
		many[string(rune('A'+i))] = i
	}
	rows = append(rows, many)
	for _, row := range rows {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(jsonvalue.KeepFloatsMap(row)); err != nil {
			t.Fatal(err)
		}
		keys := slices.Sorted(maps.Keys(row))
		got, err := appendRow(nil, row, keys)
		if err != nil {
			t.Fatalf("%v: %v", row, err)
		}
		if string(got)+"\n" != want.String() {
			t.Errorf("row %v:\n got %s\nwant %s", row, got, want.String())
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), func() {}} {
		if _, err := appendRow(nil, map[string]any{"x": bad}, []string{"x"}); err == nil {
			t.Errorf("%v encoded", bad)
		}
	}
}

// A refused row leaves nothing behind: the rows around it are intact.
func TestRecordsRefusedRowLeavesNoTrace(t *testing.T) {
	_, c := newComponent(t)
	w, _ := c.Records("default")
	_ = w.Append(map[string]any{"i": 1})
	if err := w.Append(map[string]any{"a": "x", "z": math.NaN()}); err == nil {
		t.Fatal("NaN accepted")
	}
	_ = w.Append(map[string]any{"i": 2})
	if err := c.SyncRecords(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(c.Path, "records", "default.jsonl"))
	if string(data) != "{\"i\":1}\n{\"i\":2}\n" {
		t.Errorf("file %q", data)
	}
}

// Rows reach the file without Sync or Close, within the flush interval
// (waited for generously: the machine may be busy); Close writes the rest.
func TestRecordsReachFileWithoutSync(t *testing.T) {
	_, c := newComponent(t)
	w, _ := c.Records("default")
	for i := 0; i < 5; i++ {
		if err := w.Append(map[string]any{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	waitForLines(t, filepath.Join(c.Path, "records", "default.jsonl"), 5, 10*time.Second)
	_ = w.Append(map[string]any{"i": 5})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := c.ReadRecords("default")
	if err != nil || len(rows) != 6 {
		t.Errorf("after close: %d rows, %v", len(rows), err)
	}
}

// A buffer past RecordFlushSize is written at once, without the timer.
func TestRecordsLargeBufferWrittenAtOnce(t *testing.T) {
	_, c := newComponent(t)
	w, _ := c.Records("default")
	big := strings.Repeat("x", 4096)
	n := RecordFlushSize/len(big) + 1
	for i := 0; i < n; i++ {
		if err := w.Append(map[string]any{"s": big}); err != nil {
			t.Fatal(err)
		}
	}
	w.mu.Lock()
	left := len(w.buf)
	w.mu.Unlock()
	if left >= RecordFlushSize {
		t.Errorf("%d bytes still buffered", left)
	}
	fi, err := os.Stat(filepath.Join(c.Path, "records", "default.jsonl"))
	if err != nil || fi.Size() < RecordFlushSize {
		t.Errorf("file: %v %v", fi, err)
	}
}

// waitForLines waits until the file at path holds n lines, and fails the
// test if it does not within limit.
func waitForLines(t *testing.T, path string, n int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		data, _ := os.ReadFile(path)
		if strings.Count(string(data), "\n") == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v the file holds %q, not %d lines", limit, data, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
