package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExecutionObjectFlags: the CLI's --seed and --storage override what a
// script gives Execution(...), as they override execute()'s arguments;
// summary() writes nothing; a raising execution exits like a script error.
func TestExecutionObjectFlags(t *testing.T) {
	dir := quickstart(t)
	script := `e = Execution(Experiment().component("optimization"), seed=7, storage="./script-results")
s = e.summary()
print("stored before submit:", e.is_submitted())
run = e.submit()
print("ids", run.experiment_id, e.experiment_id)
`
	if err := os.WriteFile(filepath.Join(dir, "exe.star"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runMain(t, dir, "run", "exe.star", "--seed", "42", "--storage", "./flag-results")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"Execution 8gWVkz (seed 7957417341)", "storage: ./flag-results", "stored before submit: False", "ids 8gWVkz 8gWVkz"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "flag-results", "8gWVkz", "schedule.jsonl")); err != nil {
		t.Errorf("not stored where --storage says: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "script-results")); err == nil {
		t.Errorf("the script's storage was used despite --storage")
	}

	raising := `Execution(Experiment().component("nope_broken"), seed=60413).set_behavior(raise_exceptions=True).submit()
print("not reached")
`
	yaml, _ := os.ReadFile(filepath.Join(dir, "machinable.yaml"))
	if err := os.WriteFile(filepath.Join(dir, "machinable.yaml"), append(yaml, []byte("  - nope_broken:\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "nope_broken.star"), []byte("def on_execute(self):\n    fail(\"boom\")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "raise.star"), []byte(raising), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runMain(t, dir, "run", "raise.star", "--storage", "mem://")
	// (seed 60413: mem:// is shared by every test of the package, and another
	// test runs a different plan with seed 1 there)
	// a script error (exit 2), not a run with a failed component (exit 1)
	if code != 2 || strings.Contains(out, "not reached") || !strings.Contains(out+errOut, "boom") {
		t.Errorf("raise_exceptions: exit %d\n%s\n%s", code, out, errOut)
	}
}
