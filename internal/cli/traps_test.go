package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if entries, _ := os.ReadDir(filepath.Join(dir, "env")); code != 0 || len(entries) != 2 {
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
	if entries, _ := os.ReadDir(filepath.Join(sub, "here")); code != 0 || len(entries) != 1 {
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
