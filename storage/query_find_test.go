package storage_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/storage"
)

// TestFindManyAndByDirectory: 2.x's Storage.find_many (nil for an ID not
// there, in the order asked) and find_by_directory (the experiments
// directly in a directory, slashes ignored).
func TestFindManyAndByDirectory(t *testing.T) {
	dir, first, second := queryStorage(t)
	st, err := storage.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, b := first.Execution.ExperimentID, second.Execution.ExperimentID
	got, err := st.FindMany([]string{b, "AAAAAA", a, "not an id"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[0] == nil || got[0].ID != b || got[1] != nil || got[2] == nil || got[2].ID != a || got[3] != nil {
		t.Fatalf("FindMany: %v", got)
	}
	all, err := st.FindAll()
	if err != nil || len(all) != 2 || all[0].ID != b {
		t.Fatalf("FindAll: %v %v", all, err)
	}
	for _, tc := range []struct {
		dir  string
		want []string
	}{
		{"sweeps/a", []string{b}}, {"/sweeps/a/", []string{b}}, {"", []string{a}}, {"/", []string{a}},
		{"sweeps", nil}, {"nowhere", nil}, {"../x", nil}, {"/etc", nil},
	} {
		views, err := st.FindByDirectory(tc.dir)
		if err != nil {
			t.Fatalf("%q: %v", tc.dir, err)
		}
		var ids []string
		for _, v := range views {
			ids = append(ids, v.ID)
		}
		if strings.Join(ids, ",") != strings.Join(tc.want, ",") {
			t.Errorf("FindByDirectory(%q) = %v, want %v", tc.dir, ids, tc.want)
		}
	}
	if loc := all[0].Location(); loc != "sweeps/a" {
		t.Errorf("Location = %q", loc)
	}
}

// TestExperimentAndComponentFiles: host.json, files by relative path
// (nothing outside the directory), finished_at, data names.
func TestExperimentAndComponentFiles(t *testing.T) {
	dir, first, _ := queryStorage(t)
	st, err := storage.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, err := st.Experiment(first.Execution.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := e.Host(); err != nil || h["pid"] == nil {
		t.Errorf("Host: %v %v", h, err)
	}
	if e.URL() != filepath.Join(dir, e.ID) || e.Timestamp() < 1.7e9 || e.HasCodeBackup() {
		t.Errorf("URL %s timestamp %v backup %v", e.URL(), e.Timestamp(), e.HasCodeBackup())
	}
	if fin, err := e.FinishedAt(); err != nil || fin == nil || fin.Before(e.StartedAt) {
		t.Errorf("FinishedAt: %v %v", fin, err)
	}
	for _, bad := range []string{"../x", "/etc/passwd", "", ".", "a/../../x"} {
		if _, err := e.ReadFile(bad); err == nil || !strings.Contains(err.Error(), "relative path inside") {
			t.Errorf("ReadFile(%q): %v", bad, err)
		}
	}
	if _, err := e.ReadFile("nothing.json"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	c, err := e.Component(first.Execution.Schedule[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.URL() != e.URL()+"/"+c.ID || !c.HasRecords("default") || c.HasRecords("nothing") {
		t.Errorf("URL %s records %v", c.URL(), c.Scopes())
	}
	if names := c.DataNames(); len(names) != 0 {
		t.Errorf("data before any: %v", names)
	}
	// data/ as self.storage.save_data writes it
	data := filepath.Join(dir, e.ID, c.ID, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"b.txt", "a.json"} {
		if err := os.WriteFile(filepath.Join(data, n), []byte(`{"x": 1}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if names := c.DataNames(); strings.Join(names, ",") != "a.json,b.txt" {
		t.Errorf("DataNames = %v", names)
	}
	if b, err := c.ReadFile("data/a.json"); err != nil || string(b) != `{"x": 1}` {
		t.Errorf("ReadFile: %q %v", b, err)
	}
	if _, err := c.ReadFile("../" + c.ID + "/log.txt"); err == nil {
		t.Error("a path out of the component was read")
	}
	if h, err := c.Host(); err != nil || h["pid"] == nil {
		t.Errorf("component Host: %v %v", h, err)
	}
}

// TestHostCorrupt: a host.json that is not an object is an error naming
// the file, not a crash or an empty map.
func TestHostCorrupt(t *testing.T) {
	dir, first, _ := queryStorage(t)
	p := filepath.Join(dir, first.Execution.ExperimentID, "host.json")
	if err := os.WriteFile(p, []byte(`[1, 2]`), 0o644); err != nil {
		t.Fatal(err)
	}
	st, _ := storage.Open(dir)
	e, err := st.Experiment(first.Execution.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Host(); err == nil || !strings.Contains(err.Error(), "host.json") {
		t.Errorf("corrupt host.json: %v", err)
	}
}
