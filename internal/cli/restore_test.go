package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRestoreRoundTrip: the code of a run comes back byte for byte; the
// results inside the project are not part of it; a non-empty target and
// an unknown experiment are refused.
func TestRestoreRoundTrip(t *testing.T) {
	dir := quickstart(t)
	if _, stderr, code := runMain(t, dir, "run", "experiment.star"); code != 0 {
		t.Fatal(stderr)
	}
	to := filepath.Join(t.TempDir(), "code")
	stdout, stderr, code := runMain(t, dir, "restore", "8gWVkz", "--to", to)
	if code != 0 || !strings.Contains(stdout, "restored 5 file(s) of experiment 8gWVkz") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	for _, name := range []string{"machinable.yaml", "optimization.star", "experiment.star", "analyze.star", ".gitignore"} {
		want, _ := os.ReadFile(filepath.Join(dir, name))
		got, err := os.ReadFile(filepath.Join(to, name))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s differs after restore (%v)", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(to, "results")); !os.IsNotExist(err) {
		t.Error("restored the results directory")
	}
	_, stderr, code = runMain(t, dir, "restore", "8gWVkz", "--to", to)
	if code != ExitError || !strings.Contains(stderr, "not empty") {
		t.Errorf("non-empty target: exit %d, %q", code, stderr)
	}
	_, stderr, code = runMain(t, dir, "restore", "OY1p1o", "--to", filepath.Join(t.TempDir(), "x"))
	if code != ExitError || !strings.Contains(stderr, "experiment OY1p1o not found in storage ./results") {
		t.Errorf("unknown ID: exit %d, %q", code, stderr)
	}
	_, stderr, code = runMain(t, dir, "restore", "bad")
	if code != ExitError || !strings.Contains(stderr, `invalid experiment ID "bad"`) {
		t.Errorf("bad ID: exit %d, %q", code, stderr)
	}
}
