package dsl

import "testing"

// TestSameMap: one map is the same as itself, whatever it holds; two
// maps of equal contents are not the same.
func TestSameMap(t *testing.T) {
	a := map[string]any{"lr": 0.1}
	b := map[string]any{"lr": 0.1}
	alias := a
	alias["scale"] = 10
	var none map[string]any
	cases := []struct {
		x, y map[string]any
		want bool
	}{
		{a, a, true}, {a, alias, true}, {a, b, false}, {none, none, true}, {a, none, false}, {none, map[string]any{}, false},
	}
	for i, c := range cases {
		if got := sameMap(c.x, c.y); got != c.want {
			t.Errorf("case %d: sameMap = %v, want %v", i, got, c.want)
		}
	}
}
