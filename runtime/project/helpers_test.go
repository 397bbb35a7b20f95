package project

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// load loads a fixture project from testdata.
func load(t testing.TB, name string) *Project {
	t.Helper()
	p, err := Load(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return p
}

// writeProject writes files (relative path → content) into a fresh
// directory and returns it; used for tables of broken machinable.yaml.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func assertEqual(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n\t%#v\nwant\n\t%#v", got, want)
	}
}

// assertError checks that err is not nil and its message contains every
// fragment (file, line, key, what was expected).
func assertError(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q\ndoes not contain %q", err, f)
		}
	}
}

// m is shorthand for config maps in expectations.
type m = map[string]any
