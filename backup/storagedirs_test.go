package backup

import (
	"bytes"
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"
)

// storageProject writes a project holding a marked storage, an unmarked
// storage of an older run (an experiment with execution.json, nested in
// a group folder) and a virtualenv-style folder; none of them is code.
func storageProject(t *testing.T, d string) {
	writeFile(t, filepath.Join(d, "machinable.yaml"), "components:\n  - m: {}\n")
	writeFile(t, filepath.Join(d, "m.star"), "def on_execute(self):\n    pass\n")
	writeFile(t, filepath.Join(d, "results", ".gitignore"), "# made by machinable\n*\n")
	writeFile(t, filepath.Join(d, "results", "8gWVkz", "execution.json"), "{}")
	writeFile(t, filepath.Join(d, "results", "8gWVkz", "XfOWPgKJCcuh", "status.json"), "{}")
	writeFile(t, filepath.Join(d, "old", "group", "Abc123", "execution.json"), "{}")
	writeFile(t, filepath.Join(d, "old", "group", "Abc123", "c00000000001", "component.json"), "{}")
	writeFile(t, filepath.Join(d, "old", "notes.txt"), "kept: not a storage\n")
	writeFile(t, filepath.Join(d, "venv", ".gitignore"), "*\n")
	writeFile(t, filepath.Join(d, "venv", "lib.py"), "x = 1\n")
	writeFile(t, filepath.Join(d, "half", ".gitignore"), "*\n!keep.txt\n")
	writeFile(t, filepath.Join(d, "half", "keep.txt"), "kept: not everything is ignored\n")
}

// TestBackupSkipsStorages: in and out of git, no file of a storage is
// backed up; each storage folder is listed once in the manifest.
func TestBackupSkipsStorages(t *testing.T) {
	isolateGit(t)
	for _, git := range []bool{false, true} {
		d := t.TempDir()
		storageProject(t, d)
		if git {
			runGit(t, d, "init", "-q")
			runGit(t, d, "add", "machinable.yaml", "m.star")
			runGit(t, d, "commit", "-q", "-m", "code")
		}
		m, data := writeZip(t, d, Options{})
		entries, _ := zipEntries(t, data)
		for _, e := range entries {
			if strings.HasPrefix(e, "results/") || strings.HasPrefix(e, "old/group/") || strings.HasPrefix(e, "venv/") {
				t.Errorf("git %v: %s backed up", git, e)
			}
		}
		want := map[string]bool{"machinable.yaml": true, "m.star": true, "old/notes.txt": true, "half/keep.txt": true}
		for _, e := range entries {
			delete(want, e)
		}
		if len(want) != 0 {
			t.Errorf("git %v: missing %v in %v", git, want, entries)
		}
		var skipped []string
		for _, s := range m.Skipped {
			if isStorageSkip(s) {
				skipped = append(skipped, s.Path)
			}
		}
		if strings.Join(skipped, ",") != "old/group/Abc123/,results/,venv/" {
			t.Errorf("git %v: storages skipped %v", git, skipped)
		}
		if git && m.Version.Dirty != true {
			// old/ and half/ are untracked and not ignored: git says dirty
			t.Errorf("dirty flag lost: %+v", m.Version)
		}
	}
}

// TestDiffIgnoresStoragesOfOldBackups: a backup taken before storages
// were skipped holds results; comparing it with today's project does not
// report them as deleted code.
func TestDiffIgnoresStoragesOfOldBackups(t *testing.T) {
	isolateGit(t)
	d := t.TempDir()
	storageProject(t, d)
	_, data := writeZip(t, d, Options{})
	changes, err := Diff(bytes.NewReader(data), int64(len(data)), d, Options{})
	if err != nil || len(changes) != 0 {
		t.Fatalf("unchanged project: %v %v", changes, err)
	}
	// an old backup: results/ inside it
	old := t.TempDir()
	writeFile(t, filepath.Join(old, "machinable.yaml"), "components:\n  - m: {}\n")
	writeFile(t, filepath.Join(old, "m.star"), "def on_execute(self):\n    pass\n")
	writeFile(t, filepath.Join(old, "old", "notes.txt"), "kept: not a storage\n")
	writeFile(t, filepath.Join(old, "half", "keep.txt"), "kept: not everything is ignored\n")
	writeFile(t, filepath.Join(old, "half", ".gitignore"), "*\n!keep.txt\n")
	writeFile(t, filepath.Join(old, "results", "8gWVkz", "XfOWPgKJCcuh", "status.json"), "{}")
	_, data = writeZip(t, old, Options{})
	changes, err = Diff(bytes.NewReader(data), int64(len(data)), d, Options{})
	if err != nil || len(changes) != 0 {
		t.Errorf("old backup with results: %v %v", changes, err)
	}
}

// TestBackupSizeWarning: a backup over WarnSize warns and names its
// three largest folders; a small one does not.
func TestBackupSizeWarning(t *testing.T) {
	isolateGit(t)
	d := t.TempDir()
	writeFile(t, filepath.Join(d, "main.star"), "x = 1\n")
	if m, _ := writeZip(t, d, Options{}); len(m.Warnings) != 1 { // only "not a git repository"
		t.Errorf("small backup warns: %v", m.Warnings)
	}
	// random text does not compress: 4 folders of 8..28 MB
	for i, mb := range []int{28, 8, 24, 16} {
		for k := 0; k < mb/4; k++ {
			writeFile(t, filepath.Join(d, "dir"+string(rune('a'+i)), "f"+string(rune('0'+k))+".txt"), randomText(t, 4<<20))
		}
	}
	m, data := writeZip(t, d, Options{MaxFileSize: 5 << 20})
	if len(data) <= WarnSize {
		t.Fatalf("zip of %d bytes: the test needs more than %d", len(data), WarnSize)
	}
	var warn string
	for _, w := range m.Warnings {
		if strings.Contains(w, "largest folders") {
			warn = w
		}
	}
	if !strings.Contains(warn, "dira/ (28 MB), dirc/ (24 MB), dird/ (16 MB)") || strings.Contains(warn, "dirb/") {
		t.Errorf("size warning: %q (all: %v)", warn, m.Warnings)
	}
}

// randomText is n bytes of printable, incompressible-ish text.
func randomText(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = 'A' + b[i]%64
		if i%80 == 79 {
			b[i] = '\n'
		}
	}
	return string(b)
}
