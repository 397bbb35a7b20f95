package runtime

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/machinable-go/machinable/storage"
)

// TestLeanComponentFiles: a component that logs, prints, records and
// stores nothing, run where its experiment was prepared, leaves exactly
// component.json and status.json; readers still give it the experiment's
// host facts with its own PID.
func TestLeanComponentFiles(t *testing.T) {
	reg := NewRegistry()
	reg.Register("t", GoComponent{})
	sched, env := prepareRun(t, reg, NewExperiment().Component(ComponentSpec{Name: "t"}))
	if err := env.Experiment.WriteJSON("host.json", CurrentHost()); err != nil {
		t.Fatal(err)
	}
	if out := RunComponent(context.Background(), env, &sched[0]); out.Status != storage.StatusFinished {
		t.Fatalf("%s: %s", out.Status, out.Error)
	}
	names := componentFiles(t, env.Experiment, sched[0].ID)
	if len(names) != 2 || names[0] != "component.json" || names[1] != "status.json" {
		t.Errorf("files of a trivial component: %v, want [component.json status.json]", names)
	}
	if err := env.Experiment.WriteJSON("execution.json", map[string]any{"experiment_id": "8gWVkz"}); err != nil {
		t.Fatal(err)
	}
	v, err := env.Experiment.View()
	if err != nil {
		t.Fatal(err)
	}
	st, _ := env.Experiment.ComponentStatus(sched[0].ID)
	c := &storage.ComponentView{Experiment: v, ID: sched[0].ID}
	h, err := c.Host()
	if err != nil || h["hostname"] != CurrentHost().Hostname || h["pid"] != int64(st.PID) || h["go_version"] == nil {
		t.Errorf("component host: %v %v", h, err)
	}
	// read as files, as scripts may: what they stand for
	if b, err := c.ReadFile("host.json"); err != nil || !strings.Contains(string(b), `"hostname"`) {
		t.Errorf("host.json read: %s %v", b, err)
	}
	if b, err := c.ReadFile("components.json"); err != nil || strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("components.json read: %s %v", b, err)
	}
	if _, err := c.ReadFile("other.json"); err == nil {
		t.Error("a missing file read")
	}
}

// TestComponentHostWhereItDiffers: a component run on another machine
// than the experiment's (another Slurm node) writes its own host.json.
func TestComponentHostWhereItDiffers(t *testing.T) {
	reg := NewRegistry()
	reg.Register("t", GoComponent{})
	sched, env := prepareRun(t, reg, NewExperiment().Component(ComponentSpec{Name: "t"}))
	other := CurrentHost()
	other.Hostname = "node-17"
	if err := env.Experiment.WriteJSON("host.json", other); err != nil {
		t.Fatal(err)
	}
	if out := RunComponent(context.Background(), env, &sched[0]); out.Status != storage.StatusFinished {
		t.Fatalf("%s: %s", out.Status, out.Error)
	}
	c, err := env.Experiment.OpenComponent(sched[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var h Host
	if err := c.ReadJSON("host.json", &h); err != nil || h != CurrentHost() {
		t.Errorf("component host.json %+v %v, want this host", h, err)
	}
}

func componentFiles(t *testing.T, exp *storage.Experiment, id string) []string {
	t.Helper()
	entries, err := afero.ReadDir(exp.Storage().Fs, filepath.Join(exp.Path, id))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
