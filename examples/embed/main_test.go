package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun runs the example as `go run ./examples/embed` does and checks
// what it prints: seed 42 fixes the experiment ID, the component IDs and
// every value the Go and the Starlark component draw.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), &out, "."); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"Experiment 8gWVkz (seed 7957417341): 4 component(s), engine native, storage mem://embed/8gWVkz",
		"INFO: counted 3 values",
		"INFO: worker finished",
		"Experiment 8gWVkz: 4 finished, 0 failed",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	const summary = `
Summary of experiment 8gWVkz (seed 7957417341), read from mem://embed:
  e9DJBHuoiCvn  go_counter       repeat 0  finished  3 rows  sum 141.000
  XfOWPgKJCcuh  starlark_worker  repeat 0  finished  3 rows  sum  11.603
  9NTO7Rgg7Ag1  go_counter       repeat 1  finished  3 rows  sum 160.000
  Rhv6KygCX70A  starlark_worker  repeat 1  finished  3 rows  sum  20.499
`
	if !strings.HasSuffix(got, summary) {
		t.Errorf("summary:\n%s\nwant it to end with:%s", got, summary)
	}
}

// TestDefaultProject checks that the example finds its project wherever
// it is started from.
func TestDefaultProject(t *testing.T) {
	dir := defaultProject()
	if _, err := os.Stat(filepath.Join(dir, "plan.star")); err != nil {
		t.Fatalf("defaultProject() = %q: %v", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "machinable.yaml")); err != nil {
		t.Fatalf("defaultProject() = %q: %v", dir, err)
	}
}
