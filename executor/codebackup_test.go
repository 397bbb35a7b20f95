package executor_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/runtime"
)

// gitProject makes a committed git repository holding a small project,
// plus an uncommitted change, an ignored file and a large file.
func gitProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("machinable.yaml", "code_backup:\n  max_file_size: 1KB\ncomponents:\n  - trivial:\n")
	write("trivial.star", "def on_execute(self):\n    pass\n")
	write(".gitignore", "*.log\nresults/\n")
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "init")
	write("notes.md", "untracked\n")
	write("debug.log", "ignored\n")
	write("big.txt", strings.Repeat("x", 2048))
	return dir
}

func zipNames(t *testing.T, data []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	return names
}

// TestCodeBackupInExecution: a disk storage gets code.zip with the files
// git would consider (the storage inside the project left out), and
// execution.json the code version and the effective settings from
// machinable.yaml.
func TestCodeBackupInExecution(t *testing.T) {
	dir := gitProject(t)
	results := filepath.Join(dir, "results")
	res, err := newExecutor(nil).Execute(context.Background(), runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "trivial"}),
		Storage: results, Project: dir, Seed: int64(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := res.Experiment.ReadFile("code.zip")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(zipNames(t, data), " ")
	if want := ".gitignore .machinable/backup.json machinable.yaml notes.md trivial.star"; got != want {
		t.Errorf("code.zip holds %q, want %q", got, want)
	}
	var ex runtime.Execution
	if err := res.Experiment.ReadJSON("execution.json", &ex); err != nil {
		t.Fatal(err)
	}
	v := ex.CodeVersion
	if v == nil || !v.Git || len(v.Commit) != 40 || v.Branch != "main" || !v.Dirty {
		t.Fatalf("code_version = %+v", v)
	}
	if got := strings.Join(v.Modified, ","); !strings.Contains(got, "?? notes.md") || !strings.Contains(got, "?? big.txt") {
		t.Errorf("modified = %v", v.Modified)
	}
	if ex.CodeBackup["enabled"] != true || ex.CodeBackup["max_file_size"] != "1KB" || ex.CodeBackup["skipped"] == nil {
		t.Errorf("code_backup = %v", ex.CodeBackup)
	}
}

// TestCodeBackupDisabled: code_backup=False and mem:// write no code.zip
// but still record the code version.
func TestCodeBackupDisabled(t *testing.T) {
	dir := gitProject(t)
	for name, req := range map[string]runtime.ExecuteRequest{
		"code_backup=False": {Storage: filepath.Join(t.TempDir(), "r"), CodeBackup: false},
		"mem://":            {Storage: memURL(t)},
	} {
		req.Plan = runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "trivial"})
		req.Project, req.Seed = dir, int64(2)
		res, err := newExecutor(nil).Execute(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := res.Experiment.ReadFile("code.zip"); err == nil {
			t.Errorf("%s: code.zip written", name)
		}
		if res.Execution.CodeVersion == nil || !res.Execution.CodeVersion.Git || res.Execution.CodeBackup["enabled"] != false {
			t.Errorf("%s: version %+v settings %v", name, res.Execution.CodeVersion, res.Execution.CodeBackup)
		}
	}
}

// TestCodeBackupBadSettings: wrong settings are refused before anything is
// written, naming the setting.
func TestCodeBackupBadSettings(t *testing.T) {
	dir := gitProject(t)
	results := filepath.Join(t.TempDir(), "r")
	for arg, want := range map[string]any{
		`execute(code_backup=...): unknown key "size"`:   map[string]any{"size": 1},
		`code_backup.max_file_size: expected a positive`: map[string]any{"max_file_size": "lots"},
		`code_backup.exclude: expected a list`:           map[string]any{"exclude": "x"},
		`expected False, True or a dict`:                 "yes",
	} {
		_, err := newExecutor(nil).Execute(context.Background(), runtime.ExecuteRequest{
			Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "trivial"}),
			Storage: results, Project: dir, CodeBackup: want,
		})
		if err == nil || !strings.Contains(err.Error(), arg) {
			t.Errorf("%v: got %v, want %q", want, err, arg)
		}
	}
	if _, err := os.Stat(results); !os.IsNotExist(err) {
		t.Error("bad settings wrote to storage")
	}
}
