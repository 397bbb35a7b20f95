package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchExperiment writes an experiment of n finished components as a
// run leaves them: a status.json each, a journal line each, and
// schedule.json.
func benchExperiment(b *testing.B, n int) *Experiment {
	b.Helper()
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	exp, err := s.CreateExperiment("", "8gWVkz")
	if err != nil {
		b.Fatal(err)
	}
	var comps []map[string]any
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("c%011d", i)
		now := time.Now().UTC()
		st := Status{Status: StatusFinished, StartedAt: &now, HeartbeatAt: &now, FinishedAt: &now, Host: "h", PID: 42, HeartbeatEvery: 10}
		if err := os.Mkdir(filepath.Join(exp.Path, id), 0o755); err != nil {
			b.Fatal(err)
		}
		data, _ := marshal(st)
		if err := os.WriteFile(filepath.Join(exp.Path, id, "status.json"), data, 0o644); err != nil {
			b.Fatal(err)
		}
		c := &Component{fs: s.Fs, ID: id, Path: filepath.Join(exp.Path, id)}
		c.appendJournal(st)
		comps = append(comps, map[string]any{"id": id, "name": "t"})
	}
	if err := exp.WriteJSON("schedule.json", map[string]any{"components": comps}); err != nil {
		b.Fatal(err)
	}
	if err := exp.WriteJSON("execution.json", map[string]any{"experiment_id": "8gWVkz"}); err != nil {
		b.Fatal(err)
	}
	return exp
}

// BenchmarkStatuses10k: reading schedule.json and the statuses of a
// finished experiment of 10,000 components, with the journal and (as
// for an experiment of an older release) without.
func BenchmarkStatuses10k(b *testing.B) {
	exp := benchExperiment(b, 10000)
	for _, journal := range []bool{true, false} {
		b.Run(fmt.Sprintf("journal=%v", journal), func(b *testing.B) {
			if !journal {
				if err := os.Rename(filepath.Join(exp.Path, journalName), filepath.Join(exp.Path, "journal.off")); err != nil {
					b.Fatal(err)
				}
				defer os.Rename(filepath.Join(exp.Path, "journal.off"), filepath.Join(exp.Path, journalName))
			}
			for b.Loop() {
				v, err := exp.View()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := v.Components(); err != nil {
					b.Fatal(err)
				}
				sts, err := v.Statuses()
				if err != nil || len(sts) != 10000 {
					b.Fatal(len(sts), err)
				}
			}
		})
	}
}
