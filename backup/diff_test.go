package backup

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDiff: a changed file (same size, other bytes), a new one, a deleted
// one and a retargeted link are found — in a git repository, where
// ignored files stay out, and outside git; new binary files and files
// the backup skipped are not reported; an untouched project has no diff.
func TestDiff(t *testing.T) {
	isolateGit(t)
	for _, inGit := range []bool{true, false} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "a.star"), "x = 1\n")
		writeFile(t, filepath.Join(dir, "b.star"), "y = 2\n")
		writeFile(t, filepath.Join(dir, "sub", "c.yaml"), "c: 3\n")
		writeFile(t, filepath.Join(dir, "big.txt"), string(bytes.Repeat([]byte("z"), 2048)))
		symlink(t, "a.star", filepath.Join(dir, "link"))
		if inGit {
			writeFile(t, filepath.Join(dir, ".gitignore"), "*.log\n")
			runGit(t, dir, "init", "-q")
			runGit(t, dir, "add", ".")
			runGit(t, dir, "commit", "-qm", "init")
		}
		opts := Options{MaxFileSize: 1024}
		_, data := writeZip(t, dir, opts)
		diff := func() []string {
			t.Helper()
			d, err := Diff(bytes.NewReader(data), int64(len(data)), dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if d := diff(); len(d) != 0 {
			t.Fatalf("git %v: untouched project, diff %v", inGit, d)
		}
		writeFile(t, filepath.Join(dir, "a.star"), "x = 9\n") // same size
		writeFile(t, filepath.Join(dir, "sub", "new.star"), "n = 1\n")
		os.Remove(filepath.Join(dir, "b.star"))
		os.Remove(filepath.Join(dir, "link"))
		symlink(t, "sub/c.yaml", filepath.Join(dir, "link"))
		writeFile(t, filepath.Join(dir, "blob.bin"), "\x00\x01binary")
		writeFile(t, filepath.Join(dir, "big.txt"), string(bytes.Repeat([]byte("q"), 4096))) // skipped then and now
		if inGit {
			writeFile(t, filepath.Join(dir, "run.log"), "ignored\n")
		}
		want := []string{"M a.star", "D b.star", "M link", "A sub/new.star"}
		if got := diff(); !equalStrings(got, want) {
			t.Errorf("git %v: diff %v, want %v", inGit, got, want)
		}
	}
}
