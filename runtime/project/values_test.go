package project

import "testing"

func TestMerge(t *testing.T) {
	tests := []struct {
		name              string
		base, patch, want m
	}{
		{"maps merge recursively",
			m{"a": m{"x": 1, "y": 2}, "b": 1},
			m{"a": m{"y": 3, "z": 4}},
			m{"a": m{"x": 1, "y": 3, "z": 4}, "b": 1}},
		{"lists replace",
			m{"l": []any{1, 2, 3}},
			m{"l": []any{9}},
			m{"l": []any{9}}},
		{"nil replaces",
			m{"a": m{"x": 1}},
			m{"a": nil},
			m{"a": nil}},
		{"map replaces scalar",
			m{"a": 1},
			m{"a": m{"x": 1}},
			m{"a": m{"x": 1}}},
		{"scalar replaces map",
			m{"a": m{"x": 1}},
			m{"a": "flat"},
			m{"a": "flat"}},
		{"nil inputs", nil, nil, m{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			baseBefore, patchBefore := DeepCopy(tt.base), DeepCopy(tt.patch)
			got := Merge(tt.base, tt.patch)
			assertEqual(t, got, tt.want)
			if tt.base != nil {
				assertEqual(t, tt.base, baseBefore)
				assertEqual(t, tt.patch, patchBefore)
			}
		})
	}
}

// TestMergeSharesNothing checks that changing the result of Merge leaves
// both inputs alone.
func TestMergeSharesNothing(t *testing.T) {
	base := m{"a": m{"x": []any{1}}}
	patch := m{"b": m{"y": []any{2}}}
	got := Merge(base, patch)
	got["a"].(m)["x"].([]any)[0] = "changed"
	got["b"].(m)["y"].([]any)[0] = "changed"
	assertEqual(t, base, m{"a": m{"x": []any{1}}})
	assertEqual(t, patch, m{"b": m{"y": []any{2}}})
}

func TestVisible(t *testing.T) {
	config := m{
		"lr":      0.1,
		"_secret": "x",
		"model":   m{"_cache": 1, "width": 2},
		"layers":  []any{m{"_id": 1, "size": 3}, 4},
	}
	assertEqual(t, Visible(config), m{
		"lr":     0.1,
		"model":  m{"width": 2},
		"layers": []any{m{"size": 3}, 4},
	})
	// Hidden keys stay in the config itself.
	assertEqual(t, config["_secret"], "x")
	assertEqual(t, Visible(nil), m{})

	// Hidden keys from machinable.yaml reach the config, not the output.
	cfg, err := load(t, "basic").Config("optimization", nil)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, cfg["_secret"], "hidden")
	v := Visible(cfg)
	if _, ok := v["_secret"]; ok {
		t.Error("Visible kept _secret")
	}
	assertEqual(t, v["nested"], m{"outer": int64(2)})
}

func TestDeepCopy(t *testing.T) {
	orig := m{"a": []any{m{"b": 1}}, "s": "x"}
	cp := DeepCopy(orig).(m)
	cp["a"].([]any)[0].(m)["b"] = 2
	assertEqual(t, orig, m{"a": []any{m{"b": 1}}, "s": "x"})
	assertEqual(t, DeepCopy(int64(3)), int64(3))
	assertEqual(t, DeepCopy(nil), nil)
}
