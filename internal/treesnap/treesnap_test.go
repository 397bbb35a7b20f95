package treesnap

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestDiff: every kind of write shows, including a file created and
// removed again; nothing shows when nothing was written.
func TestDiff(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	os.WriteFile(filepath.Join(sub, "a"), []byte("1"), 0o644)
	os.WriteFile(filepath.Join(dir, "b"), []byte("2"), 0o644)
	before, err := Take(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d := before.Diff(mustTake(t, dir)); len(d) != 0 {
		t.Fatalf("no write, yet %v", d)
	}
	time.Sleep(10 * time.Millisecond)
	os.WriteFile(filepath.Join(sub, "a"), []byte("x"), 0o644)   // changed
	os.Remove(filepath.Join(dir, "b"))                          // vanished (and dir's mtime)
	os.WriteFile(filepath.Join(dir, "c"), []byte("3"), 0o644)   // appeared
	os.WriteFile(filepath.Join(sub, "tmp"), []byte("t"), 0o644) // created ...
	os.Remove(filepath.Join(sub, "tmp"))                        // ... and removed: sub's mtime
	d := before.Diff(mustTake(t, dir))
	want := []string{filepath.Join(dir, "b") + " vanished", filepath.Join(dir, "c") + " appeared", filepath.Join(sub, "a") + " changed"}
	for _, w := range want {
		if !contains(d, w) {
			t.Errorf("diff lacks %q: %v", w, d)
		}
	}
	if !containsPrefix(d, sub+": mtime changed") || !containsPrefix(d, dir+": mtime changed") {
		t.Errorf("directory mtimes not in the diff: %v", d)
	}
}

func mustTake(t *testing.T, dir string) Snapshot {
	s, err := Take(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsPrefix(list []string, p string) bool {
	for _, x := range list {
		if len(x) >= len(p) && x[:len(p)] == p {
			return true
		}
	}
	return false
}
