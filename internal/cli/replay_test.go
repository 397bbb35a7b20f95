package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// timestamps removes what legitimately differs between two runs.
var timestamps = regexp.MustCompile(`"(_time|_timestamp|_seconds_taken|_time_taken|_total_seconds_taken|_total_time_taken|started_at|heartbeat_at|finished_at)":\s*("[^"]*"|[-+.0-9eE]+)`)

// reproducible reads every file of an experiment whose content must not
// change between runs of the same seed: records (without their
// timestamps), stored values, printed output, the schedule and each
// component.json.
func reproducible(t *testing.T, exp string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, pattern := range []string{"schedule.jsonl", "*/component.json", "*/components.json", "*/records/*.jsonl", "*/store/*", "*/store.json", "*/output.log"} {
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

// sameResults compares the reproducible files of two experiments (the
// same seed run two ways): every file of the first must be in the second
// with the same content, at least minFiles of them. It returns the first
// experiment's files.
func sameResults(t *testing.T, expDir, otherDir, other string, minFiles int) map[string]string {
	t.Helper()
	a, b := reproducible(t, expDir), reproducible(t, otherDir)
	if len(a) < minFiles || len(a) != len(b) {
		t.Fatalf("%d files in %s, %d in %s; want the same, at least %d", len(a), expDir, len(b), otherDir, minFiles)
	}
	for f := range a {
		if a[f] != b[f] {
			t.Errorf("%s differs between native and %s:\n%s\n---\n%s", f, other, a[f], b[f])
		}
	}
	return a
}

// TestReplay: the same experiment ID as seed (from the command line or a
// script), into fresh storages and on the local engines (in process,
// parallel, detached in the background), reproduces IDs, flags, config
// and records exactly; so does the integer seed the ID came from.
func TestReplay(t *testing.T) {
	dir := quickstart(t)
	os.WriteFile(filepath.Join(dir, "replay.star"), []byte(`execute(Experiment().component("optimization").repeat(3), storage="./results", seed="8gWVkz")
`), 0o644)
	runs := map[string][]string{
		"script seed=42, native":         {"run", "experiment.star", "--storage", "a"},
		"--seed 8gWVkz, native":          {"run", "experiment.star", "--storage", "b", "--seed", "8gWVkz"},
		"--seed 8gWVkz, native:3":        {"run", "experiment.star", "--storage", "c", "--seed", "8gWVkz", "--engine", "native:3"},
		"script seed=\"8gWVkz\", native": {"run", "replay.star", "--storage", "d"},
		"script seed=42, detached":       {"run", "experiment.star", "--storage", "e", "--engine", "detached", "--engine-opt", "engine=native:2", "--engine-opt", "binary=" + binary(t)},
	}
	var first map[string]string
	var firstName string
	for name, args := range runs {
		if _, stderr, code := runMain(t, dir, args...); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		if strings.Contains(name, "detached") { // returns at once; the background process finishes
			waitFor(t, 60*time.Second, "the detached run", func() bool {
				files, _ := filepath.Glob(filepath.Join(dir, args[3], "8gWVkz", "*", "status.json"))
				n := 0
				for _, f := range files {
					if b, _ := os.ReadFile(f); strings.Contains(string(b), `"status": "finished"`) || strings.Contains(string(b), `"status":"finished"`) {
						n++
					}
				}
				return n == 3
			})
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
