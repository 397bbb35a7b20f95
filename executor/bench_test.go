package executor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"testing"

	"github.com/machinable-go/machinable/internal/s3test"
	"github.com/machinable-go/machinable/runtime"
)

// benchExecute runs plan b.N times (fresh seed each time) into storage
// URLs made by url(i) and reports the time per unit.
func benchExecute(b *testing.B, plan *runtime.Experiment, units int, unit string, url func(i int) string) {
	dir, _ := filepath.Abs("testdata/project")
	x := newExecutor(nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := x.Execute(context.Background(), runtime.ExecuteRequest{
			Plan: plan, Storage: url(i), Project: dir, Seed: int64(i),
		})
		if err != nil {
			b.Fatal(err)
		}
		if !res.OK() {
			b.Fatal(res.Failed()[0].Error)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*units)/1e6, "ms/"+unit)
}

// BenchmarkTrivialComponents: 1,000 trivial Starlark components run
// sequentially, to memory and to local disk.
func BenchmarkTrivialComponents(b *testing.B) {
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "trivial"}).Repeat(1000, "")
	b.Run("mem", func(b *testing.B) {
		benchExecute(b, plan, 1000, "component", func(i int) string { return fmt.Sprintf("mem://bench-trivial-%d", runCounter.Add(1)) })
	})
	b.Run("disk", func(b *testing.B) {
		root := benchDir(b)
		benchExecute(b, plan, 1000, "component", func(i int) string { return filepath.Join(root, fmt.Sprint(runCounter.Add(1))) })
	})
}

// BenchmarkRecordRows: one component saving record rows to disk: 100,000
// rows of two values (a step and a loss computed in the loop), and
// 1,000,000 rows of one value, which is all the loop does (the scale
// table's loop, where the rows' cost is most of the time).
func BenchmarkRecordRows(b *testing.B) {
	for _, c := range []struct {
		name string
		rows int
	}{{"rows", 100000}, {"counts", 1000000}} {
		b.Run(c.name, func(b *testing.B) {
			plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: c.name})
			root := benchDir(b)
			benchExecute(b, plan, c.rows, "row", func(i int) string { return filepath.Join(root, fmt.Sprint(runCounter.Add(1))) })
		})
	}
}

// benchDir is where disk benchmarks write: $MACHINABLE_BENCH_DIR if set
// (file creation speed differs a lot between file systems), else a
// temporary directory.
func benchDir(b *testing.B) string {
	if d := os.Getenv("MACHINABLE_BENCH_DIR"); d != "" {
		dir, err := os.MkdirTemp(d, "bench")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return b.TempDir()
}

// BenchmarkCPUBound: 8 CPU-bound Starlark components, sequential,
// native:2 and, on a machine with more cores, native:<cores>.
func BenchmarkCPUBound(b *testing.B) {
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "spin"}).Repeat(8, "")
	dir, _ := filepath.Abs("testdata/project")
	engines := []string{"native", "native:2"}
	if n := goruntime.NumCPU(); n > 2 {
		engines = append(engines, fmt.Sprintf("native:%d", n))
	}
	for _, engine := range engines {
		b.Run(engine, func(b *testing.B) {
			x := newExecutor(nil)
			for i := 0; i < b.N; i++ {
				res, err := x.Execute(context.Background(), runtime.ExecuteRequest{
					Plan: plan, Storage: fmt.Sprintf("mem://bench-cpu-%d", runCounter.Add(1)), Project: dir, Seed: int64(i), Engine: engine,
				})
				if err != nil || !res.OK() {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkS3: the 1,000-trivial-component experiment and the
// 100,000-row component against an S3 server (gofakes3, in-memory) over
// real HTTP on loopback.
func BenchmarkS3(b *testing.B) {
	srv := s3test.Start(b, "bench")
	b.Run("trivial-1000", func(b *testing.B) {
		plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "trivial"}).Repeat(1000, "")
		benchExecute(b, plan, 1000, "component", func(i int) string {
			return srv.URL(fmt.Sprintf("bench/t%d", runCounter.Add(1)))
		})
	})
	b.Run("rows-100000", func(b *testing.B) {
		plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "rows"})
		benchExecute(b, plan, 100000, "row", func(i int) string {
			return srv.URL(fmt.Sprintf("bench/r%d", runCounter.Add(1)))
		})
	})
}
