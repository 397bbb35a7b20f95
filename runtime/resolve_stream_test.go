package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"testing"
)

// streamPlans are plan shapes whose streamed schedule is compared with the
// reference resolution: repeats and splits with levels of k = 0 between
// them, experiment versions, nodes with sub-component alternatives, and
// sweeps both below and above variantCacheLimit.
func streamPlans() map[string]*Experiment {
	grid := func(key string, n int) Version {
		vs := make([]Version, n)
		for i := range vs {
			vs[i] = Patch(map[string]any{key: int64(i)})
		}
		return Iterate(vs...)
	}
	big := Merge(grid("a", 70), grid("b", 70)) // 4,900 > variantCacheLimit
	return map[string]*Experiment{
		"one":          NewExperiment().Component(ComponentSpec{Name: "n"}),
		"repeat-split": NewExperiment().Component(ComponentSpec{Name: "n", Version: grid("lr", 3)}).Repeat(2, "").Split(3, "FOLD").Component(ComponentSpec{Name: "s"}),
		"k0-between":   NewExperiment().Component(ComponentSpec{Name: "n"}).Repeat(2, "").Repeat(0, "").Repeat(3, "R").Split(2, ""),
		"k0-last":      NewExperiment().Component(ComponentSpec{Name: "n"}).Repeat(4, "").Repeat(0, ""),
		"same-names":   NewExperiment().Component(ComponentSpec{Name: "n"}).Repeat(2, "X").Repeat(3, "X"),
		"exp-versions": NewExperiment().Component(ComponentSpec{Name: "n", Version: grid("a", 3)}).Version(grid("b", 2)).Version(Patch(map[string]any{"c": true})).Repeat(2, ""),
		"node": NewExperiment().Node(ComponentSpec{Name: "n", Version: grid("a", 3)},
			ComponentSpec{Name: "s", Version: grid("b", 2)}, ComponentSpec{Name: "s", Version: Merge(grid("c", 2), grid("d", 2))}).Repeat(2, ""),
		"nested-cross":  NewExperiment().Component(ComponentSpec{Name: "n", Version: Merge(Iterate(grid("a", 2), Merge(grid("b", 2), grid("c", 3))), grid("d", 2), Patch(map[string]any{"e": "x"}))}),
		"empty-iterate": NewExperiment().Component(ComponentSpec{Name: "n", Version: Iterate()}).Component(ComponentSpec{Name: "s"}).Repeat(2, ""),
		"big-sweep":     NewExperiment().Component(ComponentSpec{Name: "n", Version: big}).Component(ComponentSpec{Name: "s"}).Repeat(2, ""),
		"big-node":      NewExperiment().Node(ComponentSpec{Name: "n", Version: grid("x", 2)}, ComponentSpec{Name: "s", Version: big}),
	}
}

func streamRegistry() *Registry {
	reg := NewRegistry()
	reg.Register("n", GoComponent{})
	reg.Register("s", GoComponent{})
	return reg
}

func TestStreamMatchesReference(t *testing.T) {
	ctx := context.Background()
	for name, plan := range streamPlans() {
		t.Run(name, func(t *testing.T) {
			want, err := (&Resolver{Registry: streamRegistry()}).resolveReference(ctx, plan, 7957417341)
			if err != nil {
				t.Fatal(err)
			}
			r := &Resolver{Registry: streamRegistry()}
			s, err := r.Stream(ctx, plan, 7957417341)
			if err != nil {
				t.Fatal(err)
			}
			if s.Total() != len(want) {
				t.Errorf("Total() = %d, want %d", s.Total(), len(want))
			}
			for i := 0; ; i++ {
				got, err := s.Next(ctx)
				if err == io.EOF {
					if i != len(want) {
						t.Fatalf("stream ended after %d components, want %d", i, len(want))
					}
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if i >= len(want) {
					t.Fatalf("stream yields more than %d components", len(want))
				}
				if g, w := mustJSON(t, got), mustJSON(t, want[i]); g != w {
					t.Fatalf("component %d:\n got %s\nwant %s", i, g, w)
				}
			}
		})
	}
}

// A component of a sweep owns its maps: changing one changes no other.
func TestStreamComponentsOwnTheirMaps(t *testing.T) {
	ctx := context.Background()
	plan := NewExperiment().Component(ComponentSpec{Name: "n", Version: Patch(map[string]any{"l": []any{int64(1)}})}).Repeat(2, "")
	sched, err := (&Resolver{Registry: streamRegistry()}).Resolve(ctx, plan, 7957417341)
	if err != nil {
		t.Fatal(err)
	}
	sched[0].Config["l"].([]any)[0] = int64(99)
	sched[0].Flags["X"] = 1
	if got := sched[1].Config["l"].([]any)[0]; got != int64(1) {
		t.Errorf("second repeat's config changed with the first: %v", got)
	}
	if _, ok := sched[1].Flags["X"]; ok {
		t.Error("second repeat's flags changed with the first")
	}
}

func TestStreamStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	plan := NewExperiment().Component(ComponentSpec{Name: "n"}).Repeat(5000, "")
	s, err := (&Resolver{Registry: streamRegistry()}).Stream(ctx, plan, 7957417341)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	n := 0
	for ; n < 5000; n++ {
		if _, err = s.Next(ctx); err != nil {
			break
		}
	}
	if err == nil || err == io.EOF || n > 1024 {
		t.Fatalf("after cancel: %d more components, then %v", n, err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(fmt.Errorf("marshal: %w", err))
	}
	return string(data)
}
