package dsl_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
)

// hookProject writes a project with a component and the given hook file.
func hookProject(t *testing.T, hooks string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"machinable.yaml":          "components:\n  - model:\n      lr: 0.1\n",
		"model.star":               "def on_execute(self):\n    pass\n",
		"_machinable/project.star": hooks,
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runHookScript(t *testing.T, dir, script string) error {
	t.Helper()
	reg := runtime.NewRegistry()
	dsl.Register(reg)
	file := filepath.Join(dir, "run.star")
	os.WriteFile(file, []byte(script), 0o644)
	_, err := dsl.ExecFile(context.Background(), file, nil, dsl.Options{Executor: executor.New(reg, nil)})
	return err
}

// TestHooksHostInfo: host_information() and host_<name>() land in the
// experiment's host.json, the named ones over host_information's keys;
// machinable's own keys are kept.
func TestHooksHostInfo(t *testing.T) {
	dir := hookProject(t, `
def host_information():
    return {"cluster": "c1", "gpu": "from host_information", "hostname": "not this"}

def host_gpu():
    return "a100"

def host_nodes():
    return [1, 2]
`)
	if err := runHookScript(t, dir, `execute("model", storage = "./results", seed = 1)`); err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "results", "*", "host.json"))
	if len(matches) != 1 {
		t.Fatalf("host.json: %v", matches)
	}
	b, _ := os.ReadFile(matches[0])
	var host map[string]any
	if err := json.Unmarshal(b, &host); err != nil {
		t.Fatal(err)
	}
	self, _ := os.Hostname()
	if host["cluster"] != "c1" || host["gpu"] != "a100" || host["hostname"] != self || host["pid"] == nil {
		t.Errorf("host.json: %s", b)
	}
	if n, ok := host["nodes"].([]any); !ok || len(n) != 2 {
		t.Errorf("host_nodes: %s", b)
	}
}

// TestHooksCancelStoresNothing: on_before_submit returning False leaves
// the storage untouched.
func TestHooksCancelStoresNothing(t *testing.T) {
	dir := hookProject(t, "def on_before_submit(execution):\n    return len(execution.components) > 1\n")
	err := runHookScript(t, dir, `execute("model", storage = "./results")`)
	if err == nil || !strings.Contains(err.Error(), "cancelled by the project's on_before_submit") {
		t.Fatalf("want a cancellation, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "results")); !os.IsNotExist(err) {
		t.Errorf("a cancelled execution stored something: %v", err)
	}
	// two components pass
	if err := runHookScript(t, dir, `execute(Experiment().component("model").repeat(2), storage = "./results")`); err != nil {
		t.Errorf("two components: %v", err)
	}
}

// TestHooksFileErrors: a hook file's mistakes are errors naming the file
// (and line), with a did-you-mean for a misspelt hook.
func TestHooksFileErrors(t *testing.T) {
	for _, tc := range []struct{ hooks, want string }{
		{"def on_before_sumbit(execution):\n    return False\n", "on_before_sumbit() is not a project hook (did you mean on_before_submit?)"},
		{"def on_before_storage_creation(execution):\n    pass\n", "on_before_storage_creation() is a machinable 2.x hook that has no effect here: use on_before_submit"},
		{"x = 1 +\n", "project.star:1:"},
		{"def experiment_directory():\n    return '../out'\n", "experiment_directory: "},
		{"def experiment_directory():\n    return 3\n", "experiment_directory returned int; expected a relative path string or None"},
		{"def default_resources(engine, component, components):\n    return 3\n", "default_resources: "},
		{"def on_before_submit(execution):\n    return 'yes'\n", "on_before_submit returned string; expected None, True or False"},
		{"def config_x(self):\n    return self.config.nope\n", "project.star:2:"},
	} {
		dir := hookProject(t, tc.hooks)
		os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte("components:\n  - model:\n      lr: x()\n"), 0o644)
		err := runHookScript(t, dir, `execute("model")`)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: want %q, got %v", tc.hooks, tc.want, err)
		}
	}
}
