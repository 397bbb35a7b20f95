package runtime

import (
	"context"
	"fmt"
	"io"
	"testing"
)

// BenchmarkResolveSweep resolves a 100-point grid repeated 100 times:
// 10,000 scheduled components, each drawing a SEED and a COMPONENT_ID,
// with a node of two sub-components per point (2.x's shapes).
func BenchmarkResolveSweep(b *testing.B) {
	reg := NewRegistry()
	reg.Register("n", GoComponent{})
	reg.Register("s", GoComponent{})
	grid := make([]Version, 100)
	for i := range grid {
		grid[i] = Patch(map[string]any{"lr": float64(i) / 100, "opt.momentum": 0.9})
	}
	plan := NewExperiment().Node(ComponentSpec{Name: "n", Version: Iterate(grid...)},
		ComponentSpec{Name: "s"}, ComponentSpec{Name: "s", Version: Patch(map[string]any{"w": int64(2)})}).
		Version(Patch(map[string]any{"shared": true})).Repeat(100, "")
	r := &Resolver{Registry: reg}
	b.ReportAllocs()
	for b.Loop() {
		sched, err := r.Resolve(context.Background(), plan, 7957417341)
		if err != nil || len(sched) != 10000 {
			b.Fatalf("%d components, %v", len(sched), err)
		}
	}
}

// BenchmarkStreamRepeat is the cost of one component of .repeat(1000000),
// streamed: a copy of the one resolved variant plus its seed and ID.
func BenchmarkStreamRepeat(b *testing.B) {
	benchStream(b, NewExperiment().Component(ComponentSpec{Name: "n"}).Repeat(1_000_000, ""))
}

// BenchmarkStreamCross is the cost of one component of a 100 x 100 x 100
// cross product: too many alternatives to keep, so each is resolved when
// it is reached.
func BenchmarkStreamCross(b *testing.B) {
	lists := make([]Version, 3)
	for l := range lists {
		vs := make([]Version, 100)
		for i := range vs {
			vs[i] = Patch(map[string]any{fmt.Sprintf("k%d", l): int64(i)})
		}
		lists[l] = Iterate(vs...)
	}
	benchStream(b, NewExperiment().Component(ComponentSpec{Name: "n", Version: Merge(lists...)}))
}

func benchStream(b *testing.B, plan *Experiment) {
	ctx := context.Background()
	reg := NewRegistry()
	reg.Register("n", GoComponent{})
	r := &Resolver{Registry: reg}
	s, err := r.Stream(ctx, plan, 7957417341)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Next(ctx); err == io.EOF {
			b.StopTimer()
			s, _ = r.Stream(ctx, plan, 7957417341)
			b.StartTimer()
		} else if err != nil {
			b.Fatal(err)
		}
	}
}
