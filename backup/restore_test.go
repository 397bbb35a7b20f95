package backup

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRestoreRoundTrip(t *testing.T) {
	f := newFixture(t)
	m, data := writeZip(t, f.root, Options{MaxFileSize: 200})
	dest := filepath.Join(t.TempDir(), "restored")
	got, err := Restore(bytes.NewReader(data), int64(len(data)), dest)
	if err != nil {
		t.Fatal(err)
	}
	if got.Files != m.Files || got.Version.Commit != m.Version.Commit {
		t.Errorf("restored manifest %+v, written %+v", got, m)
	}
	names, _ := zipEntries(t, data)
	want := map[string]bool{}
	for _, n := range names {
		if n != ManifestName {
			want[n] = true
		}
	}
	// Every restored path was backed up, byte for byte; links stay links.
	restored := map[string]bool{}
	err = filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dest, p)
		rel = filepath.ToSlash(rel)
		restored[rel] = true
		orig := filepath.Join(f.root, filepath.FromSlash(rel))
		if d.Type()&fs.ModeSymlink != 0 {
			a, _ := os.Readlink(p)
			b, _ := os.Readlink(orig)
			if a != b {
				t.Errorf("%s: link to %q, original to %q", rel, a, b)
			}
			return nil
		}
		a, _ := os.ReadFile(p)
		b, _ := os.ReadFile(orig)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: content differs", rel)
		}
		fa, _ := os.Stat(p)
		fb, _ := os.Stat(orig)
		if fa.Mode().Perm()&0o100 != fb.Mode().Perm()&0o100 {
			t.Errorf("%s: mode %v, original %v", rel, fa.Mode(), fb.Mode())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(restored) != len(want) {
		t.Errorf("restored %d files, zip has %d", len(restored), len(want))
	}
	for n := range want {
		if !restored[n] {
			t.Errorf("%s not restored", n)
		}
	}
	if _, err := os.Lstat(filepath.Join(dest, ".machinable")); !os.IsNotExist(err) {
		t.Errorf("manifest was extracted: %v", err)
	}
	// A restored symlink to a directory is still a link, not a copy.
	if fi, err := os.Lstat(filepath.Join(dest, "linkdir")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("linkdir: %v %v", fi, err)
	}
}

func TestRestoreRefusesNonEmptyDest(t *testing.T) {
	isolateGit(t)
	d := t.TempDir()
	writeFile(t, filepath.Join(d, "a.txt"), "a\n")
	_, data := writeZip(t, d, Options{})

	dest := t.TempDir()
	writeFile(t, filepath.Join(dest, "existing"), "keep me\n")
	_, err := Restore(bytes.NewReader(data), int64(len(data)), dest)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("err = %v, want a not-empty error", err)
	}
	if _, err := os.Stat(filepath.Join(dest, "a.txt")); !os.IsNotExist(err) {
		t.Errorf("a.txt written into a non-empty destination")
	}
	// An existing empty directory is fine.
	if _, err := Restore(bytes.NewReader(data), int64(len(data)), t.TempDir()); err != nil {
		t.Errorf("empty dest: %v", err)
	}
}

// craftZip builds a zip by hand, with a manifest so that only the hostile
// entry can be the reason for a refusal.
func craftZip(t *testing.T, add func(zw *zip.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("ok.txt")
	w.Write([]byte("ok\n"))
	add(zw)
	w, _ = zw.Create(ManifestName)
	w.Write([]byte(`{"project":"/x","files":2}`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRestoreRefusesZipSlip(t *testing.T) {
	link := func(name, target string) func(zw *zip.Writer) {
		return func(zw *zip.Writer) {
			h := &zip.FileHeader{Name: name}
			h.SetMode(os.ModeSymlink | 0o777)
			w, _ := zw.CreateHeader(h)
			w.Write([]byte(target))
		}
	}
	file := func(name string) func(zw *zip.Writer) {
		return func(zw *zip.Writer) {
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: name})
			w.Write([]byte("evil\n"))
		}
	}
	cases := map[string]func(zw *zip.Writer){
		"dotdot":          file("../evil"),
		"nested dotdot":   file("a/../../evil"),
		"absolute":        file("/tmp/evil"),
		"backslash":       file("..\\evil"),
		"link outside":    link("l", "../evil"),
		"link absolute":   link("l", "/etc"),
		"through symlink": func(zw *zip.Writer) { link("l", "sub")(zw); file("l/evil")(zw) },
	}
	for name, add := range cases {
		t.Run(name, func(t *testing.T) {
			data := craftZip(t, add)
			parent := t.TempDir()
			dest := filepath.Join(parent, "dest")
			_, err := Restore(bytes.NewReader(data), int64(len(data)), dest)
			if err == nil {
				t.Fatal("hostile zip accepted")
			}
			t.Log(err)
			ents, _ := os.ReadDir(parent)
			if len(ents) != 0 {
				t.Errorf("written despite refusal: %v", ents)
			}
			if _, err := os.Lstat(filepath.Join(filepath.Dir(parent), "evil")); err == nil {
				t.Errorf("evil written outside")
			}
		})
	}
}

// TestRestoreRefusesLinkChains: a link whose target looks inside the
// destination on its own, but leaves it once the other links of the zip
// are followed (a link to a directory link, then ".."), or that loops,
// is refused with nothing written; chains that stay inside are restored.
func TestRestoreRefusesLinkChains(t *testing.T) {
	link := func(name, target string) func(zw *zip.Writer) {
		return func(zw *zip.Writer) {
			h := &zip.FileHeader{Name: name}
			h.SetMode(os.ModeSymlink | 0o777)
			w, _ := zw.CreateHeader(h)
			w.Write([]byte(target))
		}
	}
	file := func(name string) func(zw *zip.Writer) {
		return func(zw *zip.Writer) {
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: name})
			w.Write([]byte("data\n"))
		}
	}
	all := func(adds ...func(zw *zip.Writer)) func(zw *zip.Writer) {
		return func(zw *zip.Writer) {
			for _, a := range adds {
				a(zw)
			}
		}
	}
	for name, tc := range map[string]struct {
		add  func(zw *zip.Writer)
		want string
	}{
		// deep/up is dest itself; deep/up/.. is the parent of dest.
		"dotdot after a link": {all(link("deep/up", ".."), link("escape", "deep/up/..")),
			`refusing symlink "escape" -> "deep/up/..": once the links it goes through are followed, it points outside the destination`},
		"link to a link to outside": {all(link("deep/up", ".."), link("hop", "deep/up"), link("escape", "hop/../evil")),
			`refusing symlink "escape" -> "hop/../evil": once the links it goes through are followed, it points outside the destination`},
		"nested chain": {all(link("a/b/up2", "../.."), link("a/b/c", "up2/a/b/up2/../x")),
			`refusing symlink "a/b/c" -> "up2/a/b/up2/../x"`},
		"loop": {all(link("l1", "l2"), link("l2", "l1")), "it goes through more than 40 links (a loop)"},
	} {
		t.Run(name, func(t *testing.T) {
			data := craftZip(t, tc.add)
			parent := t.TempDir()
			dest := filepath.Join(parent, "dest")
			_, err := Restore(bytes.NewReader(data), int64(len(data)), dest)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if ents, _ := os.ReadDir(parent); len(ents) != 0 {
				t.Errorf("written despite refusal: %v", ents)
			}
		})
	}
	// Chains that stay inside are restored as they were.
	data := craftZip(t, all(file("sub/f.txt"), link("dirlink", "sub"), link("l2", "dirlink/f.txt"), link("l1", "l2"),
		link("sub/self", "."), link("deep/up", ".."), link("back", "deep/up/sub/f.txt")))
	dest := filepath.Join(t.TempDir(), "dest")
	if _, err := Restore(bytes.NewReader(data), int64(len(data)), dest); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"l1", "back", "sub/self/f.txt"} {
		if b, err := os.ReadFile(filepath.Join(dest, name)); err != nil || string(b) != "data\n" {
			t.Errorf("%s: %q, %v", name, b, err)
		}
	}
}
