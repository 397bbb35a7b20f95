package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInit: the starter project runs as written, and a second init
// refuses without touching anything.
func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "proj")
	stdout, stderr, code := runMain(t, t.TempDir(), "init", dir)
	if code != ExitOK {
		t.Fatalf("init: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, name := range []string{"machinable.yaml", "model.star", "experiment.star", ".gitignore"} {
		if !strings.Contains(stdout, filepath.Join(dir, name)) {
			t.Errorf("init should say it wrote %s:\n%s", name, stdout)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".gitignore")); string(b) != "results/\n" {
		t.Errorf(".gitignore: %q", b)
	}
	if fi, err := os.Stat(filepath.Join(dir, ".git")); err != nil || !fi.IsDir() || !strings.Contains(stdout, "started a git repository in "+dir) {
		t.Errorf("init outside a repository should start one (%v):\n%s", err, stdout)
	}
	stdout, stderr, code = runMain(t, dir, "run", "experiment.star")
	if code != ExitOK || !strings.Contains(stdout, "3 finished, 0 failed") || !strings.Contains(stdout, "final loss") {
		t.Fatalf("run experiment.star: exit %d\n%s%s", code, stdout, stderr)
	}
	// in a repository, the backup follows .gitignore: no warning on a first run
	if strings.Contains(stdout+stderr, "warning") {
		t.Errorf("the starter project's first run warns:\n%s%s", stdout, stderr)
	}
	if execs, _ := filepath.Glob(filepath.Join(dir, "results", "*", "execution.json")); len(execs) != 1 {
		t.Errorf("want one stored experiment in results/, got %v", execs)
	}
	if recs, _ := filepath.Glob(filepath.Join(dir, "results", "*", "*", "records", "default.jsonl")); len(recs) != 3 {
		t.Errorf("want records of 3 components, got %v", recs)
	}

	// a second init, in the directory itself: refuses, lists the files, writes nothing
	yaml := filepath.Join(dir, "machinable.yaml")
	os.WriteFile(yaml, []byte("components:\n  - mine:\n"), 0o644)
	os.Remove(filepath.Join(dir, "model.star"))
	_, stderr, code = runMain(t, dir, "init")
	if code != ExitError || !strings.Contains(stderr, "machinable.yaml, experiment.star, .gitignore already exist; nothing was written") {
		t.Errorf("second init: exit %d, %q", code, stderr)
	}
	if b, _ := os.ReadFile(yaml); string(b) != "components:\n  - mine:\n" {
		t.Errorf("machinable.yaml was overwritten: %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "model.star")); !os.IsNotExist(err) {
		t.Error("a refused init wrote model.star")
	}
}

// TestInitGit: init starts no repository inside one (the project is a
// directory of it) and none with --no-git.
func TestInitGit(t *testing.T) {
	outer := t.TempDir()
	if _, _, code := runMain(t, outer, "init", "--no-git"); code != ExitOK {
		t.Fatal("init --no-git failed")
	}
	if _, err := os.Stat(filepath.Join(outer, ".git")); !os.IsNotExist(err) {
		t.Fatalf("init --no-git started a repository (%v)", err)
	}
	repo := t.TempDir()
	if _, _, code := runMain(t, repo, "init"); code != ExitOK {
		t.Fatal("init failed")
	}
	stdout, stderr, code := runMain(t, repo, "init", "sub")
	if code != ExitOK || strings.Contains(stdout, "started a git repository") {
		t.Errorf("init inside a repository: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(repo, "sub", ".git")); !os.IsNotExist(err) {
		t.Errorf("init inside a repository started a nested one (%v)", err)
	}
}

// TestNoProjectMessage: a script outside any project is told where
// machinable.yaml was looked for and how to make one.
func TestNoProjectMessage(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "e.star"), []byte(`execute(Experiment().component("model"))`+"\n"), 0o644)
	_, stderr, code := runMain(t, dir, "run", "e.star")
	for _, want := range []string{
		`unknown component "model": no machinable.yaml found (looked in ` + dir + ", " + filepath.Dir(dir) + ", ",
		"      - model:\n",
		"`machinable init` writes a starter project",
	} {
		if code != ExitError || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, %q missing:\n%s", code, want, stderr)
		}
	}
}
