package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// What machinable 2.x only warns about in machinable.yaml (a config key
// that is also a method of its config objects) is printed after the
// experiment ID, naming file and line, and the run goes on.
func TestProjectWarningsPrinted(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte("components:\n  - parent:\n      copy: 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "parent.star"), []byte("def on_execute(self):\n    print(self.config.copy)\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "w.star"), []byte("execute(\"parent\")\n"), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "w.star")
	lines := strings.Split(stdout, "\n")
	want := "warning: " + filepath.Join(dir, "machinable.yaml") + `:3: component "parent": key "copy": "copy" is also a method name of machinable 2.x's config objects`
	if code != 0 || len(lines) < 3 || !strings.HasPrefix(lines[0], "Experiment ") || !strings.HasPrefix(lines[1], want) {
		t.Errorf("exit %d, want the warning right after the experiment ID:\n%s%s", code, stdout, stderr)
	}
}

// A key a plan sets that the component's config in machinable.yaml does
// not have is accepted, as machinable 2.0 does, with a warning that
// suggests the nearest key: a typo would otherwise run unnoticed.
func TestUnknownPatchKeyWarned(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte("components:\n  - parent:\n      learning_rate: 0.1\n      data: {name: mnist}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "parent.star"), []byte("def on_execute(self):\n    pass\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "w.star"), []byte(`execute(Experiment().component("parent", [{"learning_rat": 0.5, "data.nme": 1}, {"learning_rate": 0.2}]).repeat(3), engine="dry")
`), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "w.star")
	for _, want := range []string{
		`warning: component "parent": the plan sets "data.nme", which its config in machinable.yaml does not have (did you mean "name"?)`,
		`warning: component "parent": the plan sets "learning_rat", which its config in machinable.yaml does not have (did you mean "learning_rate"?)`,
	} {
		if code != 0 || strings.Count(stdout, want) != 1 {
			t.Errorf("exit %d, want once: %s\n%s%s", code, want, stdout, stderr)
		}
	}
	if strings.Count(stdout, "warning:") != 2 {
		t.Errorf("want exactly two warnings:\n%s", stdout)
	}
}
