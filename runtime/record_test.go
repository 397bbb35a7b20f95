package runtime

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// TestDurationWords: the _time_taken words, as pendulum writes them in
// English (weeks and below).
func TestDurationWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                 "0 microseconds",
		250 * time.Millisecond:            "0.25 seconds",
		time.Second:                       "1 second",
		65 * time.Second:                  "1 minute 5 seconds",
		2*time.Hour + 3*time.Second:       "2 hours 3 seconds",
		8*24*time.Hour + time.Minute:      "1 week 1 day 1 minute",
		15*24*time.Hour + 2*time.Hour + 1: "2 weeks 1 day 2 hours",
	} {
		if got := DurationWords(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

// TestRecordTiming: iteration counts from the previous row, total from
// the first, avg divides total by the rows; before any row both count
// from the start of execution; an empty row is saved only when forced.
func TestRecordTiming(t *testing.T) {
	s, err := storage.Open("mem://" + t.Name())
	if err != nil {
		t.Fatal(err)
	}
	exp, err := s.CreateExperiment("", "8gWVkz")
	if err != nil {
		t.Fatal(err)
	}
	c, err := exp.CreateComponent("e9DJBHuoiCvn")
	if err != nil {
		t.Fatal(err)
	}
	w, _ := c.Records("default")
	self := &Self{Iteration: -1}
	r := newRecord(w, self)
	start := time.Now().Add(-10 * time.Second)
	self.executeStart.Store(start.UnixNano())
	if d, _ := r.Timing("total", start.Add(3*time.Second)); d != 3*time.Second {
		t.Errorf("before any row: %v", d)
	}
	if row, err := r.SaveRow(false); err != nil || len(row) != 0 {
		t.Fatalf("empty row saved: %v %v", row, err)
	}
	r.Set("a", 1)
	row, err := r.SaveRow(false)
	if err != nil {
		t.Fatal(err)
	}
	first := time.UnixMicro(int64(row["_timestamp"].(float64) * 1e6))
	if secs := row["_seconds_taken"].(int64); secs < 9 || secs > 11 {
		t.Errorf("_seconds_taken %d, want about 10 (since execution began)", secs)
	}
	if _, ok := row["_iteration"]; ok {
		t.Error("_iteration outside iterations")
	}
	forced, err := r.SaveRow(true)
	if err != nil || len(forced) != 6 {
		t.Fatalf("forced empty row: %v %v", forced, err)
	}
	end := first.Add(4 * time.Second)
	total, _ := r.Timing("total", end)
	avg, _ := r.Timing("avg", end)
	iter, _ := r.Timing("iteration", end)
	if total.Round(time.Millisecond) != 4*time.Second || avg != total/2 || iter >= total {
		t.Errorf("total %v avg %v iteration %v", total, avg, iter)
	}
	if _, err := r.Timing("weekly", end); err == nil {
		t.Error("unknown mode accepted")
	}
	if rows, _ := c.ReadRecords("default"); len(rows) != 2 {
		t.Errorf("%d rows stored, want 2", len(rows))
	}
}

// BenchmarkRecordSave is self.record["i"] = i; self.record.save() in Go:
// the meta fields, the encoding and the buffered append.
func BenchmarkRecordSave(b *testing.B) {
	s, err := storage.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	exp, _ := s.CreateExperiment("", "8gWVkz")
	c, _ := exp.CreateComponent("e9DJBHuoiCvn")
	defer c.Close()
	w, _ := c.Records("default")
	r := newRecord(w, nil)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Set("i", int64(i))
		if err := r.Save(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSaveRowKeys: the keys SaveRowKeys returns are the row's, sorted,
// whatever the component set (meta field names included), and _time is
// what time.Format writes.
func TestSaveRowKeys(t *testing.T) {
	s, _ := storage.Open("mem://" + t.Name())
	exp, _ := s.CreateExperiment("", "8gWVkz")
	c, _ := exp.CreateComponent("e9DJBHuoiCvn")
	w, _ := c.Records("default")
	self := &Self{Iteration: 3}
	r := newRecord(w, self)
	many := []string{}
	for c := 'z'; c >= 'a'; c-- { // more than a few, in reverse
		many = append(many, string(c))
	}
	for _, set := range [][]string{{}, {"b", "a"}, {"_time", "zz", "_iteration"}, {"_total_time_taken", "A", "~"}, many} {
		for _, k := range set {
			r.Set(k, 1)
		}
		row, keys, err := r.SaveRowKeys(true)
		if err != nil {
			t.Fatal(err)
		}
		if want := slices.Sorted(maps.Keys(row)); !slices.Equal(keys, want) {
			t.Errorf("set %v: keys %v, want %v", set, keys, want)
		}
		if _, ok := row["_time"].(string); !ok || row["_iteration"] != 1 && slices.Contains(set, "_iteration") {
			t.Errorf("set %v: _time %v, _iteration %v: the meta fields win, but for _iteration", set, row["_time"], row["_iteration"])
		}
	}
	for _, loc := range []*time.Location{time.UTC, time.FixedZone("x", -(3*3600 + 30*60)), time.FixedZone("y", 5*3600)} {
		for _, tm := range []time.Time{time.Date(2026, 11, 30, 5, 0, 0, 0, loc), time.Date(1999, 1, 2, 3, 4, 5, 123456789, loc), time.Date(2026, 11, 30, 5, 0, 0, 999999999, loc)} {
			if got, want := string(r.text.appendTime(nil, tm)), tm.Format("2006-01-02T15:04:05.000000-07:00"); got != want {
				t.Errorf("formatTime %q, want %q", got, want)
			}
		}
	}
}

// TestDurationWordsValue: the words made once are the words DurationWords
// writes, at every microsecond under a second and at the halves, where
// the float decides.
func TestDurationWordsValue(t *testing.T) {
	r := &Record{}
	for d := time.Duration(0); d < 2*time.Second; d += time.Microsecond {
		if got, want := r.text.durationWords(d), DurationWords(d); got != want {
			t.Fatalf("%v: %q, want %q", d, got, want)
		}
	}
	for cents := range 100 {
		d := time.Duration(cents)*10*time.Millisecond + 5*time.Millisecond
		for _, e := range []time.Duration{-1, 0, 1} {
			if got, want := r.text.durationWords(d+e), DurationWords(d+e); got != want {
				t.Errorf("%v: %q, want %q", d+e, got, want)
			}
		}
	}
	for _, d := range []time.Duration{time.Second, 59 * time.Second, time.Hour + time.Second, 3 * time.Second, time.Hour + time.Second, -time.Second} {
		if got, want := r.text.durationWords(d), DurationWords(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}
