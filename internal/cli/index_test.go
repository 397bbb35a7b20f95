package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/index"
	"github.com/machinable-go/machinable/internal/synth"
	"github.com/machinable-go/machinable/storage"
)

func synthStorage(t *testing.T, exps, per int) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "results")
	if _, err := synth.Write(root, synth.Options{Experiments: exps, Components: per, Seed: 3, FailEvery: 4}); err != nil {
		t.Fatal(err)
	}
	return root
}

func dataLines(out string) []string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[1:] // below the header
}

func TestLsWhere(t *testing.T) {
	root := synthStorage(t, 4, 5) // learning rates 0.01..0.10 by component, every 4th failed
	dir := filepath.Dir(root)
	stdout, stderr, code := runMain(t, dir, "ls", "--storage", root, "--where", "config.learning_rate > 0.05", "--where", "status = finished")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	header := strings.Fields(strings.Split(stdout, "\n")[0])
	if strings.Join(header, " ") != "COMPONENT EXPERIMENT NAME STATUS STARTED config.learning_rate" {
		t.Fatalf("header %q", header)
	}
	// components n = 0..19: lr = (1 + n%10)/100 > 0.05 and n%4 != 3
	want := 0
	for n := 0; n < 20; n++ {
		if 1+n%10 > 5 && n%4 != 3 {
			want++
		}
	}
	lines := dataLines(stdout)
	if len(lines) != want {
		t.Fatalf("%d components listed, want %d:\n%s", len(lines), want, stdout)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		if f[3] != "finished" || f[len(f)-1] <= "0.05" {
			t.Errorf("listed: %s", l)
		}
	}
	if _, err := os.Stat(filepath.Join(root, index.FileName)); err != nil {
		t.Fatalf("the first search made no index: %v", err)
	}

	stdout, _, code = runMain(t, dir, "ls", root, "--experiments", "--where", "status = failed")
	if code != 0 || len(dataLines(stdout)) != 4 || !strings.HasPrefix(stdout, "ID") {
		t.Fatalf("--experiments: exit %d\n%s", code, stdout)
	}
	if m := regexp.MustCompile(`(?m)^\w{6}\s+\S+ \S+\s+-\s+(\d+)\s`).FindAllStringSubmatch(stdout, -1); len(m) != 4 {
		t.Fatalf("--experiments rows: %q", stdout)
	}

	stdout, _, code = runMain(t, dir, "ls", root, "--where", "name = nobody")
	if code != 0 || !strings.HasPrefix(stdout, "No component of storage "+root+" matches 'name = nobody'") {
		t.Fatalf("no match: exit %d %q", code, stdout)
	}

	for args, want := range map[string]string{
		"--where|stauts = finished": "unknown field stauts (did you mean status?)",
		"--where|status = finshed":  "unknown status finshed (did you mean finished?)",
		"--where|config.lr":         "expected FIELD OP VALUE",
		"--experiments":             "--experiments lists the experiments holding the components --where matches",
	} {
		_, stderr, code := runMain(t, dir, append([]string{"ls", root}, strings.Split(args, "|")...)...)
		if code != ExitError || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", args, code, stderr, want)
		}
	}
}

func TestIndexRebuild(t *testing.T) {
	root := synthStorage(t, 3, 4)
	dir := filepath.Dir(root)
	stdout, stderr, code := runMain(t, dir, "index", "rebuild", root)
	if code != 0 || !regexp.MustCompile(`^Indexed 3 experiments, 12 components in `+regexp.QuoteMeta(filepath.Join(root, index.FileName))+` \(\d+\.\ds\)\n$`).MatchString(stdout) {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	// a damaged index: set aside with a warning, made again
	other := filepath.Join(t.TempDir(), "results") // a fresh process would open the file again
	if _, err := synth.Write(other, synth.Options{Experiments: 2, Components: 2, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, index.FileName), []byte("not sqlite"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runMain(t, dir, "ls", other, "--where", "flags.REPEAT_NUMBER >= 0")
	if code != 0 || len(dataLines(stdout)) != 4 || !strings.Contains(stderr, "warning: index "+filepath.Join(other, index.FileName)+" is damaged") {
		t.Fatalf("damaged index: exit %d\n%s%s", code, stdout, stderr)
	}
	_, stderr, code = runMain(t, dir, "index", "rebuild", "mem://nothing-here", "extra")
	if code != ExitError || !strings.Contains(stderr, "expected at most one argument") {
		t.Fatalf("two arguments: %d %s", code, stderr)
	}
}

// A run keeps an existing index up to date without a search refreshing it.
func TestRunUpdatesIndex(t *testing.T) {
	dir := quickstart(t)
	if _, stderr, code := runMain(t, dir, "run", "experiment.star"); code != 0 {
		t.Fatalf("run: %s", stderr)
	}
	results := filepath.Join(dir, "results")
	stdout, _, code := runMain(t, dir, "ls", "--where", "status = finished")
	if code != 0 || len(dataLines(stdout)) != 3 {
		t.Fatalf("after the first run: %s", stdout)
	}
	if _, stderr, code := runMain(t, dir, "run", "experiment.star", "--seed", "7"); code != 0 {
		t.Fatalf("second run: %s", stderr)
	}
	st, err := storage.Open(results)
	if err != nil {
		t.Fatal(err)
	}
	ix := index.Existing(st)
	if ix == nil {
		t.Fatal("no index")
	}
	ms, err := ix.Search(context.Background(), nil, index.SearchOptions{NoRefresh: true})
	if err != nil {
		t.Fatal(err)
	}
	finished := 0
	for _, m := range ms {
		if m.State == "finished" {
			finished++
		}
	}
	if len(ms) != 6 || finished != 6 {
		t.Fatalf("index after the second run, unrefreshed: %d components, %d finished", len(ms), finished)
	}
}

// A failed component is settled for the index's refresh; resuming it
// runs through the executor, which tells the index.
func TestResumeUpdatesIndex(t *testing.T) {
	dir := quickstart(t)
	os.WriteFile(filepath.Join(dir, "broken.star"), []byte("def on_execute(self):\n    fail(\"boom\")\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte("components:\n  - optimization:\n      learning_rate: 0.1\n      iterations: 2\n      data: {name: x}\n  - broken:\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "two.star"), []byte(`execute(Experiment().component("broken").component("optimization"), storage="./results", seed=5)`+"\n"), 0o644)
	if _, stderr, code := runMain(t, dir, "run", "two.star"); code != ExitFailed {
		t.Fatalf("run: %d %s", code, stderr)
	}
	stdout, _, _ := runMain(t, dir, "ls", "--where", "status = failed")
	lines := dataLines(stdout)
	if len(lines) != 1 {
		t.Fatalf("failed: %s", stdout)
	}
	expID := strings.Fields(lines[0])[1]
	os.WriteFile(filepath.Join(dir, "broken.star"), []byte("def on_execute(self):\n    pass\n"), 0o644)
	if stdout, stderr, code := runMain(t, dir, "resume", expID); code != 0 {
		t.Fatalf("resume: %d\n%s%s", code, stdout, stderr)
	}
	stdout, _, _ = runMain(t, dir, "ls", "--where", "status = finished", "--where", "name = broken")
	if len(dataLines(stdout)) != 1 {
		t.Fatalf("after resume: %s", stdout)
	}
	if stdout, _, _ = runMain(t, dir, "ls", "--where", "status = failed"); !strings.HasPrefix(stdout, "No component") {
		t.Fatalf("still failed after resume: %s", stdout)
	}
}

func TestIndexRebuildCompletesDirectories(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"__complete", "index", "rebuild", ""}, {"__complete", "index", "rebuild", "--storage", ""}} {
		stdout, _, code := runMain(t, dir, args...)
		if code != 0 || !strings.HasPrefix(stdout, ":16\n") {
			t.Errorf("%q: exit %d, %q; want directories (:16)", args, code, stdout)
		}
	}
}

func TestLsWhereCompletesFields(t *testing.T) {
	stdout, _, code := runMain(t, t.TempDir(), "__complete", "ls", "--where", "")
	if code != 0 || !strings.HasPrefix(stdout, "config.\nflags.\nname\nstatus\n") || !strings.Contains(stdout, ":6\n") {
		t.Fatalf("exit %d, %q", code, stdout)
	}
}
