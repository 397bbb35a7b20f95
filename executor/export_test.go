package executor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// runScript runs a script as `machinable run FILE --storage URL` does.
func runScript(t *testing.T, file, storageURL string) {
	t.Helper()
	reg := runtime.NewRegistry()
	dsl.Register(reg)
	x := executor.New(reg, nil)
	if _, err := dsl.ExecFile(context.Background(), file, nil, dsl.Options{Executor: x, Storage: storageURL}); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// scheduleOf reads an experiment's schedule, decoded.
func scheduleOf(t *testing.T, storageURL, id string) []any {
	t.Helper()
	st, err := storage.Open(storageURL)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.FindExperiment(id)
	if err != nil {
		t.Fatal(err)
	}
	var v []any
	if _, err := exp.ReadSchedule(func(raw json.RawMessage) error {
		var c any
		err := json.Unmarshal(raw, &c)
		v = append(v, c)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestExportRunsWithoutTheProject exports an executed experiment twice,
// from the project directory and from the stored code.zip, deletes the
// project, and runs each export into a new storage: the experiment ID,
// component IDs, configs and flags (schedule.json) are the same, the
// filtered-out component stays out, and the checkpoint is kept.
func TestExportRunsWithoutTheProject(t *testing.T) {
	// A ' in the plan makes the script quote its JSON instead of using a
	// raw string.
	for _, note := range []string{`plain`, `it's a \\ "quote"`} {
		t.Run(strings.Fields(note)[0], func(t *testing.T) { testExport(t, note) })
	}
}

func testExport(t *testing.T, note string) {
	root := t.TempDir()
	proj := filepath.Join(root, "proj")
	store := filepath.Join(root, "results")
	fromDir, fromZip := filepath.Join(root, "export-dir"), filepath.Join(root, "export-zip")
	writeFiles(t, proj, map[string]string{
		"machinable.yaml": "components:\n  - model:\n      lr: 0.1\n      ~fast:\n        lr: 0.9\n",
		"model.star":      "def on_execute(self):\n    self.store.write(\"lr\", self.config.lr)\n",
		"main.star": fmt.Sprintf(`
plan = Experiment().component("model", flags={"NOTE": %q}).component("model", "~fast").repeat(2)
e = Execution(plan, seed=42, storage=%q).set_version({"lr": 0.5}).set_directory("group")
e.filter(lambda index, component_id, component: index != 1)
e.submit()
e.export(%q)
Execution.from_storage(%q + "/group/" + e.experiment_id).export(%q)
`, note, store, fromDir, store, fromZip),
	})
	runScript(t, filepath.Join(proj, "main.star"), "")
	want := scheduleOf(t, store, "8gWVkz")
	if !strings.Contains(fmt.Sprint(want), note) {
		t.Fatalf("the flag NOTE is not in the schedule: %v", want)
	}
	if n := len(want); n != 3 {
		t.Fatalf("original schedule has %d components, want 3 (4 minus the filtered one)", n)
	}
	// Nothing is written into a folder that holds anything.
	if err := executor.Export(&runtime.Execution{Plan: runtime.NewExperiment()}, nil, proj); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("export into the project: %v, want a not-empty error", err)
	}
	if err := os.RemoveAll(proj); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{fromDir, fromZip} {
		script, err := os.ReadFile(filepath.Join(dir, executor.ExportScript))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"machinable.yaml", "model.star", "main.star", "README.md"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: %v", dir, err)
			}
		}
		again := filepath.Join(t.TempDir(), "again")
		runScript(t, filepath.Join(dir, executor.ExportScript), again)
		got := scheduleOf(t, again, "8gWVkz")
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(got)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: schedule.json differs from the original's\n got %s\nwant %s\nscript:\n%s", dir, b, a, script)
		}
		st, _ := storage.Open(again)
		exp, err := st.FindExperiment("8gWVkz")
		if err != nil {
			t.Fatal(err)
		}
		if exp.Path != st.ExperimentPath("group", "8gWVkz") {
			t.Errorf("%s: experiment stored at %s, want it under group/", dir, exp.Path)
		}
	}
}
