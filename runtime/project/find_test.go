package project

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// TestNoProjectHelp: the message names every directory searched, nearest
// first, and shows a machinable.yaml declaring the component.
func TestNoProjectHelp(t *testing.T) {
	start := filepath.Join(t.TempDir(), "a", "b")
	if err := os.MkdirAll(start, 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(start, "e.star")
	os.WriteFile(script, nil, 0o644)
	for _, from := range []string{start, script} {
		msg := NoProjectHelp(from, "models.mlp")
		looked := start + ", " + filepath.Dir(start) + ", " + filepath.Dir(filepath.Dir(start)) + ", "
		if !strings.Contains(msg, "no machinable.yaml found (looked in "+looked) ||
			!strings.Contains(msg, string(filepath.Separator)+") and no Go component of that name") {
			t.Errorf("from %s: directories searched missing or out of order:\n%s", from, msg)
		}
		for _, want := range []string{"    components:\n      - models.mlp:\n          learning_rate: 0.1\n", filepath.Join("models", "mlp.star"), "`machinable init`"} {
			if !strings.Contains(msg, want) {
				t.Errorf("from %s: %q missing:\n%s", from, want, msg)
			}
		}
	}
	if msg := NoProjectHelp("", "a b"); !strings.Contains(msg, `- "a b":`) {
		t.Errorf("a name YAML would not read back should be quoted:\n%s", msg)
	}
}
