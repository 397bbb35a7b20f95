package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// bareRepo makes a bare git repository holding files, as a vendor
// project published somewhere; it returns its file:// URL.
func bareRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	work := t.TempDir()
	writeFiles(t, work, files)
	repo, err := git.PlainInit(work, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddGlob("."); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.org", When: time.Unix(0, 0)}
	if _, err := wt.Commit("vendor project", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
	bare := filepath.Join(t.TempDir(), "project.git")
	if _, err := git.PlainClone(bare, true, &git.CloneOptions{URL: work}); err != nil {
		t.Fatal(err)
	}
	return "file://" + bare
}

var vendorProject = map[string]string{
	"machinable.yaml": "mixins:\n  - extra:\n      scale: 3\ncomponents:\n  - models.base:\n      lr: 0.1\n      _mixins_: [extra]\n",
	// load() paths of vendor code are relative to the vendor's directory.
	"models/base.star": "load(\"lib/util.star\", \"tag\")\n\ndef on_execute(self):\n    print(tag(\"vendor code\"), self.config.lr, self.config.scale, self._extra_.double(self.config.lr))\n",
	"lib/util.star":    "def tag(s):\n    return s\n",
	"extra.star":       "def double(self, x):\n    return 2 * x\n",
}

func TestVendorFetchAndRun(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("MACHINABLE_SETTINGS", "")
	t.Setenv("MACHINABLE_STORAGE", "")
	url := bareRepo(t, vendorProject)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"machinable.yaml": "+:\n  - base: git+" + url + "\ncomponents:\n  - +.base.models.base=theirs:\n  - mine^+.base.models.base:\n      lr: 0.5\n",
		"mine.star":       "def on_execute(self):\n    print(\"my code\", self.config.lr, self.config.scale)\n",
	})

	// Before fetching, the project says what to do.
	_, stderr, code := runMain(t, dir, "execute", "theirs")
	if code != ExitError || !strings.Contains(stderr, `+: vendor project "base": no machinable.yaml in `) || !strings.Contains(stderr, "run machinable vendor fetch") {
		t.Fatalf("before fetch: exit %d\n%s", code, stderr)
	}

	stdout, stderr, code := runMain(t, dir, "vendor", "fetch")
	if code != ExitOK || stdout != "+.base: "+filepath.Join("vendor", "base")+"\n" {
		t.Fatalf("fetch: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "vendor", "base", "models", "base.star")); err != nil {
		t.Fatal(err)
	}
	// A second fetch keeps the clone.
	if stdout, stderr, code = runMain(t, dir, "vendor", "fetch"); code != ExitOK {
		t.Fatalf("fetch again: exit %d\n%s\n%s", code, stdout, stderr)
	}

	stdout, stderr, code = runMain(t, dir, "execute", "theirs")
	if code != ExitOK || !strings.Contains(stdout, "vendor code 0.1 3 0.2") {
		t.Fatalf("theirs: exit %d\n%s\n%s", code, stdout, stderr)
	}
	stdout, stderr, code = runMain(t, dir, "execute", "mine")
	if code != ExitOK || !strings.Contains(stdout, "my code 0.5 3") {
		t.Fatalf("mine: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// Another URL for the same name: the clone there is not replaced.
	other := bareRepo(t, vendorProject)
	writeFiles(t, dir, map[string]string{"machinable.yaml": "+:\n  - base: git+" + other + "\n"})
	_, stderr, code = runMain(t, dir, "vendor", "fetch")
	if code != ExitError || !strings.Contains(stderr, filepath.Join(dir, "machinable.yaml")+":2: +.base: ") || !strings.Contains(stderr, "is a clone of another repository (origin "+url) {
		t.Fatalf("other URL: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "vendor", "base", "models", "base.star")); err != nil {
		t.Fatal("the existing clone was touched:", err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "vendor", ".*")); len(leftovers) != 0 {
		t.Errorf("temporary clones left: %v", leftovers)
	}
}

func TestVendorFetchLocalDirectories(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("MACHINABLE_STORAGE", "")
	shared := t.TempDir()
	writeFiles(t, shared, vendorProject)
	settings := filepath.Join(t.TempDir(), "settings.yaml")
	writeFiles(t, filepath.Dir(settings), map[string]string{"settings.yaml": "imports:\n  base: " + shared + "\n"})
	t.Setenv("MACHINABLE_SETTINGS", settings)
	dir := t.TempDir()
	// The settings' imports win over the URL, which is never tried.
	writeFiles(t, dir, map[string]string{"machinable.yaml": "+:\n  - base: git+file:///nonexistent/base.git\n  - plain\ncomponents:\n  - +.base.models.base=theirs:\n"})
	writeFiles(t, filepath.Join(dir, "vendor", "plain"), map[string]string{"machinable.yaml": "components:\n  - p:\n"})
	stdout, stderr, code := runMain(t, dir, "vendor", "fetch")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if link, err := os.Readlink(filepath.Join(dir, "vendor", "base")); err != nil || link != shared {
		t.Fatalf("vendor/base: link %q, %v", link, err)
	}
	// The linked vendor's code runs, its load() inside the link's target.
	stdout, stderr, code = runMain(t, dir, "execute", "theirs")
	if code != ExitOK || !strings.Contains(stdout, "vendor code 0.1 3 0.2") {
		t.Fatalf("theirs: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// A directory that is not the link is refused, not replaced.
	t.Setenv("MACHINABLE_SETTINGS", "")
	writeFiles(t, dir, map[string]string{"machinable.yaml": "+:\n  - plain: " + shared + "\n"})
	_, stderr, code = runMain(t, dir, "vendor", "fetch")
	if code != ExitError || !strings.Contains(stderr, "is there and is not a link to "+shared) {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	// No source and nothing there.
	writeFiles(t, dir, map[string]string{"machinable.yaml": "+:\n  - missing\n"})
	_, stderr, code = runMain(t, dir, "vendor", "fetch")
	if code != ExitError || !strings.Contains(stderr, ":2: +.missing: no source to fetch from") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
}
