package storage

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStorageMarksItself: a storage root made inside a project gets a
// .gitignore holding "*"; one outside a project, or a folder that was
// there already (the project itself, say), gets none.
func TestStorageMarksItself(t *testing.T) {
	project := t.TempDir()
	if err := os.WriteFile(filepath.Join(project, projectFile), []byte("components: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		root   string
		marked bool
	}{
		{filepath.Join(project, "results"), true},
		{filepath.Join(project, "runs", "deep", "results"), true}, // parents made too
		{project, false}, // existing: never marked
		{filepath.Join(t.TempDir(), "results"), false}, // not in a project
	}
	for _, c := range cases {
		s, err := Open(c.root)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.MakeExperiment("", "8gWVkz"); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(c.root, ".gitignore"))
		switch {
		case c.marked && (err != nil || string(data) != markContent):
			t.Errorf("%s: not marked: %q %v", c.root, data, err)
		case !c.marked && err == nil:
			t.Errorf("%s: marked: %q", c.root, data)
		}
		// a second experiment leaves the mark as it is
		if _, err := s.CreateExperiment("", "Abc123"); err != nil {
			t.Fatal(err)
		}
	}
}
