package tune

import "testing"

// TestCall: every space, in memory and in its stored JSON form (as the
// plan reader gives it back), is written as the script's call; other
// values and malformed stored forms are not spaces.
func TestCall(t *testing.T) {
	for _, c := range []struct {
		space any
		want  string
	}{
		{Uniform{Lo: 0, Hi: 1}, "tune.uniform(0, 1)"},
		{QUniform{Lo: 0.5, Hi: 2.5, Q: 0.25}, "tune.quniform(0.5, 2.5, 0.25)"},
		{LogUniform{Lo: 1e-5, Hi: 0.1, Base: 10}, "tune.loguniform(1e-05, 0.1)"},
		{LogUniform{Lo: 1, Hi: 8, Base: 2}, "tune.loguniform(1, 8, base=2)"},
		{RandInt{Lo: 1, Hi: 5}, "tune.randint(1, 5)"},
		{Choice{Values: []any{"a", 2.0, int64(3)}}, `tune.choice(["a",2.0,3])`},
		{Grid{Values: []any{int64(32), int64(64)}}, "tune.grid_search([32,64])"},
		{map[string]any{TagKey: "uniform", "lower": 0.001, "upper": 0.1}, "tune.uniform(0.001, 0.1)"},
		{map[string]any{TagKey: "grid_search", "values": []any{"x"}}, `tune.grid_search(["x"])`},
	} {
		if got, ok := Call(c.space); !ok || got != c.want {
			t.Errorf("%#v: %q %v, want %q", c.space, got, ok, c.want)
		}
	}
	for _, v := range []any{1.5, "uniform", map[string]any{"lower": 0}, map[string]any{TagKey: "uniform", "lower": "x"}, []any{Uniform{}}} {
		if got, ok := Call(v); ok {
			t.Errorf("%#v written as a space: %q", v, got)
		}
	}
}
