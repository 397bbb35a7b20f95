package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProcessEngineReusesWorkers: process:1 runs every component in one
// worker process (one PID in every status.json), a failing component
// does not end it, and each output.log holds its own component's output
// only. (A module's globals are frozen once its top level ran, so no
// component can leave state in them for the next.)
func TestProcessEngineReusesWorkers(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := quickstart(t)
	os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte("components:\n  - counter:\n  - broken:\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "counter.star"), []byte(`calls = {"n": 0}
def on_execute(self):
    print("calls", calls["n"] + 1, self.flags.COMPONENT_ID)
`), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.star"), []byte("def on_execute(self):\n    fail(\"boom\")\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "run.star"), []byte(`execute(Experiment().component("counter").component("broken").component("counter").component("counter"), storage="./results", seed=1)`+"\n"), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "run.star", "--engine", "process:1")
	if code != ExitFailed || !strings.Contains(stdout, "3 finished, 1 failed") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "results", "*", "*", "status.json"))
	pids := map[int]bool{}
	for _, f := range files {
		var st struct{ PID int }
		b, _ := os.ReadFile(f)
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		pids[st.PID] = true
		c := filepath.Dir(f)
		out, _ := os.ReadFile(filepath.Join(c, "output.log"))
		if comp, _ := os.ReadFile(filepath.Join(c, "component.json")); strings.Contains(string(comp), `"counter"`) &&
			string(out) != "calls 1 "+filepath.Base(c)+"\n" {
			t.Errorf("%s: output.log %q, want its own single call", filepath.Base(c), out)
		}
	}
	if len(files) != 4 || len(pids) != 1 || pids[os.Getpid()] {
		t.Errorf("%d components in worker processes %v: want 4 in one worker", len(files), pids)
	}
}
