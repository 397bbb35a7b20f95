package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// useSettings points $MACHINABLE_SETTINGS at a file holding body.
func useSettings(t *testing.T, body string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "settings.yaml")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MACHINABLE_SETTINGS", f)
	return f
}

// The storage of run and execute: --storage, else the script's, else
// $MACHINABLE_STORAGE, else the settings' default_storage, else mem://.
func TestSettingsDefaultStoragePrecedence(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("MACHINABLE_STORAGE", "")
	dir := quickstart(t)
	useSettings(t, "default_storage: ./from-settings\n")
	os.WriteFile(filepath.Join(dir, "plain.star"), []byte(`execute(Experiment().component("optimization"), seed=1)`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "named.star"), []byte(`execute(Experiment().component("optimization"), seed=1, storage="./from-script")`+"\n"), 0o644)

	for _, c := range []struct {
		env, want string
		args      []string
	}{
		{"", "from-settings", []string{"execute", "optimization", "--seed", "1"}},
		{"", "from-settings", []string{"run", "plain.star"}},
		{"", "from-script", []string{"run", "named.star"}},
		{"./from-env", "from-env", []string{"run", "plain.star"}},
		{"./from-env", "from-flag", []string{"execute", "optimization", "--seed", "1", "--storage", "./from-flag"}},
	} {
		t.Setenv("MACHINABLE_STORAGE", c.env)
		stdout, stderr, code := runMain(t, dir, c.args...)
		if code != ExitOK || !isDir(filepath.Join(dir, c.want)) {
			t.Fatalf("%v (env %q): exit %d, no %s\n%s\n%s", c.args, c.env, code, c.want, stdout, stderr)
		}
		os.RemoveAll(filepath.Join(dir, c.want))
	}

	// The reading commands look there too, before ./results.
	t.Setenv("MACHINABLE_STORAGE", "")
	if _, stderr, code := runMain(t, dir, "execute", "optimization", "--seed", "2"); code != ExitOK {
		t.Fatal(stderr)
	}
	stdout, stderr, code := runMain(t, dir, "ls")
	if code != ExitOK || strings.Count(stdout, "\n") != 2 || isDir(filepath.Join(dir, "results")) {
		t.Fatalf("ls: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestSettingsDefaultEngineAndProject(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("MACHINABLE_STORAGE", "")
	dir := quickstart(t)
	elsewhere := t.TempDir()
	useSettings(t, "default_engine: dry\ndefault_project: "+dir+"\n")
	// Run from another directory: the project is the settings', the
	// engine dry (the schedule is printed, nothing runs).
	stdout, stderr, code := runMain(t, elsewhere, "execute", "optimization")
	if code != ExitOK || !strings.Contains(stdout, "optimization") || isDir(filepath.Join(elsewhere, "results")) {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "dry") {
		t.Errorf("not a dry run:\n%s", stdout)
	}
}

func TestSettingsSchemaValidation(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("MACHINABLE_STORAGE", "")
	dir := quickstart(t)
	args := []string{"execute", "optimization", "--version", "{learning_rat: 0.2}", "--engine", "dry"}

	useSettings(t, "schema_validation: false\n")
	stdout, stderr, code := runMain(t, dir, args...)
	if code != ExitOK || !strings.Contains(stdout+stderr, `the plan sets "learning_rat", which its config in machinable.yaml does not have (did you mean "learning_rate"?)`) {
		t.Fatalf("off: exit %d\n%s\n%s", code, stdout, stderr)
	}

	useSettings(t, "schema_validation: true\n")
	stdout, stderr, code = runMain(t, dir, args...)
	if code != ExitError || !strings.Contains(stderr, `the plan sets "learning_rat", which its config in machinable.yaml does not have (did you mean "learning_rate"?); schema_validation is on in the settings, so this is an error`) {
		t.Fatalf("on: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestSettingsFileErrorsAndWarnings(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("MACHINABLE_STORAGE", "")
	dir := quickstart(t)
	f := useSettings(t, "default_engine: dry\ndefault_storage: [x]\n")
	_, stderr, code := runMain(t, dir, "execute", "optimization")
	if code != ExitError || !strings.Contains(stderr, f+":2: default_storage: expected a string, got a list") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	f = useSettings(t, "default_engine: dry\ndefault_engnie: native\n")
	stdout, stderr, code := runMain(t, dir, "execute", "optimization")
	if code != ExitOK || !strings.Contains(stderr, "warning: "+f+`:2: unknown setting "default_engnie" has no effect (did you mean "default_engine"?)`) {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	t.Setenv("MACHINABLE_SETTINGS", filepath.Join(dir, "missing.yaml"))
	if _, stderr, code = runMain(t, dir, "execute", "optimization"); code != ExitError || !strings.Contains(stderr, "missing.yaml") {
		t.Fatalf("a missing $MACHINABLE_SETTINGS file: exit %d\n%s", code, stderr)
	}
}

// execute() in the REPL takes the settings' defaults too.
func TestSettingsInREPL(t *testing.T) {
	dir := quickstart(t)
	settings := filepath.Join(t.TempDir(), "settings.yaml")
	os.WriteFile(settings, []byte("default_engine: dry\n"), 0o644)
	cmd := exec.Command(binary(t), "repl")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MACHINABLE_SETTINGS="+settings, "MACHINABLE_STORAGE=")
	cmd.Stdin = strings.NewReader("execute(\"optimization\", seed=42)\n")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "dry run of 1 component(s)") {
		t.Fatalf("%v\n%s", err, out)
	}
}
