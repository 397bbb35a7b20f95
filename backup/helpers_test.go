package backup

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// isolateGit points HOME at a fresh directory and switches off the system
// config, so that neither the developer's git config nor their global
// excludes leak into a test; it returns that HOME.
func isolateGit(t testing.TB) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, v := range []string{"XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CEILING_DIRECTORIES"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	return home
}

// runGit runs the git CLI in dir and returns its trimmed output.
func runGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	args = append([]string{"-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false"}, args...)
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return strings.TrimRight(out.String(), "\n")
}

// writeFile creates a file and its parent directories.
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t testing.TB, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}

// writeZip runs Write into memory.
func writeZip(t testing.TB, dir string, opts Options) (*Manifest, []byte) {
	t.Helper()
	var buf bytes.Buffer
	m, err := Write(&buf, dir, opts)
	if err != nil {
		t.Fatalf("Write(%s): %v", dir, err)
	}
	return m, buf.Bytes()
}

// zipEntries returns the entry names of a zip, in zip order, and the
// content of each (link target for symlinks).
func zipEntries(t testing.TB, data []byte) ([]string, map[string]*zip.File) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		names = append(names, f.Name)
		files[f.Name] = f
	}
	return names, files
}

func readZipFile(t testing.TB, f *zip.File) []byte {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// porcelain runs git status for the whole repository and folds its two
// status columns into the single prefix Version.Modified uses.
func porcelain(t testing.TB, root string) []string {
	t.Helper()
	out := runGit(t, root, "status", "--porcelain", "--untracked-files=all", "--no-renames")
	var res []string
	for _, line := range strings.Split(out, "\n") {
		if line == "" {
			continue
		}
		xy, p := line[:2], line[3:]
		switch {
		case xy == "??":
			res = append(res, "?? "+p)
		case strings.Contains(xy, "D"):
			res = append(res, "D "+p)
		case xy[0] == 'A':
			res = append(res, "A "+p)
		default:
			res = append(res, "M "+p)
		}
	}
	sort.Slice(res, func(i, j int) bool { return modifiedPath(res[i]) < modifiedPath(res[j]) })
	return res
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkAgainstLsFiles uses git itself as the oracle for which files a
// backup considers: every path `git ls-files --cached --others
// --exclude-standard` lists under the project (and present on disk) must be
// either stored or skipped with a reason, and nothing else. Nested
// repositories, which git lists as "dir/", are expanded by the caller.
func checkAgainstLsFiles(t *testing.T, project string, data []byte, m *Manifest, nested map[string][]string) {
	t.Helper()
	out := runGit(t, project, "ls-files", "--cached", "--others", "--exclude-standard")
	want := map[string]bool{}
	for _, p := range strings.Split(out, "\n") {
		if p == "" {
			continue
		}
		if files, ok := nested[p]; ok {
			for _, f := range files {
				want[f] = true
			}
			continue
		}
		if _, err := os.Lstat(filepath.Join(project, p)); err == nil {
			want[p] = true
		}
	}
	got := map[string]bool{}
	names, _ := zipEntries(t, data)
	for _, n := range names {
		if n != ManifestName {
			got[n] = true
		}
	}
	for _, s := range m.Skipped {
		got[s.Path] = true
	}
	for p := range want {
		if !got[p] {
			t.Errorf("git considers %s, but it is neither stored nor skipped", p)
		}
	}
	for p := range got {
		if !want[p] {
			t.Errorf("%s is stored or skipped, but git does not consider it", p)
		}
	}
}
