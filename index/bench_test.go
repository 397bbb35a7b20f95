package index

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// benchIndex makes an index of 1,000 experiments of 100 components
// each, rows inserted through the index's own insert path.
func benchIndex(b *testing.B) *Index {
	b.Helper()
	root := b.TempDir()
	st, err := storage.Open(root)
	if err != nil {
		b.Fatal(err)
	}
	ix, err := open(st, filepath.Join(root, FileName), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.db.Close() })
	const exps, per = 1000, 100
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var rows []*expRow
	n := 0
	for e := 0; e < exps; e++ {
		id := fmt.Sprintf("E%05d", e)
		v, err := st.ViewFromIndex(storage.IndexedExperiment{Rel: id, ID: id, Seed: int64(e), Engine: "native", StartedAt: start.Add(time.Duration(e) * time.Minute)})
		if err != nil {
			b.Fatal(err)
		}
		r := &expRow{rel: id, view: v, complete: true}
		for c := 0; c < per; c++ {
			cfg, _ := json.Marshal(map[string]any{"learning_rate": float64(1+n%10) / 100, "batch_size": 16 << (n % 4), "data": map[string]any{"name": []string{"mnist", "cifar10", "imagenet"}[n%3]}})
			flags, _ := json.Marshal(map[string]any{"REPEAT_NUMBER": c % 3, "SEED": n})
			status := storage.StatusFinished
			if n%5 == 4 {
				status = storage.StatusFailed
			}
			t0 := start.Add(time.Duration(n) * time.Second)
			r.components = append(r.components, compRow{id: fmt.Sprintf("C%011d", n), name: "trainer", config: string(cfg), flags: string(flags),
				status: storage.Status{Status: status, StartedAt: &t0, FinishedAt: &t0}})
			n++
		}
		rows = append(rows, r)
	}
	tx, err := ix.db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	if err := insertExperiments(tx, rows); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return ix
}

func benchSearch(b *testing.B, where []string, want int) {
	ix := benchIndex(b)
	conds, err := ParseAll(where)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ms, err := ix.Search(context.Background(), conds, SearchOptions{NoRefresh: true})
		if err != nil {
			b.Fatal(err)
		}
		if len(ms) != want {
			b.Fatalf("%d matches, want %d", len(ms), want)
		}
	}
}

// 100,000 components; a config condition matching 10% of them.
func BenchmarkSearch100kConfig(b *testing.B) {
	benchSearch(b, []string{"config.learning_rate > 0.095"}, 10000)
}

// Two conditions, one on the status (an SQL index), matching 2%.
func BenchmarkSearch100kConfigStatus(b *testing.B) {
	benchSearch(b, []string{"config.data.name = cifar10", "status = failed", "config.batch_size >= 64"}, count(func(n int) bool { return n%3 == 1 && n%5 == 4 && n%4 >= 2 }))
}

// Narrow: one experiment's components.
func BenchmarkSearch100kExperiment(b *testing.B) {
	benchSearch(b, []string{"experiment = E00500"}, 100)
}

func count(keep func(n int) bool) int {
	c := 0
	for n := 0; n < 100000; n++ {
		if keep(n) {
			c++
		}
	}
	return c
}
