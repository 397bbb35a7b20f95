package project

import (
	"sync"
	"testing"
)

// TestConfig asserts resolved configurations, one feature of
// machinable.yaml per group of rows.
func TestConfig(t *testing.T) {
	basic := m{
		"lr": 0.01, "epochs": int64(10), "ratio": 0.5, "flag": true, "nothing": nil,
		"when": "2020-01-01", "1": "integer key", "true": "boolean key",
		"_secret": "hidden",
		"nested":  m{"_inner": int64(1), "outer": int64(2)},
		"layers":  []any{int64(1), 2.5, "three", []any{int64(4)}},
		"data":    m{"name": "mnist", "batch": int64(32)},
	}
	tests := []struct {
		name      string
		fixture   string
		component string
		patches   []Patch
		want      m
	}{
		// Plain values: integers are int64, non-string keys are strings,
		// timestamps stay text, hidden keys stay, versions are removed.
		{"plain values", "basic", "optimization", nil, basic},
		{"empty config", "basic", "empty", nil, m{}},
		{"bare list item", "basic", "bare", nil, m{}},
		// 2.0 keeps the versions applied by name in the config.
		{"version", "basic", "optimization", []Patch{{Version: "~cifar"}},
			Merge(basic, m{"data": m{"name": "cifar", "batch": int64(64)}, "~cifar": m{"data": m{"name": "cifar", "batch": int64(64)}}})},
		{"empty version", "basic", "optimization", []Patch{{Version: "~empty"}}, Merge(basic, m{"~empty": nil})},
		{"patches in order", "basic", "optimization",
			[]Patch{{Version: "~cifar"}, {Values: m{"data": m{"batch": 8}}}, {Version: "~mnist"}},
			Merge(basic, m{"data": m{"name": "mnist", "batch": int64(8)},
				"~cifar": m{"data": m{"name": "cifar", "batch": int64(64)}}, "~mnist": m{"data": m{"name": "mnist"}}})},
		{"values from Go are normalized", "basic", "empty",
			[]Patch{{Values: m{"n": 3, "u": uint8(7), "f": float32(0.5), "s": []string{"a"}, "ints": []int{1, 2}, "sm": map[string]int{"k": 1}, "big": uint64(1 << 63), "u64": uint64(5)}}},
			m{"n": int64(3), "u": int64(7), "f": 0.5, "s": []any{"a"}, "ints": []any{int64(1), int64(2)}, "sm": m{"k": int64(1)}, "big": float64(1 << 63), "u64": int64(5)}},
		{"patch replaces non-maps", "basic", "optimization", []Patch{{Values: m{"layers": []any{}, "data": nil}}},
			Merge(basic, m{"layers": []any{}, "data": nil})},
		{"zero patch changes nothing", "basic", "optimization", []Patch{{}}, basic},

		// components: as a mapping, YAML anchors and merge keys.
		{"mapping form", "mapping", "first", nil, m{"a": int64(1)}},
		{"mapping form empty", "mapping", "second", nil, m{}},
		{"merge keys", "mapping", "3rd", nil, m{
			"defaults": m{"x": int64(1), "y": int64(2)},
			"merged":   m{"x": int64(1), "y": int64(20)},
		}},

		// Groups prefix names; inheritance works across groups.
		{"group", "groups", "models.baseline", nil, m{"width": int64(32)}},
		{"group alias and parent", "groups", "resnet", nil, m{"width": int64(32), "depth": int64(50)}},
		{"group parent outside", "groups", "models.small", nil, m{"lr": 0.5}},

		// Inheritance: parent defaults, chains, aliases, inherited and
		// shadowed versions.
		{"inherit", "inheritance", "child", nil, m{"lr": 0.1, "model": m{"width": int64(32), "depth": int64(4)}}},
		{"inherit chain", "inheritance", "grandchild", nil,
			m{"lr": 0.1, "model": m{"width": int64(32), "depth": int64(4)}, "extra": true}},
		{"inherited version", "inheritance", "grandchild", []Patch{{Version: "~fast"}},
			m{"lr": 1.0, "model": m{"width": int64(32), "depth": int64(4)}, "extra": true, "~fast": m{"lr": 1.0}}},
		{"own version shadows parent's", "inheritance", "child", []Patch{{Version: "~small"}},
			m{"lr": 0.1, "model": m{"width": int64(4), "depth": int64(4)}, "~small": m{"model": m{"width": int64(4)}}}},
		{"parent's version on parent", "inheritance", "base", []Patch{{Version: "~small"}},
			m{"lr": 0.1, "model": m{"width": int64(8), "depth": int64(2)}, "~small": m{"model": m{"width": int64(8)}}}},
		{"alias with parent", "inheritance", "short", nil,
			m{"lr": 0.1, "model": m{"width": int64(32), "depth": int64(2)}, "tag": "aliased"}},
		{"by full name", "inheritance", "long.module.name", nil,
			m{"lr": 0.1, "model": m{"width": int64(32), "depth": int64(2)}, "tag": "aliased"}},
		{"parent given as alias", "inheritance", "via_alias", nil,
			m{"lr": 0.1, "model": m{"width": int64(32), "depth": int64(2)}, "tag": "aliased", "via": "alias"}},

		// References are resolved when the file is loaded: versions and
		// patches do not change what they gave.
		{"references", "references", "refs", nil, refsWant(64)},
		{"references before version", "references", "refs", []Patch{{Version: "~wide"}},
			Merge(refsWant(128), m{"width_copy": int64(64), "chain": int64(64), "from_root": int64(64), "in_list": []any{int64(64), int64(1)}, "~wide": m{"width": int64(128)}})},
		{"reference in a version", "references", "refs", []Patch{{Version: "~retarget"}},
			Merge(refsWant(64), m{"width_copy": 0.1, "~retarget": m{"width_copy": 0.1}})},
		{"version sees the component's own config", "references", "refs", []Patch{{Version: "~sees_own"}},
			Merge(refsWant(64), m{"doubled": int64(64), "nested": m{"lr": 0.1}, "~sees_own": m{"doubled": int64(64), "nested": m{"lr": 0.1}}})},
		{"a reference in a patch is a plain string", "references", "refs", []Patch{{Values: m{"lr": "$self.width"}}},
			Merge(refsWant(64), m{"lr": "$self.width"})},
		{"child inherits resolved values", "references", "inherits", nil,
			Merge(refsWant(64), m{"width": int64(16)})},
		{"child inherits resolved versions", "references", "inherits", []Patch{{Version: "~sees_own"}},
			Merge(refsWant(64), m{"width": int64(16), "doubled": int64(64), "nested": m{"lr": 0.1}, "~sees_own": m{"doubled": int64(64), "nested": m{"lr": 0.1}}})},

		// Includes.
		{"include whole config", "includes", "whole", nil, m{"lr": 0.5}},
		{"version from include", "includes", "whole", []Patch{{Version: "~fast"}}, m{"lr": int64(5), "~fast": m{"lr": int64(5)}}},
		{"nested includes", "includes", "nested", nil, m{
			"data":   m{"name": "mnist", "size": int64(60000)},
			"json":   m{"a": int64(1), "b": []any{1.5, "x"}, "big": int64(12345678901), "inc": m{"name": "mnist", "size": int64(60000)}},
			"deeper": m{"level": "outer", "inner": m{"level": "inner"}},
			"list":   []any{m{"name": "mnist", "size": int64(60000)}},
		}},
		{"explicit include tag", "includes", "tagged", nil, m{"data": m{"name": "mnist", "size": int64(60000)}}},
		{"include in patch", "includes", "whole", []Patch{{Values: m{"data": "$/configs/inner.yml"}}},
			m{"lr": 0.5, "data": m{"level": "inner"}}},
		{"reference into an included top-level value", "includes", "root_ref", nil, m{"name": "mnist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := load(t, tt.fixture).Config(tt.component, tt.patches)
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, got, tt.want)
		})
	}
}

// refsWant is the resolved config of the "refs" component of the
// references fixture for a given width; the references in it were
// resolved with width 64.
func refsWant(width int64) m {
	return m{
		"lr":         0.1,
		"first":      "a",
		"deep":       int64(42),
		"width":      width,
		"width_copy": width,
		"chain":      width,
		"from_root":  width,
		"block":      m{"x": m{"y": int64(42)}},
		"through":    int64(42),
		"in_list":    []any{width, int64(1)},
		"not_refs":   []any{"$HOME", "$self", "$", "price $.5", "a $self.x", "x$.y"},
	}
}

// TestConfigIsFresh checks that callers may modify what Config returns.
func TestConfigIsFresh(t *testing.T) {
	p := load(t, "references")
	patch := m{"extra": m{"k": []any{1}}}
	a, err := p.Config("refs", []Patch{{Values: patch}})
	if err != nil {
		t.Fatal(err)
	}
	a["block"].(m)["x"].(m)["y"] = "changed"
	a["in_list"].([]any)[0] = "changed"
	a["extra"].(m)["k"].([]any)[0] = "changed"
	b, err := p.Config("refs", nil)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, b, refsWant(64))
	assertEqual(t, patch, m{"extra": m{"k": []any{1}}})
}

// TestConfigConcurrent runs Config from many goroutines (go test -race).
func TestConfigConcurrent(t *testing.T) {
	p := load(t, "references")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got, err := p.Config("refs", []Patch{{Version: "~wide"}})
				if err != nil {
					t.Error(err)
					return
				}
				got["width"] = 0
			}
		})
	}
	wg.Wait()
}
