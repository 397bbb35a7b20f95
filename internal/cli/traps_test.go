package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The traps of a newcomer's first hour: results that vanish, relative
// paths that depend on where machinable was started, wrong-case IDs.

const notKept = "results were not kept (storage mem://)"

// TestInMemoryRunSaysResultsAreGone: a run into mem:// says so on stderr
// after the summary; one with a storage, a dry run and the REPL do not.
func TestInMemoryRunSaysResultsAreGone(t *testing.T) {
	t.Setenv("MACHINABLE_STORAGE", "")
	dir := quickstart(t)
	os.WriteFile(filepath.Join(dir, "mem.star"), []byte(`execute(Experiment().component("optimization"), seed=1)`+"\n"), 0o644)

	stdout, stderr, code := runMain(t, dir, "run", "mem.star")
	if code != 0 || !strings.Contains(stdout, "1 finished, 0 failed") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	want := notKept + ": pass --storage ./results, give storage= to execute(), or set MACHINABLE_STORAGE"
	if !strings.Contains(stderr, want) || strings.Contains(stdout, notKept) {
		t.Errorf("run into mem://: stderr %q, want %q", stderr, want)
	}
	_, stderr, code = runMain(t, dir, "execute", "optimization")
	if code != 0 || !strings.Contains(stderr, notKept+": pass --storage ./results or set MACHINABLE_STORAGE") {
		t.Errorf("execute into mem://: exit %d, stderr %q", code, stderr)
	}
	for _, args := range [][]string{
		{"run", "mem.star", "--storage", "./kept"},
		{"run", "mem.star", "--engine", "dry"},
		{"run", "experiment.star"}, // the script names ./results
		{"execute", "optimization", "--storage", "./kept"},
	} {
		_, stderr, code := runMain(t, dir, args...)
		if code != 0 || strings.Contains(stderr, notKept) {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

// TestMachinableStorageIsTheDefaultOfRun: precedence --storage > the
// script's storage= > $MACHINABLE_STORAGE (relative to the current
// directory) > mem://.
func TestMachinableStorageIsTheDefaultOfRun(t *testing.T) {
	dir := quickstart(t)
	os.WriteFile(filepath.Join(dir, "mem.star"), []byte(`execute(Experiment().component("optimization"), seed=1)`+"\n"), 0o644)
	t.Setenv("MACHINABLE_STORAGE", "./env")
	has := func(p string) bool { _, err := os.Stat(filepath.Join(dir, p)); return err == nil }

	_, stderr, code := runMain(t, dir, "run", "mem.star")
	if code != 0 || !has("env/hp2cEP/execution.json") || strings.Contains(stderr, notKept) {
		t.Errorf("$MACHINABLE_STORAGE: exit %d, stderr %q, env/ holds it: %v", code, stderr, has("env/hp2cEP"))
	}
	_, _, code = runMain(t, dir, "run", "experiment.star")
	if code != 0 || !has("results/8gWVkz") || has("env/8gWVkz") {
		t.Errorf("the script's storage= comes before $MACHINABLE_STORAGE: exit %d", code)
	}
	_, _, code = runMain(t, dir, "run", "experiment.star", "--storage", "./flag", "--seed", "2")
	if code != 0 || !has("flag") || has("env/5x6N15") {
		t.Errorf("--storage comes first: exit %d", code)
	}
	_, _, code = runMain(t, dir, "execute", "optimization", "--seed", "3")
	if entries := experimentDirs(t, filepath.Join(dir, "env")); code != 0 || len(entries) != 2 {
		t.Errorf("execute with $MACHINABLE_STORAGE: exit %d, %d experiments in env/, want 2", code, len(entries))
	}
	// ls reads the same storage
	stdout, _, code := runMain(t, dir, "ls")
	if code != 0 || !strings.Contains(stdout, "hp2cEP") || strings.Contains(stdout, "8gWVkz") {
		t.Errorf("ls with $MACHINABLE_STORAGE: %d\n%s", code, stdout)
	}
}

// TestRelativePathsInScriptsFollowTheFile: storage=, Storage() and
// project= in a .star file are relative to the file; --storage to the
// current directory; the read commands find the project's results from
// any subdirectory and say so.
func TestRelativePathsInScriptsFollowTheFile(t *testing.T) {
	t.Setenv("MACHINABLE_STORAGE", "")
	dir := quickstart(t)
	sub := filepath.Join(dir, "scripts", "deep")
	os.MkdirAll(sub, 0o755)
	os.WriteFile(filepath.Join(dir, "scripts", "run.star"), []byte(`
execute(Experiment().component("optimization").repeat(3), storage="../results", seed=42)
print("stored:", len(Storage("../results").experiments))
`), 0o644)

	// started from elsewhere, the script's path is the script's
	stdout, stderr, code := runMain(t, sub, "run", "../run.star")
	if code != 0 || !strings.Contains(stdout, "stored: 1") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "results", "8gWVkz", "execution.json")); err != nil {
		t.Errorf("storage=\"../results\" in scripts/run.star should be <project>/results: %v", err)
	}
	if _, err := os.Stat(filepath.Join(sub, "..", "results")); err == nil {
		t.Error("the storage was resolved against the current directory")
	}

	// read commands from a subdirectory find <project>/results and say so
	for _, args := range [][]string{{"ls"}, {"show", "8gWVkz"}, {"status", "8gWVkz"}, {"records", "8gWVkz"}} {
		stdout, stderr, code := runMain(t, sub, args...)
		if code != 0 || !strings.Contains(stdout, "8gWVkz") && !strings.Contains(stdout, "e9DJBHuoiCvn") ||
			!strings.Contains(stderr, "using storage "+filepath.Join(dir, "results")) {
			t.Errorf("%v from a subdirectory: exit %d\nstdout %s\nstderr %s", args, code, stdout, stderr)
		}
	}
	// at the project root nothing extra is said
	stdout, stderr, code = runMain(t, dir, "ls")
	if code != 0 || stderr != "" || !strings.Contains(stdout, "8gWVkz") {
		t.Errorf("ls at the root: exit %d, stderr %q", code, stderr)
	}

	// --storage is relative to the current directory
	_, stderr, code = runMain(t, sub, "run", "../run.star", "--storage", "here", "--seed", "7")
	if entries := experimentDirs(t, filepath.Join(sub, "here")); code != 0 || len(entries) != 1 {
		t.Errorf("--storage here from %s: exit %d, stderr %q", sub, code, stderr)
	}
}

// TestReadCommandsSayWhereTheyLooked: no storage names the directories
// searched; an empty one says it holds no experiments.
func TestReadCommandsSayWhereTheyLooked(t *testing.T) {
	t.Setenv("MACHINABLE_STORAGE", "")
	dir := quickstart(t)
	sub := filepath.Join(dir, "a", "b")
	os.MkdirAll(sub, 0o755)
	_, stderr, code := runMain(t, sub, "ls")
	want := "looked at " + filepath.Join(sub, "results") + ", " + filepath.Join(dir, "a", "results") + ", " + filepath.Join(dir, "results") + ")"
	if code != ExitError || !strings.Contains(stderr, want) || !strings.Contains(stderr, "--storage") {
		t.Errorf("ls without storage: exit %d, stderr %q, want %q", code, stderr, want)
	}
	// outside a project only the current directory is looked at
	outside := t.TempDir()
	_, stderr, code = runMain(t, outside, "show", "8gWVkz")
	if code != ExitError || !strings.Contains(stderr, "no results directory in "+outside+" (not inside a project") {
		t.Errorf("show outside a project: exit %d, stderr %q", code, stderr)
	}
	os.Mkdir(filepath.Join(dir, "results"), 0o755)
	_, stderr, code = runMain(t, dir, "show", "8gWVkz")
	if code != ExitError || !strings.Contains(stderr, "experiment 8gWVkz not found: no experiments in storage ./results") {
		t.Errorf("show in an empty storage: exit %d, stderr %q", code, stderr)
	}
}

// TestWrongCaseExperimentID: IDs encode the seed, so 8gwvkz is another
// experiment than 8gWVkz; it is not opened in its place, only suggested.
func TestWrongCaseExperimentID(t *testing.T) {
	t.Setenv("MACHINABLE_STORAGE", "")
	dir := quickstart(t)
	if _, stderr, code := runMain(t, dir, "run", "experiment.star"); code != 0 {
		t.Fatal(stderr)
	}
	for _, args := range [][]string{{"show", "8gwvkz"}, {"status", "8gwvkz"}, {"records", "8gwvkz"},
		{"config", "8gwvkz/e9DJBHuoiCvn"}, {"log", "8gwvkz/e9DJBHuoiCvn"}, {"resume", "8gwvkz"}} {
		stdout, stderr, code := runMain(t, dir, args...)
		if code != ExitError || !strings.Contains(stderr, "experiment 8gwvkz not found in storage ./results") ||
			!strings.Contains(stderr, "did you mean 8gWVkz?") || strings.Contains(stdout, "8gWVkz") {
			t.Errorf("%v: exit %d\nstdout %s\nstderr %s", args, code, stdout, stderr)
		}
	}
}

// TestClosedPipeDoesNotAbandonTheRun: `machinable run x.star | head -c 64`
// closes the run's stdout early; the run goes on, every component
// finishes, the experiment is complete and the exit code is the usual
// one. Output is large enough (several pipe buffers) that later writes
// hit the closed pipe: from the progress lines, print() in the process
// and, with process:2, the workers' output the engine passes on.
func TestClosedPipeDoesNotAbandonTheRun(t *testing.T) {
	for _, engine := range []string{"", `, engine="process:2"`} {
		t.Run("engine"+engine, func(t *testing.T) {
			dir := quickstart(t)
			os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte("components:\n  - chatty:\n      lines: 4000\n"), 0o644)
			os.WriteFile(filepath.Join(dir, "chatty.star"), []byte(`def on_execute(self):
    for i in range(self.config.lines):
        print("line", i, "of a component that says a lot, to fill the pipe's buffer")
    self.log.info("done")
    self.store.write("done.json", {"ok": True})
`), 0o644)
			os.WriteFile(filepath.Join(dir, "chatty_run.star"), []byte(
				`execute(Experiment().component("chatty").repeat(4), storage="./results", seed=5`+engine+")\n"+
					// an external program: its output is copied to the console
					`execute(command(["sh", "-c", "seq 1 30000; seq 1 30000 >&2"]), storage="./results", seed=6`+engine+")\n"+
					`print("after")`+"\n"), 0o644)
			// A run stuck on its console (a command whose output copy
			// stopped) fails here rather than at the test's deadline.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary(t), "run", "chatty_run.star")
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64)
			if _, err := io.ReadFull(out, buf); err != nil {
				cmd.Wait()
				t.Fatalf("%v\nstderr:\n%s", err, stderr.String())
			}
			out.Close() // what head does after its bytes
			err = cmd.Wait()
			if err != nil {
				t.Fatalf("run with its stdout closed: %v (a SIGPIPE death says \"signal: broken pipe\")\nstderr:\n%s", err, stderr.String())
			}
			st := statuses(t, dir)
			if len(st) != 5 || count(st, "finished") != 5 {
				t.Errorf("statuses %v, want 5 finished", st)
			}
			done, _ := filepath.Glob(filepath.Join(dir, "results", "*", "*", "store", "done.json"))
			logs, _ := filepath.Glob(filepath.Join(dir, "results", "*", "*", "output.log"))
			if len(done) != 4 || len(logs) != 5 {
				t.Errorf("%d done.json, %d output.log, want 4 and 5", len(done), len(logs))
			}
			for _, l := range logs {
				// everything reaches the storage even when the console is gone
				if b, _ := os.ReadFile(l); strings.Count(string(b), "\n") != 4000 && strings.Count(string(b), "\n") != 60000 {
					t.Errorf("%s: %d lines, want 4000 (print) or 60000 (the command)", l, strings.Count(string(b), "\n"))
				}
			}
			if len(done) == 0 {
				return
			}
			stdout, stderrText, code := runMain(t, dir, "status", filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(done[0])))))
			if code != 0 || !strings.Contains(stdout, "4 finished, 0 running, 0 failed, 0 interrupted, 0 stale, 0 queued") {
				t.Errorf("status after the run: exit %d\n%s\n%s", code, stdout, stderrText)
			}
		})
	}
}

// TestFailuresAlsoOnStderr: with stdout not a terminal, each failure (the
// component and its whole error) and the summary line also reach stderr;
// with both on one file they are written once.
func TestFailuresAlsoOnStderr(t *testing.T) {
	t.Setenv("MACHINABLE_STORAGE", "")
	bin := binary(t) // built before runMain changes the directory
	dir := quickstart(t)
	os.WriteFile(filepath.Join(dir, "broken.star"), []byte("def on_execute(self):\n    fail(\"boom\")\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte("components:\n  - optimization:\n      learning_rate: 0.1\n      iterations: 2\n      data: {name: x}\n  - broken:\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "two.star"), []byte(`execute(Experiment().component("broken").component("optimization"), storage="./results", seed=3)`+"\n"), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "two.star")
	if code != ExitFailed {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	summary := regexp.MustCompile(`Experiment (\w{6}): 1 finished, 1 failed in \S+`).FindString(stdout)
	if summary == "" || !strings.Contains(stderr, summary+"\n") {
		t.Errorf("summary %q not on stderr:\n%s", summary, stderr)
	}
	failure := regexp.MustCompile(`component \w{12} \(broken\) of experiment \w{6} failed:\non_execute: Traceback \(most recent call last\):\n\s+\S+broken\.star:2:9: in on_execute\nError in fail: boom\n`)
	if !failure.MatchString(stderr) {
		t.Errorf("the failure with its whole error not on stderr:\n%s", stderr)
	}
	// execute and resume report the same way
	_, stderr, code = runMain(t, dir, "execute", "broken", "--storage", "./results", "--seed", "4")
	if code != ExitFailed || !strings.Contains(stderr, "(broken) of experiment") || !strings.Contains(stderr, "0 finished, 1 failed") {
		t.Errorf("execute: exit %d, stderr %q", code, stderr)
	}
	id := regexp.MustCompile(`Experiment (\w{6})`).FindStringSubmatch(summary)[1]
	_, stderr, code = runMain(t, dir, "resume", id)
	if code != ExitFailed || !strings.Contains(stderr, "(broken) of experiment "+id) || !strings.Contains(stderr, "Experiment "+id+": 1 finished, 1 failed") {
		t.Errorf("resume: exit %d, stderr %q", code, stderr)
	}

	// the real binary with stdout and stderr on one file: written once
	log := filepath.Join(t.TempDir(), "log.txt")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "two.star", "--seed", "9")
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, f, f
	cmd.Run()
	f.Close()
	b, _ := os.ReadFile(log)
	if n := strings.Count(string(b), "1 finished, 1 failed in"); n != 1 {
		t.Errorf("2>&1: summary written %d times:\n%s", n, b)
	}

	// stdout a terminal: failures and summary once, there
	requireTmux(t)
	errFile := filepath.Join(t.TempDir(), "stderr.txt")
	m := startTmux(t, dir, 120, 40, bin+" run two.star --seed 10 2>"+errFile+"; echo EXIT=$?; sleep 600")
	screen := m.waitScreen("the exit status", regexp.MustCompile(`EXIT=\d+`), time.Minute)
	if !strings.Contains(screen, "EXIT=1") || !strings.Contains(screen, "1 finished, 1 failed") {
		t.Errorf("on a terminal:\n%s", screen)
	}
	if b, err := os.ReadFile(errFile); err != nil || len(b) != 0 {
		t.Errorf("stdout a terminal, stderr got %q (%v), want nothing", b, err)
	}
}

// TestFlagErrorsNameTheFlag: a bad --engine, --storage, --seed or
// --project is the flag's error (exit 2), not a Starlark error at the
// script's execute() line, and nothing runs.
func TestFlagErrorsNameTheFlag(t *testing.T) {
	dir := quickstart(t)
	os.WriteFile(filepath.Join(dir, "afile"), []byte("x"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--engine", "bogus"}, `error: --engine bogus: unknown engine "bogus"; known engines:`},
		{[]string{"--storage", "ftp://host/x"}, `error: --storage ftp://host/x: unsupported scheme "ftp" (expected mem://, s3://, file://, osfs:// or a local path)`},
		{[]string{"--storage", "afile"}, `error: --storage afile: ` + filepath.Join(dir, "afile") + ` is a file, expected a directory`},
		{[]string{"--seed", "abc"}, `error: --seed "abc": expected an integer or a 6-character experiment ID`},
		{[]string{"--project", "nowhere"}, `error: --project nowhere: no such directory`},
		{[]string{"--project", "afile"}, `error: --project afile: not a directory`},
	} {
		for _, cmd := range [][]string{{"run", "experiment.star"}, {"execute", "optimization"}} {
			args := append(append([]string{}, cmd...), tc.args...)
			stdout, stderr, code := runMain(t, dir, args...)
			if code != ExitError || !strings.HasPrefix(stderr, tc.want) || strings.Contains(stderr, "experiment.star:") ||
				strings.Contains(stderr, "Traceback") || stdout != "" {
				t.Errorf("%v: exit %d\nstderr %s\nstdout %s", args, code, stderr, stdout)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "results")); !os.IsNotExist(err) {
		t.Error("a run with a bad flag wrote results")
	}
}

// TestRefusedEngineLeavesNoExperiment: an engine whose preconditions
// fail is refused before the experiment is written, with what to do, so
// there is no half-made experiment to find with ls or to resume.
func TestRefusedEngineLeavesNoExperiment(t *testing.T) {
	t.Setenv("MACHINABLE_STORAGE", "")
	dir := quickstart(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--engine", "ray", "--engine-opt", "address=http://127.0.0.1:1"}, "engine ray: nothing listens at http://127.0.0.1:1 (connection refused): start a cluster"},
		{[]string{"--engine", "process:2", "--storage", "mem://"}, "cannot see a mem:// storage; use a local path (or s3://): pass --storage ./results, or give storage= to execute()"},
		{[]string{"--engine", "detached", "--storage", "mem://"}, "engine detached: the background process cannot see a mem:// storage"},
	} {
		stdout, stderr, code := runMain(t, dir, append([]string{"run", "experiment.star"}, tc.args...)...)
		if code != ExitError || !strings.Contains(stderr, tc.want) || strings.Contains(stdout, "Experiment 8gWVkz") {
			t.Errorf("%v: exit %d\nstdout %s\nstderr %s", tc.args, code, stdout, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "results")); !os.IsNotExist(err) {
			t.Errorf("%v: results written: %v", tc.args, err)
		}
	}
	// the same storage afterwards holds only what ran
	if _, _, code := runMain(t, dir, "run", "experiment.star"); code != 0 {
		t.Fatal("a plain run after the refused ones failed")
	}
	stdout, _, _ := runMain(t, dir, "status", "8gWVkz")
	if !strings.Contains(stdout, "3 finished, 0 running, 0 failed") {
		t.Errorf("status:\n%s", stdout)
	}
}

// TestWarningsAlsoOnStderr: with stdout not a terminal, a warning (here
// a version key the config does not have) is on stdout in its place and
// also on stderr, with the failures and the summary; component output
// is not repeated there.
func TestWarningsAlsoOnStderr(t *testing.T) {
	t.Setenv("MACHINABLE_STORAGE", "")
	dir := quickstart(t)
	os.WriteFile(filepath.Join(dir, "typo.star"), []byte(`execute(Experiment().component("optimization", {"learnin_rate": 0.2}), storage="./results", seed=5)`+"\n"), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "typo.star")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	warning := regexp.MustCompile(`(?m)^warning: .*learnin_rate.*did you mean .*learning_rate.*$`).FindString(stdout)
	if warning == "" {
		t.Fatalf("no warning on stdout:\n%s", stdout)
	}
	if !strings.Contains(stderr, warning+"\n") {
		t.Errorf("warning %q not on stderr:\n%s", warning, stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !strings.HasPrefix(line, "warning: ") && !strings.HasPrefix(line, "Experiment ") {
			t.Errorf("stderr has a line that is neither a warning nor the summary: %q", line)
		}
	}
}

// experimentDirs lists the folders of a storage root (not its
// .gitignore, which marks a storage made inside a project).
func experimentDirs(t *testing.T, root string) []string {
	t.Helper()
	entries, _ := os.ReadDir(root)
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}
