package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// complete runs `machinable __complete ARGS...` (what the shell scripts
// call) and returns the candidates and the directive line.
func complete(t *testing.T, dir string, args ...string) ([]string, string) {
	t.Helper()
	stdout, stderr, code := runMain(t, dir, append([]string{"__complete"}, args...)...)
	if code != ExitOK {
		t.Fatalf("__complete %q: exit %d\n%s", args, code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

// TestCompletion: components and versions of the project, experiment IDs
// (and components after ID/) of the default storage or --storage,
// engines, and .star files for run.
func TestCompletion(t *testing.T) {
	dir := quickstart(t)
	if _, stderr, code := runMain(t, dir, "run", "experiment.star"); code != ExitOK {
		t.Fatalf("run: %s", stderr)
	}
	other := filepath.Join(t.TempDir(), "other")
	if _, stderr, code := runMain(t, dir, "execute", "optimization", "--seed", "7", "--storage", other); code != ExitOK {
		t.Fatalf("execute: %s", stderr)
	}
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	const (
		noFile   = ":4"
		noSpace  = ":6" // no space and no files
		starFile = ":8"
		dirs     = ":16"
	)
	for _, c := range []struct {
		in        string // working directory
		args      []string
		want      string // the candidates joined by "|"
		directive string
	}{
		{dir, []string{"execute", ""}, "optimization", noFile},
		{sub, []string{"execute", "opt"}, "optimization", noFile}, // machinable.yaml above
		{dir, []string{"execute", "x"}, "", noFile},
		{dir, []string{"execute", "optimization", "--version", ""}, "~mnist", noFile},
		{dir, []string{"execute", "optimization", "--version", "~"}, "~mnist", noFile},
		{dir, []string{"execute", "nosuch", "--version", ""}, "", noFile},
		{dir, []string{"show", ""}, "8gWVkz\t", noFile},
		{sub, []string{"status", "8g"}, "8gWVkz\t", noFile}, // ./results of the project above
		{dir, []string{"show", "x"}, "", noFile},
		{dir, []string{"show", "--storage", other, ""}, "TppxXr\t", noFile},
		{dir, []string{"resume", "--storage=" + other, "T"}, "TppxXr\t", noFile},
		{dir, []string{"log", ""}, "8gWVkz/\t", noSpace},
		{dir, []string{"log", "8gWVkz/e9"}, "8gWVkz/e9DJBHuoiCvn\toptimization", noFile},
		{dir, []string{"config", "8gWVkz/"}, "8gWVkz/e9DJBHuoiCvn\toptimization|8gWVkz/XfOWPgKJCcuh\toptimization|8gWVkz/9NTO7Rgg7Ag1\toptimization", noFile},
		{dir, []string{"records", ""}, "8gWVkz\t", noFile},
		{dir, []string{"show", "8gWVkz", ""}, "", noFile},
		{dir, []string{"run", "--engine", ""}, "detached|dry|native|process|ray|remote|slurm", noFile},
		{dir, []string{"execute", "optimization", "--engine", "n"}, "detached|dry|native|process|ray|remote|slurm", noFile},
		{dir, []string{"run", ""}, "star", starFile},
		{dir, []string{"run", "experiment.star", ""}, "", noFile},
		{dir, []string{"ls", "--storage", ""}, "", dirs},
	} {
		got, directive := complete(t, c.in, c.args...)
		joined := strings.Join(got, "|")
		// IDs are described by their start time, which varies
		if strings.HasSuffix(c.want, "\t") {
			var ids []string
			for _, g := range got {
				id, _, _ := strings.Cut(g, "\t")
				ids = append(ids, id+"\t")
			}
			joined = strings.Join(ids, "|")
		}
		if joined != c.want || directive != c.directive {
			t.Errorf("__complete %q in %s:\n got %q %s\nwant %q %s", c.args, filepath.Base(c.in), joined, directive, c.want, c.directive)
		}
	}
}
