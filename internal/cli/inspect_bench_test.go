package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// The inspecting commands on one large experiment: 10,000 components with
// 100 record rows each, written directly with the storage writer API.
//
// Writing a million rows into 10,000 directories takes a while, so the
// storage is generated once and kept between runs in
// $MACHINABLE_BENCH_DIR (else the system's temporary directory) under
// benchStorageName; a marker file tells a complete one. Delete that
// directory to reclaim the space (about 250 MB on disk).

const (
	benchComponents  = 10000
	benchRows        = 100
	benchExperiment  = "BeNch1"
	benchStorageName = "machinable-bench-inspect-10000x100-v1"
	benchComplete    = ".complete"
)

var (
	benchOnce    sync.Once
	benchStorage string
	benchErr     error
)

func benchComponentID(i int) string { return fmt.Sprintf("c%011d", i) }

// inspectBenchStorage returns the storage of the large experiment,
// generating it on first use.
func inspectBenchStorage(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		root := os.Getenv("MACHINABLE_BENCH_DIR")
		if root == "" {
			root = os.TempDir()
		}
		dir := filepath.Join(root, benchStorageName)
		benchStorage = dir
		if _, err := os.Stat(filepath.Join(dir, benchComplete)); err == nil {
			return
		}
		if err := os.RemoveAll(dir); err != nil {
			benchErr = err
			return
		}
		start := time.Now()
		benchErr = generateBenchStorage(dir)
		if benchErr == nil {
			benchErr = os.WriteFile(filepath.Join(dir, benchComplete), nil, 0o644)
		}
		b.Logf("generated %d components x %d rows in %s (%v)", benchComponents, benchRows, dir, time.Since(start).Round(time.Millisecond))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStorage
}

func generateBenchStorage(dir string) error {
	st, err := storage.Open(dir)
	if err != nil {
		return err
	}
	exp, err := st.CreateExperiment("", benchExperiment)
	if err != nil {
		return err
	}
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err = exp.WriteJSON("execution.json", runtime.Execution{
		ExperimentID: benchExperiment, Seed: 42, Engine: "native:8", Storage: dir,
		Project: "/bench/project", StartedAt: started, Version: "bench",
	})
	if err != nil {
		return err
	}
	sched := runtime.ScheduleFile{Components: make([]runtime.ScheduledComponent, benchComponents)}
	for i := range sched.Components {
		id := benchComponentID(i)
		sched.Components[i] = runtime.ScheduledComponent{
			ID: id, Name: "optimization", Module: "optimization",
			Config: map[string]any{
				"learning_rate": 0.001 * float64(1+i%10), "iterations": int64(benchRows),
				"data": map[string]any{"name": "cifar10"}, "_private": "hidden",
			},
			Flags: map[string]any{
				"COMPONENT_ID": id, "EXPERIMENT_ID": benchExperiment, "GLOBAL_SEED": int64(42),
				"SEED": int64(1000 + i), "REPEAT_NUMBER": int64(i), "REPEAT_TOTAL": int64(benchComponents),
			},
		}
	}
	if err := exp.WriteJSON("schedule.json", sched); err != nil {
		return err
	}
	errs := make(chan error, benchComponents)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs <- generateBenchComponent(exp, i, started)
			}
		}()
	}
	for i := 0; i < benchComponents; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func generateBenchComponent(exp *storage.Experiment, i int, started time.Time) error {
	c, err := exp.CreateComponent(benchComponentID(i))
	if err != nil {
		return err
	}
	defer c.Close()
	w, err := c.Records("default")
	if err != nil {
		return err
	}
	loss := 1.0
	for j := 0; j < benchRows; j++ {
		loss *= 0.99
		err := w.Append(map[string]any{
			"loss": loss, "accuracy": 1 - loss, "_iteration": int64(j),
			"_time": started.Add(time.Duration(i*benchRows+j) * time.Millisecond).Format(time.RFC3339Nano),
		})
		if err != nil {
			return err
		}
	}
	t0, t1 := started.Add(time.Duration(i)*time.Second), started.Add(time.Duration(i+1)*time.Second)
	st := storage.Status{Status: storage.StatusFinished, StartedAt: &t0, HeartbeatAt: &t1, FinishedAt: &t1, Host: "bench", HeartbeatEvery: 10}
	switch i % 100 {
	case 7:
		st.Status, st.Error = storage.StatusFailed, "boom"
	case 8:
		st.Status, st.FinishedAt = storage.StatusRunning, nil // a stale one: its heartbeat is long gone
	}
	return c.WriteStatus(st)
}

func benchMain(b *testing.B, args ...string) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code := Main(args, io.Discard, io.Discard); code != 0 {
			b.Fatalf("machinable %v: exit %d", args, code)
		}
	}
}

// BenchmarkLs lists a storage holding the experiment of 10,000 components
// (reading every component's status; target: under 300 ms).
func BenchmarkLs(b *testing.B) {
	dir := inspectBenchStorage(b)
	benchMain(b, "ls", dir)
}

// BenchmarkShow summarizes the experiment: 10,000 statuses and the key
// config values of 10,000 components (target: under 300 ms).
func BenchmarkShow(b *testing.B) {
	dir := inspectBenchStorage(b)
	benchMain(b, "show", benchExperiment, "--storage", dir)
}

// BenchmarkRecordsOneComponent prints the 100 rows of one of the 10,000
// components (target: under 50 ms).
func BenchmarkRecordsOneComponent(b *testing.B) {
	dir := inspectBenchStorage(b)
	benchMain(b, "records", benchExperiment+"/"+benchComponentID(4321), "--storage", dir)
}

// BenchmarkLsManyExperiments lists a storage of 10,000 experiments with
// one component each (target: well under a second). The storage is made
// once per run in a temporary directory.
func BenchmarkLsManyExperiments(b *testing.B) {
	root := b.TempDir()
	if d := os.Getenv("MACHINABLE_BENCH_DIR"); d != "" {
		var err error
		if root, err = os.MkdirTemp(d, "ls-many"); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(root) })
	}
	st, err := storage.Open(root)
	if err != nil {
		b.Fatal(err)
	}
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := 0; i < 10000; i++ {
		id := fmt.Sprintf("E%05d", i)
		exp, err := st.CreateExperiment(fmt.Sprintf("sweep%d", i%10), id)
		if err != nil {
			b.Fatal(err)
		}
		cid := benchComponentID(i)
		exp.WriteJSON("execution.json", runtime.Execution{ExperimentID: id, Seed: int64(i), Engine: "native", StartedAt: started.Add(time.Duration(i) * time.Second)})
		exp.WriteJSON("schedule.json", runtime.ScheduleFile{Components: []runtime.ScheduledComponent{{ID: cid, Name: "trivial"}}})
		c, err := exp.CreateComponent(cid)
		if err != nil {
			b.Fatal(err)
		}
		c.WriteStatus(storage.Status{Status: storage.StatusFinished, StartedAt: &started, FinishedAt: &started})
	}
	benchMain(b, "ls", root)
}
