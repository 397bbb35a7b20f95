package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/storage"
)

// TestOldLayoutReads: an experiment stored before lean storage and the
// journal (every file of a component written, host.json and
// components.json included, no journal.jsonl) reads as it was: status
// reads each status.json, a component's host is its own host.json, its
// components.json its own; only what resume runs now is journaled.
func TestOldLayoutReads(t *testing.T) {
	dir := formatOneCopy(t)
	exp := filepath.Join(dir, "results", "8gWVkz")
	stdout, stderr, code := runMain(t, dir, "status", "8gWVkz", "--storage", "results")
	if code != 0 || !strings.Contains(stdout, "e9DJBHuoiCvn") || !strings.Contains(stdout, "finished") {
		t.Fatalf("status: %d\n%s%s", code, stdout, stderr)
	}
	st, err := storage.Open(filepath.Join(dir, "results"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := st.Experiment("8gWVkz")
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Component("e9DJBHuoiCvn")
	if err != nil {
		t.Fatal(err)
	}
	if h, err := c.Host(); err != nil || h["pid"] != int64(18236) {
		t.Errorf("host of an old component: %v %v (want its own host.json, pid 18236)", h, err)
	}
	if b, err := c.ReadFile("components.json"); err != nil || !strings.Contains(string(b), `"id": "XfOWPgKJCcuh"`) {
		t.Errorf("components.json: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(exp, "journal.jsonl")); err == nil {
		t.Error("reading wrote a journal")
	}
	stdout, stderr, code = runMain(t, dir, "resume", "8gWVkz", "--storage", "results")
	if code != 0 {
		t.Fatalf("resume: %d\n%s%s", code, stdout, stderr)
	}
	journal, _ := os.ReadFile(filepath.Join(exp, "journal.jsonl"))
	if strings.Contains(string(journal), "e9DJBHuoiCvn") {
		t.Errorf("a component finished before was journaled by resume:\n%s", journal)
	}
}
