package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The experiment in testdata/schedule-format-1 was stored by the release
// before schedule format 2, whose rules gave this plan 3 components with
// other IDs (its repeat covered only the node, and the node's
// sub-component drew a seed). One of its components never ran. Running
// the same script today resumes the stored schedule: the pending
// component runs under its stored ID, nothing stored changes, and the
// reading commands work.
func TestScheduleFormat1IsResumedAsStored(t *testing.T) {
	dir := formatOneCopy(t)
	exp := filepath.Join(dir, "results", "8gWVkz")
	before := snapshot(t, exp)

	stdout, stderr, code := runMain(t, dir, "run", "sweep.star")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Rhv6KygCX70A optimization finished") {
		t.Errorf("the pending component did not run under its stored ID:\n%s", stdout)
	}
	for _, id := range []string{"e9DJBHuoiCvn", "9NTO7Rgg7Ag1"} {
		if strings.Contains(stdout, id+" optimization finished in") {
			t.Errorf("finished component %s ran again:\n%s", id, stdout)
		}
	}
	after := snapshot(t, exp)
	for p, content := range before {
		if after[p] != content {
			t.Errorf("%s changed", p)
		}
	}
	entries, err := os.ReadDir(exp)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if strings.Join(dirs, " ") != "9NTO7Rgg7Ag1 Rhv6KygCX70A e9DJBHuoiCvn" {
		t.Errorf("component directories %v, want the 3 stored IDs", dirs)
	}

	stdout, stderr, code = runMain(t, dir, "ls", "results")
	if code != 0 || !strings.Contains(stdout, "8gWVkz") || !regexp.MustCompile(`8gWVkz .* 3 +3 +0 +0`).MatchString(stdout) {
		t.Errorf("ls: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = runMain(t, dir, "show", "8gWVkz", "--storage", "results")
	if code != 0 || !strings.Contains(stdout, "Rhv6KygCX70A") || !strings.Contains(stdout, "e9DJBHuoiCvn") {
		t.Errorf("show: exit %d\n%s%s", code, stdout, stderr)
	}

	// A new experiment records the format its schedule was made with.
	os.WriteFile(filepath.Join(dir, "fresh.star"), []byte(`execute(Experiment().component("optimization"), storage="./results", seed=43, code_backup=False)
`), 0o644)
	if _, stderr, code := runMain(t, dir, "run", "fresh.star"); code != 0 {
		t.Fatalf("fresh run: exit %d\n%s", code, stderr)
	}
	var fresh struct {
		ScheduleFormat int `json:"schedule_format"`
	}
	readJSON(t, filepath.Join(dir, "results", "JvrjPh", "execution.json"), &fresh)
	if fresh.ScheduleFormat != 2 {
		t.Errorf("schedule_format %d, want 2", fresh.ScheduleFormat)
	}

	// A changed plan is still refused.
	os.WriteFile(filepath.Join(dir, "changed.star"), []byte(`execute(Experiment().components("optimization", ["optimization"]).repeat(3), storage="./results", seed=42, code_backup=False)
`), 0o644)
	_, stderr, code = runMain(t, dir, "run", "changed.star")
	if code != ExitError || !strings.Contains(stderr, "holds a different plan (the plan differs from the one stored)") {
		t.Errorf("changed plan: exit %d\n%s", code, stderr)
	}
}

// `machinable resume` runs what is left of such an experiment from its
// stored schedule, under the stored IDs.
func TestScheduleFormat1Resume(t *testing.T) {
	dir := formatOneCopy(t)
	// execution.json records where the project was when it ran; the copy
	// is elsewhere.
	t.Setenv("MACHINABLE_PROJECT", dir)
	stdout, stderr, code := runMain(t, dir, "resume", "8gWVkz", "--storage", "results")
	if code != 0 || !strings.Contains(stdout, "Rhv6KygCX70A optimization finished") || strings.Contains(stdout, "e9DJBHuoiCvn optimization finished in") {
		t.Errorf("resume: exit %d, want only Rhv6KygCX70A to run\n%s%s", code, stdout, stderr)
	}
}

// formatOneCopy copies the format-1 fixture, results included.
func formatOneCopy(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "project")
	copyDir(t, "testdata/schedule-format-1/project", dir)
	copyTree(t, "testdata/schedule-format-1/project/results", filepath.Join(dir, "results"))
	return dir
}
