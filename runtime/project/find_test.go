package project

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	want, err := filepath.Abs("testdata/find")
	if err != nil {
		t.Fatal(err)
	}
	for _, start := range []string{
		"testdata/find",
		"testdata/find/machinable.yaml",
		"testdata/find/sub",
		"testdata/find/sub/deeper",
		"testdata/find/sub/deeper/script.star",
	} {
		got, err := Find(start)
		if err != nil {
			t.Errorf("Find(%s): %v", start, err)
			continue
		}
		if got != want {
			t.Errorf("Find(%s) = %s, want %s", start, got, want)
		}
	}
}

func TestFindNone(t *testing.T) {
	start := t.TempDir()
	_, err := Find(start)
	assertError(t, err, "no machinable.yaml in "+start+" or any directory above it")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error does not wrap fs.ErrNotExist: %v", err)
	}
	_, err = Find(filepath.Join(start, "nope"))
	assertError(t, err, "find project for "+filepath.Join(start, "nope"))
}

func TestLoadMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(dir)
	if err == nil || err.Error() != "no machinable.yaml in "+dir {
		t.Errorf("Load(empty dir) error = %v, want %q", err, "no machinable.yaml in "+dir)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error does not wrap fs.ErrNotExist: %v", err)
	}
}
