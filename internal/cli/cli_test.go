package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary builds the machinable binary once for all tests that spawn it,
// with the commit it was built from when in a git checkout (version).
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "machinable-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "machinable")
		out, err := exec.Command("go", "build", "-buildvcs=auto", "-o", builtBin, "github.com/machinable-go/machinable").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// copyDir copies the files of src into dst, leaving out results
// directories.
func copyDir(t *testing.T, src, dst string) { copyTreeSkipping(t, src, dst, "results") }

// copyTree copies every file below src into dst.
func copyTree(t *testing.T, src, dst string) { copyTreeSkipping(t, src, dst, "") }

func copyTreeSkipping(t *testing.T, src, dst, skip string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if skip != "" && d.Name() == skip {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// quickstart returns a fresh copy of examples/quickstart.
func quickstart(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "quickstart")
	copyDir(t, "../../examples/quickstart", dir)
	return dir
}

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			out[p] = string(b)
		}
		return err
	})
	return out
}

// TestQuickstartBinary builds the binary and runs the README's command in a
// copy of the quickstart: IDs and seeds of machinable 2.x for seed=42, the
// layout of SPEC §6, and a second run that resumes and changes nothing.
func TestQuickstartBinary(t *testing.T) {
	bin := binary(t)
	dir := quickstart(t)
	run := func() (string, string, int) {
		cmd := exec.Command(bin, "run", "experiment.star")
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), code
	}
	stdout, stderr, code := run()
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if !strings.HasPrefix(lines[0], "Experiment 8gWVkz (seed 7957417341)") {
		t.Errorf("first line should name the experiment: %q", lines[0])
	}
	for _, id := range []string{"e9DJBHuoiCvn", "XfOWPgKJCcuh", "9NTO7Rgg7Ag1"} {
		if !regexp.MustCompile(`\] ` + id + ` optimization finished`).MatchString(stdout) {
			t.Errorf("no finished line for %s in:\n%s", id, stdout)
		}
	}
	if !strings.HasPrefix(lines[len(lines)-1], "Experiment 8gWVkz: 3 finished, 0 failed") {
		t.Errorf("last line should be the summary: %q", lines[len(lines)-1])
	}

	exp := filepath.Join(dir, "results", "8gWVkz")
	for _, f := range []string{"execution.json", "schedule.jsonl", "host.json"} {
		if _, err := os.Stat(filepath.Join(exp, f)); err != nil {
			t.Error(err)
		}
	}
	seeds := map[string]float64{"e9DJBHuoiCvn": 263761070, "XfOWPgKJCcuh": 611082855, "9NTO7Rgg7Ag1": 102001072}
	for id, seed := range seeds {
		c := filepath.Join(exp, id)
		for _, f := range []string{"component.json", "status.json", "output.log", "log.txt", "records/default.jsonl", "store/final.json"} {
			if _, err := os.Stat(filepath.Join(c, f)); err != nil {
				t.Error(err)
			}
		}
		// Lean storage: no sub-components, the experiment's host.
		for _, f := range []string{"components.json", "host.json"} {
			if _, err := os.Stat(filepath.Join(c, f)); err == nil {
				t.Errorf("%s/%s written", id, f)
			}
		}
		var comp struct {
			Flags map[string]any `json:"flags"`
		}
		readJSON(t, filepath.Join(c, "component.json"), &comp)
		if comp.Flags["SEED"] != seed || comp.Flags["REPEAT_SEED"] != float64(2055422843) || comp.Flags["GLOBAL_SEED"] != float64(7957417341) {
			t.Errorf("%s flags: %v", id, comp.Flags)
		}
		var status struct{ Status string }
		readJSON(t, filepath.Join(c, "status.json"), &status)
		if status.Status != "finished" {
			t.Errorf("%s status %q", id, status.Status)
		}
		rows, _ := os.ReadFile(filepath.Join(c, "records/default.jsonl"))
		if n := strings.Count(string(rows), "\n"); n != 5 {
			t.Errorf("%s: %d record rows, want 5", id, n)
		}
	}

	before := snapshot(t, filepath.Join(dir, "results"))
	stdout, stderr, code = run()
	if code != 0 || !strings.Contains(stdout, "Resuming: 3 finished earlier (kept), 0 running elsewhere (left alone), 0 to run") {
		t.Errorf("second run: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if after := snapshot(t, filepath.Join(dir, "results")); !reflect.DeepEqual(before, after) {
		t.Error("second run changed stored results")
	}
}

func readJSON(t *testing.T, p string, v any) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// runMain runs the CLI in-process in dir.
func runMain(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := Main(args, &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

func TestRunFailedComponentExitsOne(t *testing.T) {
	dir := quickstart(t)
	os.WriteFile(filepath.Join(dir, "broken.star"), []byte("def on_execute(self):\n    fail(\"boom\")\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte("components:\n  - optimization:\n      learning_rate: 0.1\n      iterations: 2\n      data: {name: x}\n  - broken:\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "two.star"), []byte(`execute(Experiment().component("broken").component("optimization"), storage="./results")`+"\n"), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "two.star")
	if code != ExitFailed {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "1 finished, 1 failed") || !regexp.MustCompile(`failed: \w{12} broken: .*boom`).MatchString(stdout) {
		t.Errorf("summary should list the failure:\n%s", stdout)
	}
	// status.json keeps the backtrace
	matches, _ := filepath.Glob(filepath.Join(dir, "results", "*", "*", "status.json"))
	found := false
	for _, m := range matches {
		b, _ := os.ReadFile(m)
		if strings.Contains(string(b), `"failed"`) {
			found = strings.Contains(string(b), "broken.star:2:9: in on_execute")
		}
	}
	if !found {
		t.Error("no status.json with status failed and the backtrace")
	}
}

func TestRunSyntaxErrorExitsTwo(t *testing.T) {
	dir := quickstart(t)
	os.WriteFile(filepath.Join(dir, "bad.star"), []byte("execute(Experiment(\n"), 0o644)
	_, stderr, code := runMain(t, dir, "run", "bad.star")
	if code != ExitError || !regexp.MustCompile(`bad\.star:2:1: got end of file`).MatchString(stderr) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestRunFlagsOverrideScript(t *testing.T) {
	dir := quickstart(t)
	stdout, stderr, code := runMain(t, dir, "run", "experiment.star", "--engine", "dry", "--seed", "OY1p1o")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Experiment OY1p1o") || !strings.Contains(stdout, "dry run of 3 component(s)") {
		t.Errorf("dry run output:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "results")); !os.IsNotExist(err) {
		t.Error("dry run wrote to storage")
	}
	other := filepath.Join(t.TempDir(), "elsewhere")
	_, stderr, code = runMain(t, dir, "run", "experiment.star", "--storage", other, "--seed", "7")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 1 {
		t.Errorf("--storage: want one experiment in %s, got %d", other, len(entries))
	}
	_, stderr, code = runMain(t, dir, "run", "experiment.star", "--seed", "abc")
	if code != ExitError || !strings.Contains(stderr, `--seed "abc": expected an integer or a 6-character experiment ID`) {
		t.Errorf("bad --seed: exit %d, %q", code, stderr)
	}
}

func TestVersion(t *testing.T) {
	stdout, _, code := runMain(t, t.TempDir(), "version")
	if code != 0 || !strings.HasPrefix(stdout, "machinable ") {
		t.Errorf("version: %d %q", code, stdout)
	}
}

// TestExecuteCommand: a one-liner without a script gives the same
// experiment as the quickstart script for the same seed.
func TestExecuteCommand(t *testing.T) {
	dir := quickstart(t)
	stdout, stderr, code := runMain(t, dir, "execute", "optimization", "--repeat", "3", "--seed", "42", "--storage", "./results")
	if code != 0 || !strings.HasPrefix(stdout, "Experiment 8gWVkz") || !strings.Contains(stdout, "e9DJBHuoiCvn optimization finished") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, _, code = runMain(t, dir, "execute", "optimization", "--version", "~mnist", "--version", "learning_rate: 0.5", "--engine", "dry")
	if code != 0 || !strings.Contains(stdout, `"data":{"name":"mnist"}`) || !strings.Contains(stdout, `"learning_rate":0.5`) {
		t.Errorf("versions: %d\n%s", code, stdout)
	}
	_, stderr, code = runMain(t, dir, "execute", "optimizaton")
	if code != ExitError || !strings.Contains(stderr, `did you mean "optimization"?`) {
		t.Errorf("unknown component: %d %s", code, stderr)
	}
}

// TestEngineFlagErrors: a bad --engine or --engine-opt is reported as the
// flag's error (exit 2), before the script runs, with a suggestion.
func TestEngineFlagErrors(t *testing.T) {
	dir := quickstart(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--engine", "foo:3"}, `error: --engine foo:3: unknown engine "foo"; known engines: detached, dry, native, process, ray, remote, slurm`},
		{[]string{"--engine", "nativ"}, `unknown engine "nativ" (did you mean "native"?)`},
		{[]string{"--engine", "process:2", "--engine-opt", "binray=/x"}, `error: --engine process:2: unknown option "binray" (did you mean "binary"?`},
	} {
		stdout, stderr, code := runMain(t, dir, append([]string{"run", "experiment.star"}, tc.args...)...)
		if code != ExitError || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "Traceback") || strings.Contains(stdout, "Experiment") {
			t.Errorf("%v: exit %d\nstderr %s\nstdout %s", tc.args, code, stderr, stdout)
		}
	}
}
