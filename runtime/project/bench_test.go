package project

import "testing"

// BenchmarkConfig resolves a component with a parent, two patches (a
// named version and values) and references to the root and to itself.
func BenchmarkConfig(b *testing.B) {
	p := load(b, "bench")
	patches := []Patch{{Version: "~wide"}, {Values: map[string]any{"lr": 0.5, "data": map[string]any{"batch": 64}}}}
	cfg, err := p.Config("child", patches)
	if err != nil {
		b.Fatal(err)
	}
	// References were resolved when the file was loaded, before the
	// patches: they keep the values of machinable.yaml.
	if got := cfg["optimizer"].(map[string]any)["lr"]; got != 0.1 {
		b.Fatalf("optimizer.lr = %v, want 0.1", got)
	}
	if got := cfg["model"].(map[string]any)["layers"].([]any)[0]; got != int64(64) {
		b.Fatalf("model.layers.0 = %v, want 64", got)
	}
	if got := cfg["model"].(map[string]any)["width"]; got != int64(256) {
		b.Fatalf("model.width = %v, want 256", got)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Config("child", patches); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad parses a small project with inheritance and versions.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		load(b, "bench")
	}
}
