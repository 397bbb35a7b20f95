package runtime

import (
	"context"
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
