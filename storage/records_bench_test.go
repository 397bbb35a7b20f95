package storage

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkRecordAppend appends rows shaped as self.record.save() makes
// them (a value and the meta fields) to a file on disk.
func BenchmarkRecordAppend(b *testing.B) {
	c, w := recordWriter(b)
	defer c.Close()
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

// BenchmarkAppendLater queues rows as a record saved in a loop does: what
// the saving goroutine pays per row, the encoding being done on another.
func BenchmarkAppendLater(b *testing.B) {
	c, w := recordWriter(b)
	defer c.Close()
	fields := []Field{{Key: "i", Value: int64(1000)}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := w.AppendLater(stampEncoder{}, fields, RowStamp{int64(i)}); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.SyncRecords(); err != nil {
		b.Fatal(err)
	}
}

// stampEncoder writes {"n":stamp[0]}: an encoder as cheap as the
// template encoder of saved rows, so the queue keeps up.
type stampEncoder struct{}

func (stampEncoder) EncodeRow(dst []byte, _ []Field, stamp RowStamp) []byte {
	dst = append(dst, `{"n":`...)
	dst = strconv.AppendInt(dst, stamp[0], 10)
	return append(dst, '}')
}
