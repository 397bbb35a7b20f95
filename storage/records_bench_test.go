package storage

import (
	"testing"
	"time"
)

// BenchmarkRecordAppend appends rows shaped as self.record.save() makes
// them (a value and the meta fields) to a file on disk.
func BenchmarkRecordAppend(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	exp, _ := s.CreateExperiment("", "8gWVkz")
	c, _ := exp.CreateComponent("e9DJBHuoiCvn")
	defer c.Close()
	w, _ := c.Records("default")
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		row := map[string]any{"i": i, "loss": 1 / float64(i+1), "_timestamp": float64(now.UnixMicro()) / 1e6,
			"_time": "2026-11-30T05:00:00.000000+00:00", "_seconds_taken": int64(0), "_time_taken": "0.00 seconds",
			"_total_seconds_taken": int64(3), "_total_time_taken": "3 seconds"}
		if err := w.Append(row); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.SyncRecords(); err != nil {
		b.Fatal(err)
	}
}
