package storage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAbsURL: relative local paths are joined to the base; every other
// URL is kept as written.
func TestAbsURL(t *testing.T) {
	for in, want := range map[string]string{
		"./results":          "/proj/scripts/results",
		"../results":         "/proj/results",
		"results":            "/proj/scripts/results",
		"file://results":     "file:///proj/scripts/results",
		"osfs://x/y":         "osfs:///proj/scripts/x/y",
		"/abs/results":       "/abs/results",
		"file:///abs":        "file:///abs",
		"~/results":          "~/results",
		"~":                  "~",
		"mem://":             "mem://",
		"mem://name":         "mem://name",
		"s3://bucket/prefix": "s3://bucket/prefix",
		"ftp://host/x":       "ftp://host/x",
		"":                   "",
	} {
		if got := AbsURL(in, "/proj/scripts"); got != want {
			t.Errorf("AbsURL(%q) = %q, want %q", in, got, want)
		}
	}
	if got := AbsURL("./results", ""); got != "./results" {
		t.Errorf("no base: %q", got)
	}
}

// TestFindDefault: $MACHINABLE_STORAGE, else the first results directory
// at or above dir, up to the project root and no further.
func TestFindDefault(t *testing.T) {
	t.Setenv("MACHINABLE_STORAGE", "")
	top := t.TempDir()
	proj := filepath.Join(top, "proj")
	sub := filepath.Join(proj, "a", "b")
	os.MkdirAll(sub, 0o755)
	os.WriteFile(filepath.Join(proj, "machinable.yaml"), []byte("components: []\n"), 0o644)
	os.Mkdir(filepath.Join(top, "results"), 0o755) // above the project: never used

	if _, err := FindDefault(sub); err == nil || !strings.Contains(err.Error(), "looked at "+filepath.Join(sub, "results")+", "+
		filepath.Join(proj, "a", "results")+", "+filepath.Join(proj, "results")+")") {
		t.Errorf("no results in the project: %v", err)
	}
	os.Mkdir(filepath.Join(proj, "results"), 0o755)
	d, err := FindDefault(sub)
	if err != nil || d.URL != filepath.Join(proj, "results") || !strings.Contains(d.Note, "using storage "+filepath.Join(proj, "results")) {
		t.Errorf("from a subdirectory: %+v %v", d, err)
	}
	if d, err := FindDefault(proj); err != nil || d.URL != "./results" || d.Note != "" {
		t.Errorf("at the root: %+v %v", d, err)
	}
	os.Mkdir(filepath.Join(sub, "results"), 0o755)
	if d, err := FindDefault(sub); err != nil || d.URL != "./results" {
		t.Errorf("the nearest first: %+v %v", d, err)
	}
	outside := filepath.Join(top, "elsewhere")
	os.Mkdir(outside, 0o755)
	if _, err := FindDefault(outside); err == nil || !strings.Contains(err.Error(), "no results directory in "+outside+" (not inside a project") {
		t.Errorf("outside a project, the parent's results is not used: %v", err)
	}
	t.Setenv("MACHINABLE_STORAGE", "rel/store")
	if d, err := FindDefault(sub); err != nil || d.URL != filepath.Join(sub, "rel", "store") || d.Note != "" {
		t.Errorf("$MACHINABLE_STORAGE: %+v %v", d, err)
	}
}
