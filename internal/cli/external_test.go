package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// external returns a copy of examples/external (needs python3).
func external(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		if os.Getenv("MACHINABLE_REQUIRE_SERVICES") == "1" {
			t.Fatal("python3 is required for the external program tests")
		}
		t.Skip("python3 not installed: the external-program example needs it")
	}
	dir := filepath.Join(t.TempDir(), "external")
	copyDir(t, "../../examples/external", dir)
	return dir
}

// TestExternalPythonProgram: the Python example runs under native and
// native:2; its {"_record"} lines land as records, seeded by SEED so both
// engines store the same rows; argument templating fills --lr.
func TestExternalPythonProgram(t *testing.T) {
	dir := external(t)
	for _, engine := range []string{"native", "native:2"} {
		stdout, stderr, code := runMain(t, dir, "run", "experiment.star", "--storage", engine, "--engine", engine)
		if code != 0 || !strings.Contains(stdout, "6 finished, 0 failed") {
			t.Fatalf("%s: exit %d\n%s%s", engine, code, stdout, stderr)
		}
	}
	a := sameResults(t, filepath.Join(dir, "native", "8gWVkz"), filepath.Join(dir, "native:2", "8gWVkz"), "native:2", 6*3)
	if rows := recordRows(a); rows != 6*4 {
		t.Errorf("%d record rows, want 24", rows)
	}
	// first row of the first component: python3's random.Random(263761070)
	first, _ := os.ReadFile(filepath.Join(dir, "native", "8gWVkz", "e9DJBHuoiCvn", "records", "default.jsonl"))
	if !strings.HasPrefix(string(first), `{"_seconds_taken":`) || !strings.Contains(string(first), `"loss":0.9078044880049067`) {
		t.Errorf("first record: %s", first)
	}
	out, _ := os.ReadFile(filepath.Join(dir, "native", "8gWVkz", "e9DJBHuoiCvn", "output.log"))
	if !strings.Contains(string(out), "trained e9DJBHuoiCvn final loss") || strings.Contains(string(out), "_record") {
		t.Errorf("output.log: %s", out)
	}
}

// TestExternalFailureAndCommand: a failing program is reported with its
// exit status and stderr; command() in a script builds one inline, with a
// shell string and with MACHINABLE_RECORDS.
func TestExternalFailureAndCommand(t *testing.T) {
	dir := external(t)
	os.WriteFile(filepath.Join(dir, "fail.star"), []byte(`execute(Experiment().component("train", {"fail": True}), storage="./results")
`), 0o644)
	stdout, _, code := runMain(t, dir, "run", "fail.star")
	if code != ExitFailed || !strings.Contains(stdout, "python3 exited with status 3: diverged: loss is nan") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
	st, _ := filepath.Glob(filepath.Join(dir, "results", "*", "*", "status.json"))
	if len(st) != 1 {
		t.Fatal(st)
	}
	if b, _ := os.ReadFile(st[0]); !strings.Contains(string(b), "diverged: loss is nan") {
		t.Errorf("status.json lacks the stderr tail: %s", b)
	}
	os.WriteFile(filepath.Join(dir, "inline.star"), []byte(`run = execute(Experiment()
    .component(command(["sh", "-c", "echo '{\"step\": 1, \"seed\": '$MACHINABLE_SEED'}' >> $MACHINABLE_RECORDS; echo lr={lr}"], config={"lr": 0.3}, name="shell"))
    .component(command("echo $MACHINABLE_COMPONENT_ID from a string")), seed=5)
c = run.components[0]
print("ROW", c.records.first()["step"], c.records.first()["seed"] == c.flags.SEED, c.output.strip(), c.name)
print("STRING", run.components[1].output.strip() == run.components[1].id + " from a string")
`), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "inline.star")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"ROW 1 True lr=0.3 shell", "STRING True"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s\n%s", want, stdout, stderr)
		}
	}
}

// TestExternalCancelKillsGroup: Ctrl-C reaches the whole process group of
// a program, children included.
func TestExternalCancelKillsGroup(t *testing.T) {
	dir := external(t)
	os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte(`components:
  - parent:
      _exec_: "sleep 300 & echo \$! > child.pid; wait"
`), 0o644)
	os.WriteFile(filepath.Join(dir, "long.star"), []byte(`execute("parent", storage="./results")`+"\n"), 0o644)
	var out bytes.Buffer
	cmd := spawn(t, dir, &out, "run", "long.star")
	var child int
	waitFor(t, 20*time.Second, "the child process", func() bool {
		b, err := os.ReadFile(filepath.Join(dir, "child.pid"))
		child, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && child > 0
	})
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	waitFor(t, 15*time.Second, "the child to be gone", func() bool {
		return syscall.Kill(child, 0) != nil
	})
	if s := statuses(t, dir); count(s, "interrupted") != 1 {
		t.Errorf("statuses %v\n%s", s, out.String())
	}
}

// TestExternalProcessEngine: under process:2 each external program runs
// from a `machinable worker` subprocess and stores exactly what the native
// engine stores; the worker hands over MACHINABLE_OUTPUT (the component's
// directory) and MACHINABLE_EXPERIMENT_ID like the native engine does.
func TestExternalProcessEngine(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := external(t)
	for _, run := range [][]string{
		{"run", "experiment.star", "--storage", "native"},
		{"run", "experiment.star", "--storage", "proc", "--engine", "process:2"},
	} {
		stdout, stderr, code := runMain(t, dir, run...)
		if code != 0 || !strings.Contains(stdout, "6 finished, 0 failed") {
			t.Fatalf("%v: exit %d\n%s%s", run, code, stdout, stderr)
		}
		if run[3] == "proc" && !regexp.MustCompile(`\w{12} \| trained \w{12} final loss`).MatchString(stdout) {
			t.Errorf("the program's output should reach the console through the worker:\n%s", stdout)
		}
	}
	a := sameResults(t, filepath.Join(dir, "native", "8gWVkz"), filepath.Join(dir, "proc", "8gWVkz"), "process:2", 6*3)
	if rows := recordRows(a); rows != 6*4 {
		t.Errorf("process:2 stored %d record rows, want 24", rows)
	}

	os.WriteFile(filepath.Join(dir, "handover.star"), []byte(`execute(Experiment().component(command(
    ["sh", "-c", "echo $MACHINABLE_EXPERIMENT_ID $MACHINABLE_COMPONENT_ID > $MACHINABLE_OUTPUT/handover.txt"])).repeat(2),
    storage="./handover", seed=9)
`), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "handover.star", "--engine", "process:2")
	if code != 0 || !strings.Contains(stdout, "2 finished, 0 failed") {
		t.Fatalf("handover: exit %d\n%s%s", code, stdout, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "handover", "*", "*", "component.json"))
	if len(files) != 2 {
		t.Fatalf("components: %v", files)
	}
	for _, f := range files {
		comp := filepath.Dir(f)
		got, err := os.ReadFile(filepath.Join(comp, "handover.txt"))
		want := filepath.Base(filepath.Dir(comp)) + " " + filepath.Base(comp) + "\n"
		if err != nil || string(got) != want {
			t.Errorf("%s: handover.txt %q (%v), want %q", comp, got, err, want)
		}
	}
}

// recordRows counts the default-scope record rows among reproducible files.
func recordRows(files map[string]string) int {
	rows := 0
	for f, content := range files {
		if strings.HasSuffix(f, "records/default.jsonl") {
			rows += strings.Count(content, "\n")
		}
	}
	return rows
}
