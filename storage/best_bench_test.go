package storage

import (
	"fmt"
	"testing"
)

// BenchmarkBest ranks 100 components of 1,000 record rows each (a row as
// self.record.save() writes it, the metric every 10th row: a validation
// loss among training rows) on disk, as best("val_loss") and show --sort
// do; b.N rankings.
func BenchmarkBest(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	exp, _ := s.CreateExperiment("", "8gWVkz")
	var comps []map[string]any
	for i := range 100 {
		id := fmt.Sprintf("component%03d", i)
		c, _ := exp.CreateComponent(id)
		w, _ := c.Records("default")
		for r := range 1000 {
			row := map[string]any{"step": r, "loss": 1 / float64(r+i+1), "_timestamp": 1796008430.831372,
				"_time": "2026-11-30T05:00:00.000000+00:00", "_seconds_taken": int64(0), "_time_taken": "0.00 seconds"}
			if r%10 == 9 {
				row["val_loss"] = 2 / float64(r+i+1)
			}
			if err := w.Append(row); err != nil {
				b.Fatal(err)
			}
		}
		if err := c.SyncRecords(); err != nil {
			b.Fatal(err)
		}
		c.Close()
		comps = append(comps, map[string]any{"id": id, "name": "t"})
	}
	exp.WriteJSON("schedule.json", map[string]any{"components": comps})
	exp.WriteJSON("execution.json", map[string]any{"experiment_id": "8gWVkz"})
	v, err := exp.View()
	if err != nil {
		b.Fatal(err)
	}
	cs, err := v.Components()
	if err != nil {
		b.Fatal(err)
	}
	for _, metric := range []string{"val_loss", "loss"} {
		b.Run(metric, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				best, _, err := Best(cs, BestQuery{Metric: metric})
				if err != nil || best == nil || best.ID != "component099" {
					b.Fatalf("best %v, %v", best, err)
				}
			}
		})
	}
}
