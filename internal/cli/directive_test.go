package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// directiveProject is the quickstart with an experiment and two engines
// under _machinable/.
func directiveProject(t *testing.T) string {
	t.Helper()
	dir := quickstart(t)
	files := map[string]string{
		"_machinable/experiments/baseline.star": `experiment = Experiment().component("optimization").repeat(3)` + "\n",
		"_machinable/experiments/sweep/lr.star": `experiment = Experiment().component("optimization", [{"learning_rate": 0.5}, {"learning_rate": 0.25}])` + "\n",
		"_machinable/engines/two.star":          `engine = "native:2"` + "\n",
		"_machinable/engines/preview.star":      `engine = {"type": "dry"}` + "\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestExecuteDirectives: machinable execute @NAME --engine @NAME runs the
// experiment and engine of _machinable/, with the IDs of the same plan
// written out (TestExecuteCommand's).
func TestExecuteDirectives(t *testing.T) {
	dir := directiveProject(t)
	stdout, stderr, code := runMain(t, dir, "execute", "@baseline", "--engine", "@two", "--seed", "42", "--storage", "./results")
	if code != 0 || !strings.HasPrefix(stdout, "Experiment 8gWVkz") || !strings.Contains(stdout, "e9DJBHuoiCvn optimization finished") ||
		strings.Count(stdout, "optimization finished") != 3 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "results", "8gWVkz", "execution.json"))
	if err != nil || !strings.Contains(string(b), `"native:2"`) {
		t.Errorf("execution.json should name the engine of @two: %v\n%s", err, b)
	}
	// a nested name, --version applied to the whole experiment, a dict engine
	stdout, stderr, code = runMain(t, dir, "execute", "@sweep/lr", "--version", "~mnist", "--engine", "@preview")
	if code != 0 || strings.Count(stdout, `"VERSIONING":["mnist"]`) != 2 || !strings.Contains(stdout, `"learning_rate":0.25`) {
		t.Errorf("nested name: exit %d\n%s%s", code, stdout, stderr)
	}
	// from a sub-directory: the project is found upwards
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	if stdout, stderr, code = runMain(t, sub, "execute", "@baseline", "--engine", "@preview"); code != 0 || strings.Count(stdout, "optimization") < 3 {
		t.Errorf("from a sub-directory: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"execute", "@basline"}, "unknown experiment @basline: no file "},
		{[]string{"execute", "@basline"}, "known experiments: @baseline, @sweep/lr (did you mean @baseline?)"},
		{[]string{"execute", "optimization", "--engine", "@tow"}, "--engine @tow: unknown engine @tow: no file "},
		{[]string{"execute", "optimization", "--engine", "@tow"}, "known engines: @preview, @two (did you mean @two?)"},
		{[]string{"execute", "optimization", "--engine", "@two", "--engine-opt", "processes=3"}, "--engine-opt cannot be combined with --engine @two"},
		{[]string{"run", "experiment.star", "--engine", "@tow"}, "unknown engine @tow"},
	} {
		stdout, stderr, code := runMain(t, dir, tc.args...)
		if code != ExitError || !strings.Contains(stderr, tc.want) || strings.Contains(stdout, "Experiment") {
			t.Errorf("%v: exit %d, want %d and %q\nstderr %s\nstdout %s", tc.args, code, ExitError, tc.want, stderr, stdout)
		}
	}
}

// TestRunEngineDirective: machinable run x.star --engine @NAME overrides
// the script's engine with the one of the script's project.
func TestRunEngineDirective(t *testing.T) {
	dir := directiveProject(t)
	stdout, stderr, code := runMain(t, dir, "run", "experiment.star", "--engine", "@preview")
	if code != 0 || strings.Count(stdout, `"learning_rate"`) != 3 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "results")); err == nil {
		t.Errorf("@preview is dry: nothing should be stored")
	}
	// a script executing @baseline itself
	os.WriteFile(filepath.Join(dir, "directive.star"), []byte(`r = execute("@baseline", engine = "@preview")`+"\nprint(len(r.components), r.dry)\n"), 0o644)
	if stdout, stderr, code = runMain(t, dir, "run", "directive.star"); code != 0 || !strings.Contains(stdout, "3 True") {
		t.Errorf("script with @baseline: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestCompleteDirectives: shell completion offers the project's @
// experiments for execute and its @ engines for --engine.
func TestCompleteDirectives(t *testing.T) {
	dir := directiveProject(t)
	got, _ := complete(t, dir, "execute", "@")
	if strings.Join(got, " ") != "@baseline @sweep/lr" {
		t.Errorf("execute @: %q", got)
	}
	got, _ = complete(t, dir, "execute", "opt")
	if strings.Join(got, " ") != "optimization" {
		t.Errorf("execute opt: %q", got)
	}
	got, _ = complete(t, dir, "run", "experiment.star", "--engine", "")
	joined := " " + strings.Join(got, " ") + " "
	if !strings.Contains(joined, " native ") || !strings.Contains(joined, " @preview ") || !strings.Contains(joined, " @two ") {
		t.Errorf("--engine: %q", got)
	}
}
