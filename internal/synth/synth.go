// Package synth writes synthetic experiments into a local storage: the
// files a real run writes (execution.json, schedule.json, status.json per
// component), with generated IDs, configs and statuses, fast enough to
// make a storage of 100,000 components for benchmarks and tests of the
// search index and the web view. The experiments never ran: they have no
// logs, and records only when Options.Records asks for them.
package synth

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"time"
)

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// Options shape the generated storage.
type Options struct {
	Experiments   int       // how many experiments
	Components    int       // components per experiment
	Seed          int64     // of the generator: same seed, same storage
	Start         time.Time // first experiment's start; each next one a minute later
	FailEvery     int       // every n-th component failed (0: none)
	RunningEvery  int       // every n-th component running, heartbeat at Start (0: none)
	DirectoryEach int       // experiments in sub-directory "group-<k>" by groups of n (0: root)
	// Records is how many rows of records/default.jsonl each started
	// component gets (_iteration, loss, accuracy; a failed or running one
	// half of them); 0 writes none.
	Records int
	// Repeats makes groups of that many consecutive components share
	// their config, as repeats of one configuration do; 0 or 1: every
	// component has its own.
	Repeats int
}

// Write generates the experiments below root (made if missing) and
// returns their IDs in order. Files are created, never replaced: a root
// that already holds one of the generated IDs is an error.
func Write(root string, o Options) ([]string, error) {
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	r := rand.New(rand.NewSource(o.Seed))
	id := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		return string(b)
	}
	names := []string{"trainer", "evaluator", "baseline"}
	datasets := []string{"mnist", "cifar10", "imagenet"}
	var ids []string
	n := 0
	for e := 0; e < o.Experiments; e++ {
		eid := id(6)
		ids = append(ids, eid)
		dir := ""
		if o.DirectoryEach > 0 {
			dir = fmt.Sprintf("group-%d", e/o.DirectoryEach)
		}
		started := o.Start.Add(time.Duration(e) * time.Minute)
		seed := r.Int63n(1 << 32)
		p := filepath.Join(root, filepath.FromSlash(dir), eid)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.Mkdir(p, 0o755); err != nil {
			return nil, err
		}
		exec := map[string]any{
			"experiment_id": eid, "seed": seed, "engine": "native", "storage": root, "directory": dir,
			"project": "/synthetic", "started_at": started, "machinable_version": "synthetic",
			"code_version": map[string]any{"git": false},
			"plan":         map[string]any{"components": []any{map[string]any{"name": names[e%len(names)]}}},
		}
		var comps []any
		for c := 0; c < o.Components; c++ {
			cid := id(12)
			k, rep := n, int64(c%3)
			if o.Repeats > 1 {
				k, rep = n/o.Repeats, int64(c%o.Repeats)
			}
			cfg := map[string]any{
				"learning_rate": float64(1+(k%10)) / 100,
				"batch_size":    int64(16 << (k % 4)),
				"data":          map[string]any{"name": datasets[k%len(datasets)]},
			}
			comps = append(comps, map[string]any{
				"id": cid, "name": names[e%len(names)], "module": names[e%len(names)], "config": cfg,
				"flags": map[string]any{"COMPONENT_ID": cid, "EXPERIMENT_ID": eid, "GLOBAL_SEED": seed,
					"REPEAT_NUMBER": rep, "SEED": r.Int63n(1 << 32)},
			})
			if err := os.Mkdir(filepath.Join(p, cid), 0o755); err != nil {
				return nil, err
			}
			t0 := started.Add(time.Duration(c) * time.Second)
			t1 := t0.Add(500 * time.Millisecond)
			st := map[string]any{"status": "finished", "started_at": t0, "heartbeat_at": t1, "finished_at": t1}
			switch {
			case o.FailEvery > 0 && n%o.FailEvery == o.FailEvery-1:
				st["status"], st["error"] = "failed", "synthetic failure"
			case o.RunningEvery > 0 && n%o.RunningEvery == o.RunningEvery-1:
				st = map[string]any{"status": "running", "started_at": t0, "heartbeat_at": t0, "heartbeat_every": 10.0}
			}
			if err := create(filepath.Join(p, cid, "status.json"), st); err != nil {
				return nil, err
			}
			if rows := o.Records; rows > 0 {
				if st["status"] != "finished" {
					rows /= 2
				}
				lr := cfg["learning_rate"].(float64)
				if err := writeRecords(filepath.Join(p, cid), rows, lr, o.Seed+int64(n)); err != nil {
					return nil, err
				}
			}
			n++
		}
		if err := create(filepath.Join(p, "schedule.json"), map[string]any{"components": comps}); err != nil {
			return nil, err
		}
		// execution.json last: readers take its presence to mean the
		// experiment is there.
		if err := create(filepath.Join(p, "execution.json"), exec); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// writeRecords writes rows of a made-up training curve: a loss falling
// at a speed set by the learning rate, with noise, and an accuracy.
func writeRecords(dir string, rows int, lr float64, seed int64) error {
	if err := os.Mkdir(filepath.Join(dir, "records"), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, "records", "default.jsonl"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewSource(seed)) // its own: storages without records stay as they were
	w := bufio.NewWriterSize(f, 1<<16)
	loss := 2.0
	for i := 0; i < rows; i++ {
		loss *= 1 - lr*0.05*r.Float64()
		noisy := loss * (1 + 0.05*r.NormFloat64())
		fmt.Fprintf(w, "{\"_iteration\":%d,\"loss\":%g,\"accuracy\":%g}\n", i, noisy, 1-loss/2)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func create(p string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
