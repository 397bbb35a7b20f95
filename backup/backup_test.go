package backup

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// fixture is a git repository exercising every rule of SPEC §8.
type fixture struct {
	root    string // repository root
	outside string // a file next to the repository
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	home := isolateGit(t)
	writeFile(t, filepath.Join(home, ".config", "git", "ignore"), "*.globalignored\n")

	base := t.TempDir()
	f := fixture{root: filepath.Join(base, "repo"), outside: filepath.Join(base, "outside.txt")}
	r := f.root
	writeFile(t, f.outside, "outside\n")
	runGit(t, base, "init", "-q", r)
	runGit(t, r, "remote", "add", "origin", "https://user:secret@example.com/org/repo.git")
	writeFile(t, filepath.Join(r, ".git", "info", "exclude"), "*.info\n")

	writeFile(t, filepath.Join(r, ".gitignore"), "# comment\n*.log\nbuild/\n!keep.log\n/secret.txt\n")
	writeFile(t, filepath.Join(r, "README.md"), "# readme\n")
	writeFile(t, filepath.Join(r, "main.go"), "package main\n")
	writeFile(t, filepath.Join(r, "old.txt"), "old\n")
	writeFile(t, filepath.Join(r, "same.txt"), "aaaa\n")
	writeFile(t, filepath.Join(r, "touched.txt"), "touch\n")
	writeFile(t, filepath.Join(r, "script.sh"), "#!/bin/sh\necho hi\n")
	if err := os.Chmod(filepath.Join(r, "script.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(r, "forced.log"), "tracked although ignored\n")
	writeFile(t, filepath.Join(r, "build", "tracked.txt"), "tracked in an ignored dir\n")
	writeFile(t, filepath.Join(r, "image.bin"), "PNG\x00\x01\x02binary")
	writeFile(t, filepath.Join(r, "large.txt"), strings.Repeat("x", 300))
	writeFile(t, filepath.Join(r, "sub", ".gitignore"), "*.tmp\n!important.tmp\ndata/\n")
	writeFile(t, filepath.Join(r, "sub", "a.go"), "package sub\n")
	symlink(t, "README.md", filepath.Join(r, "link-in"))
	symlink(t, "sub", filepath.Join(r, "linkdir"))
	runGit(t, r, "add", ".")
	runGit(t, r, "add", "-f", "forced.log", "build/tracked.txt")
	runGit(t, r, "commit", "-q", "-m", "initial")

	// Changes after the commit.
	writeFile(t, filepath.Join(r, "main.go"), "package main\n\nfunc main() {}\n")
	writeFile(t, filepath.Join(r, "same.txt"), "bbbb\n") // same size: only the hash tells
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(r, "touched.txt"), past, past); err != nil { // same content
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(r, "old.txt")); err != nil {
		t.Fatal(err)
	}
	// Untracked, not ignored.
	writeFile(t, filepath.Join(r, "keep.log"), "negated\n")
	writeFile(t, filepath.Join(r, "notes.md"), "notes\n")
	writeFile(t, filepath.Join(r, "blob.dat"), "\x00\x00binary")
	writeFile(t, filepath.Join(r, "sub", "important.tmp"), "negated in sub\n")
	writeFile(t, filepath.Join(r, "sub", "secret.txt"), "/secret.txt is anchored at the root\n")
	symlink(t, filepath.Join("..", "outside.txt"), filepath.Join(r, "link-out"))
	runGit(t, r, "init", "-q", filepath.Join(r, "nested"))
	writeFile(t, filepath.Join(r, "nested", "file.txt"), "in a nested repository\n")
	// Ignored.
	writeFile(t, filepath.Join(r, "debug.log"), "ignored\n")
	writeFile(t, filepath.Join(r, "secret.txt"), "ignored\n")
	writeFile(t, filepath.Join(r, "build", "out.txt"), "ignored dir\n")
	writeFile(t, filepath.Join(r, "sub", "x.tmp"), "ignored\n")
	writeFile(t, filepath.Join(r, "sub", "data", "big.csv"), "ignored dir\n")
	writeFile(t, filepath.Join(r, "sub", "deep", "y.log"), "root pattern, deep\n")
	writeFile(t, filepath.Join(r, "excluded.info"), "info/exclude\n")
	writeFile(t, filepath.Join(r, "x.globalignored"), "global excludes\n")
	return f
}

// checkEntries asserts the exact entry list: sorted files, then the manifest.
func checkEntries(t *testing.T, data []byte, want []string) {
	t.Helper()
	names, _ := zipEntries(t, data)
	if len(names) == 0 || names[len(names)-1] != ManifestName {
		t.Fatalf("last entry is not the manifest: %v", names)
	}
	got := names[:len(names)-1]
	if !sort.StringsAreSorted(got) {
		t.Errorf("entries not sorted: %v", got)
	}
	if !equalStrings(got, want) {
		t.Errorf("entries\n got %v\nwant %v", got, want)
	}
}

func checkSkipped(t *testing.T, m *Manifest, want []Skipped) {
	t.Helper()
	if !reflect.DeepEqual(m.Skipped, want) {
		t.Errorf("skipped\n got %+v\nwant %+v", m.Skipped, want)
	}
}

func TestWriteRepo(t *testing.T) {
	f := newFixture(t)
	m, data := writeZip(t, f.root, Options{MaxFileSize: 200})

	checkEntries(t, data, []string{
		".gitignore", "README.md", "build/tracked.txt", "forced.log", "keep.log",
		"link-in", "linkdir", "main.go", "nested/file.txt", "notes.md", "same.txt",
		"script.sh", "sub/.gitignore", "sub/a.go", "sub/important.tmp", "sub/secret.txt",
		"touched.txt",
	})
	checkSkipped(t, m, []Skipped{
		{Path: "blob.dat", Reason: "binary", Size: 8},
		{Path: "image.bin", Reason: "binary", Size: 12},
		{Path: "large.txt", Reason: "too large (300 B > 200 B)", Size: 300},
		{Path: "link-out", Reason: "symlink outside the project", Size: int64(len("../outside.txt"))},
	})
	checkAgainstLsFiles(t, f.root, data, m, map[string][]string{"nested/": {"nested/file.txt"}})
	if m.Files != 17 {
		t.Errorf("Files = %d, want 17", m.Files)
	}
	if m.Project != f.root || len(m.Warnings) != 0 {
		t.Errorf("Project = %q, Warnings = %v", m.Project, m.Warnings)
	}

	_, files := zipEntries(t, data)
	if got := string(readZipFile(t, files["main.go"])); got != "package main\n\nfunc main() {}\n" {
		t.Errorf("main.go = %q", got)
	}
	for name, target := range map[string]string{"link-in": "README.md", "linkdir": "sub"} {
		zf := files[name]
		if zf.Mode()&os.ModeSymlink == 0 || string(readZipFile(t, zf)) != target {
			t.Errorf("%s: mode %v content %q, want a symlink to %q", name, zf.Mode(), readZipFile(t, zf), target)
		}
	}
	if files["script.sh"].Mode().Perm()&0o100 == 0 {
		t.Errorf("script.sh lost its executable bit: %v", files["script.sh"].Mode())
	}
	fi, _ := os.Stat(filepath.Join(f.root, "README.md"))
	if !files["README.md"].Modified.Equal(fi.ModTime().Truncate(time.Second)) {
		t.Errorf("README.md mtime %v, want %v", files["README.md"].Modified, fi.ModTime())
	}

	v := m.Version
	want := Version{
		Git:    true,
		Commit: runGit(t, f.root, "rev-parse", "HEAD"),
		Branch: "main",
		Dirty:  true,
		Remote: "https://example.com/org/repo.git",
		Modified: []string{
			"?? blob.dat", "?? keep.log", "?? link-out", "M main.go", "?? nested/",
			"?? notes.md", "D old.txt", "M same.txt", "?? sub/important.tmp", "?? sub/secret.txt",
		},
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("version\n got %+v\nwant %+v", v, want)
	}
	if st := porcelain(t, f.root); !equalStrings(v.Modified, st) {
		t.Errorf("Modified differs from git status\n got %v\ngit %v", v.Modified, st)
	}
	iv, err := Inspect(f.root)
	if err != nil || !reflect.DeepEqual(iv, v) {
		t.Errorf("Inspect = %+v, %v; want %+v", iv, err, v)
	}
}

func TestWriteExcludeAndSkipDirs(t *testing.T) {
	f := newFixture(t)
	m, data := writeZip(t, f.root, Options{
		MaxFileSize: 200,
		Exclude:     []string{"*.md", "sub/", "/keep.log"},
		SkipDirs:    []string{filepath.Join(f.root, "nested")},
	})
	checkEntries(t, data, []string{
		".gitignore", "build/tracked.txt", "forced.log", "link-in", "linkdir", "main.go",
		"same.txt", "script.sh", "touched.txt",
	})
	// SkipDirs are machinable's own output, not code: not "untracked" either.
	for _, s := range m.Version.Modified {
		if strings.HasPrefix(modifiedPath(s), "nested") {
			t.Errorf("SkipDirs reported as modified: %q", s)
		}
	}
	// Exclude only narrows the backup; the version still sees the files.
	if !contains(m.Version.Modified, "?? notes.md") {
		t.Errorf("excluded notes.md missing from Modified: %v", m.Version.Modified)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestWriteSubdirectoryProject(t *testing.T) {
	f := newFixture(t)
	sub := filepath.Join(f.root, "sub")
	symlink(t, filepath.Join("..", "README.md"), filepath.Join(sub, "up"))
	symlink(t, "a.go", filepath.Join(sub, "same-dir"))
	symlink(t, filepath.Join(sub, "a.go"), filepath.Join(sub, "abs"))
	writeFile(t, filepath.Join(sub, "z.log"), "ignored by the root .gitignore\n")

	m, data := writeZip(t, sub, Options{})
	checkEntries(t, data, []string{".gitignore", "a.go", "important.tmp", "same-dir", "secret.txt"})
	checkSkipped(t, m, []Skipped{
		{Path: "abs", Reason: "symlink with an absolute target", Size: int64(len(filepath.Join(sub, "a.go")))},
		{Path: "up", Reason: "symlink outside the project", Size: int64(len("../README.md"))},
	})
	checkAgainstLsFiles(t, sub, data, m, nil)
	if m.Project != sub {
		t.Errorf("Project = %q, want %q", m.Project, sub)
	}
	// The version covers the whole repository, paths from its root.
	if st := porcelain(t, f.root); !equalStrings(m.Version.Modified, st) {
		t.Errorf("Modified differs from git status\n got %v\ngit %v", m.Version.Modified, st)
	}
	if m.Version.Commit != runGit(t, f.root, "rev-parse", "HEAD") || m.Version.Branch != "main" {
		t.Errorf("version %+v", m.Version)
	}
}

func TestCleanRepoAndDetachedHead(t *testing.T) {
	isolateGit(t)
	r := t.TempDir()
	runGit(t, r, "init", "-q")
	writeFile(t, filepath.Join(r, "a.txt"), "a\n")
	runGit(t, r, "add", ".")
	runGit(t, r, "commit", "-q", "-m", "one")
	v, err := Inspect(r)
	if err != nil {
		t.Fatal(err)
	}
	if v.Dirty || v.Modified != nil || v.Branch != "main" || v.Remote != "" {
		t.Errorf("clean repo: %+v", v)
	}
	runGit(t, r, "checkout", "-q", "--detach")
	v, err = Inspect(r)
	if err != nil {
		t.Fatal(err)
	}
	if v.Branch != "" || v.Commit != runGit(t, r, "rev-parse", "HEAD") {
		t.Errorf("detached: %+v", v)
	}
}

func TestRepoWithoutCommits(t *testing.T) {
	isolateGit(t)
	r := t.TempDir()
	runGit(t, r, "init", "-q")
	runGit(t, r, "remote", "add", "upstream", "https://token@example.com/x.git")
	writeFile(t, filepath.Join(r, "staged.txt"), "s\n")
	writeFile(t, filepath.Join(r, "new.txt"), "n\n")
	runGit(t, r, "add", "staged.txt")
	m, data := writeZip(t, r, Options{})
	checkEntries(t, data, []string{"new.txt", "staged.txt"})
	v := m.Version
	if v.Commit != "" || v.Branch != "main" || !v.Dirty || v.Remote != "https://example.com/x.git" {
		t.Errorf("version %+v", v)
	}
	if st := porcelain(t, r); !equalStrings(v.Modified, st) {
		t.Errorf("Modified differs from git status\n got %v\ngit %v", v.Modified, st)
	}
}

func TestWriteNotARepo(t *testing.T) {
	isolateGit(t)
	d := t.TempDir()
	writeFile(t, filepath.Join(d, ".gitignore"), "*.log\n")
	writeFile(t, filepath.Join(d, "a.log"), "kept: no ignore rules outside git\n")
	writeFile(t, filepath.Join(d, "main.go"), "package main\n")
	writeFile(t, filepath.Join(d, "pkg", "x.go"), "package pkg\n")
	writeFile(t, filepath.Join(d, "bin.dat"), "a\x00b")
	writeFile(t, filepath.Join(d, "big.txt"), strings.Repeat("y", 2048))
	writeFile(t, filepath.Join(d, "vendor", "lib", ".git", "HEAD"), "ref: refs/heads/main\n")
	writeFile(t, filepath.Join(d, "vendor", "lib", "lib.go"), "package lib\n")
	symlink(t, "main.go", filepath.Join(d, "alias.go"))

	m, data := writeZip(t, d, Options{MaxFileSize: 1024})
	checkEntries(t, data, []string{".gitignore", "a.log", "alias.go", "main.go", "pkg/x.go", "vendor/lib/lib.go"})
	checkSkipped(t, m, []Skipped{
		{Path: "big.txt", Reason: "too large (2 KB > 1 KB)", Size: 2048},
		{Path: "bin.dat", Reason: "binary", Size: 3},
	})
	if !reflect.DeepEqual(m.Version, Version{}) {
		t.Errorf("version %+v", m.Version)
	}
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "not a git repository") {
		t.Errorf("warnings %v", m.Warnings)
	}
	v, err := Inspect(d)
	if err != nil || v.Git {
		t.Errorf("Inspect = %+v, %v", v, err)
	}
}

func TestStripCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:secret@example.com/org/repo.git": "https://example.com/org/repo.git",
		"https://ghp_token@github.com/org/repo":        "https://github.com/org/repo",
		"https://github.com/org/repo":                  "https://github.com/org/repo",
		"git@github.com:org/repo.git":                  "git@github.com:org/repo.git",
		"ssh://git@host/org/repo.git":                  "ssh://git@host/org/repo.git",
		"ssh://git:pw@host/org/repo.git":               "ssh://host/org/repo.git",
		"https://example.com/a@b":                      "https://example.com/a@b",
		"/local/path":                                  "/local/path",
	} {
		if got := stripCredentials(in); got != want {
			t.Errorf("stripCredentials(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGlobalExcludesFromGitconfig(t *testing.T) {
	home := isolateGit(t)
	writeFile(t, filepath.Join(home, ".gitconfig"), "[core]\n\texcludesfile = ~/my-ignore\n")
	writeFile(t, filepath.Join(home, "my-ignore"), "*.mine\n")
	r := t.TempDir()
	runGit(t, r, "init", "-q")
	writeFile(t, filepath.Join(r, "a.mine"), "x\n")
	writeFile(t, filepath.Join(r, "a.txt"), "x\n")
	m, data := writeZip(t, r, Options{})
	checkEntries(t, data, []string{"a.txt"})
	if st := porcelain(t, r); !equalStrings(m.Version.Modified, st) {
		t.Errorf("Modified differs from git status\n got %v\ngit %v", m.Version.Modified, st)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 B", 150: "150 B", 1024: "1 KB", 10 * 1024 * 1024: "10 MB",
		12897485: "12.3 MB",
	} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestIgnoreSemanticsMatchGit checks a range of gitignore forms against
// git ls-files, the reference for what git considers.
func TestIgnoreSemanticsMatchGit(t *testing.T) {
	isolateGit(t)
	r := t.TempDir()
	runGit(t, r, "init", "-q")
	writeFile(t, filepath.Join(r, ".gitignore"), strings.Join([]string{
		"doc/*.txt", "**/tmp", "a/**/b.txt", "logs/*", "!logs/keep.txt", "*.o", "!/lib.o",
		"dironly/", "\\#hash", "spaced.txt   ", "/anchored", "mid/dle", "x[0-9].dat", "y[!0-9].dat", "",
	}, "\n"))
	for _, p := range []string{
		"doc/a.txt", "doc/sub/b.txt", "doc/a.md", "tmp/x", "deep/er/tmp/y", "a/b.txt", "a/x/y/b.txt",
		"logs/a.txt", "logs/keep.txt", "x.o", "lib.o", "sub/lib.o", "dironly/f", "sub/dironly/f",
		"notdir/dironly", "#hash", "spaced.txt", "anchored", "sub/anchored", "mid/dle", "sub/mid/dle",
		"x1.dat", "xa.dat", "y1.dat", "ya.dat", "plain.go",
	} {
		writeFile(t, filepath.Join(r, filepath.FromSlash(p)), "x\n")
	}
	m, data := writeZip(t, r, Options{})
	checkAgainstLsFiles(t, r, data, m, nil)
	if st := porcelain(t, r); !equalStrings(m.Version.Modified, st) {
		t.Errorf("Modified differs from git status\n got %v\ngit %v", m.Version.Modified, st)
	}
}
