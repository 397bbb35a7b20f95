package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
)

// timestamps removes what legitimately differs between two runs.
var timestamps = regexp.MustCompile(`"(_time|started_at|heartbeat_at|finished_at)":\s*"[^"]*"`)

// reproducible reads every file of an experiment whose content must not
// change between runs of the same seed: records (without their
// timestamps), stored values, printed output, the schedule and each
// component.json.
func reproducible(t *testing.T, exp string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, pattern := range []string{"schedule.json", "*/component.json", "*/components.json", "*/records/*.jsonl", "*/store/*", "*/store.json", "*/output.log"} {
		files, _ := filepath.Glob(filepath.Join(exp, pattern))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(exp, f)
			out[rel] = timestamps.ReplaceAllString(string(b), `"$1":"-"`)
		}
	}
	return out
}

// TestReplay: the same experiment ID as seed, into fresh storages and on
// every engine, reproduces IDs, flags, config and records exactly; so does
// the integer seed the ID came from.
func TestReplay(t *testing.T) {
	dir := quickstart(t)
	runs := map[string][]string{
		"script seed=42, native":  {"run", "experiment.star", "--storage", "a"},
		"--seed 8gWVkz, native":   {"run", "experiment.star", "--storage", "b", "--seed", "8gWVkz"},
		"--seed 8gWVkz, native:3": {"run", "experiment.star", "--storage", "c", "--seed", "8gWVkz", "--engine", "native:3"},
	}
	var first map[string]string
	var firstName string
	for name, args := range runs {
		if _, stderr, code := runMain(t, dir, args...); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		files := reproducible(t, filepath.Join(dir, args[3], "8gWVkz"))
		if len(files) < 3*4 {
			t.Fatalf("%s: only %d files compared", name, len(files))
		}
		if first == nil {
			first, firstName = files, name
			continue
		}
		if !reflect.DeepEqual(files, first) {
			for f := range first {
				if files[f] != first[f] {
					t.Errorf("%s differs from %s in %s:\n%s\n---\n%s", name, firstName, f, files[f], first[f])
				}
			}
		}
	}
}
