package storage

import (
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

// A component directory that holds files but no status.json (its status
// was lost, or removed by hand) is archived like any other attempt, so
// the component can run again without "already stored" errors.
func TestArchiveLeftoversWithoutStatus(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "results"))
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.CreateExperiment("", "8gWVkz")
	if err != nil {
		t.Fatal(err)
	}
	c, err := exp.CreateComponent("e9DJBHuoiCvn")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.StoreWrite("final.json", map[string]any{"loss": 1}, false); err != nil {
		t.Fatal(err)
	}
	a, err := exp.ReadAttempt("e9DJBHuoiCvn")
	if err != nil || a.Status.Status != StatusCreated {
		t.Fatalf("attempt %+v, %v", a, err)
	}
	n, err := exp.Archive(a)
	if err != nil || n != 1 {
		t.Fatalf("Archive = %d, %v; want attempt 1", n, err)
	}
	dir := filepath.Join(exp.Path, "e9DJBHuoiCvn")
	if ok, _ := afero.Exists(st.Fs, filepath.Join(dir, "attempts", "1", "store", "final.json")); !ok {
		t.Error("the leftover file was not kept in attempts/1")
	}
	if ok, _ := afero.Exists(st.Fs, filepath.Join(dir, "store")); ok {
		t.Error("the leftover file is still in the component directory")
	}
	// an empty directory has nothing to keep
	if _, err := exp.CreateComponent("XfOWPgKJCcuh"); err != nil {
		t.Fatal(err)
	}
	a, _ = exp.ReadAttempt("XfOWPgKJCcuh")
	if n, err := exp.Archive(a); n != 0 || err != nil {
		t.Errorf("empty directory: Archive = %d, %v", n, err)
	}
}
