package backup

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/machinable-go/machinable/internal/fuzzguard"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/machinable-go/machinable/internal/treesnap"
)

// FuzzRestore restores zips into a fresh directory inside a sandbox that
// holds other files: a zip built from a text description (one entry a
// line: "f NAME<TAB>CONTENT" a file, "x ..." an executable, "l NAME<TAB>TARGET"
// a symlink, "d NAME" a directory, "m<TAB>JSON" the manifest, "-" no
// manifest; CONTENT may be a Go-quoted string), and any bytes as a zip:
//   - Restore returns a manifest or an error, never panics, within
//     bounded time and heap;
//   - nothing outside the target directory is created or changed;
//   - every symlink in the target, followed link by link, stays inside it;
//   - after a successful restore every file of the zip is there with its
//     content and executable bit, and the manifest is the zip's.
func FuzzRestore(f *testing.F) {
	for _, spec := range []string{
		"f main.py\tprint('hi')\nf pkg/mod.py\tx = 1\nx run.sh\t\"#!/bin/sh\\necho hi\\n\"\nl link.py\tmain.py\nd empty/\n",
		"f a\t1\nl b\ta\nl c\tb\n",
		"f ../evil\tx\n", "f a/../../evil\tx\n", "f /tmp/evil\tx\n", "f ..\\evil\tx\n", "f .git/config\tx\n", "f a\t1\nf a\t2\n", "f a\t1\nf ./a\t2\n",
		"l l\t../evil\n", "l l\t/etc\n", "l d\t.\nf d/x\tevil\n", "l sub/l\t../..\n", "l a\tb/c\nl b\t.\nl x\ta/../..\n",
		"l a\tb\nl b\ta\n", "l a\tmissing/../..\n", "f a\t1\nf a/b\t2\n", "d a\nf a\t1\n", "-\nf a\t1\n", "m\t{\"project\": 3}\nf a\t1\n",
		"m\tnot json\n", "f \tx\n", "f a/\tx\n", "f a//b\tx\n", "f " + strings.Repeat("d/", 60) + "f\tdeep\n", "l " + strings.Repeat("l", 300) + "\tx\n",
		"f .machinable/backup.json\tx\n", "f .machinable/other\tx\n",
	} {
		f.Add(spec, []byte(nil))
	}
	var raw bytes.Buffer
	zw := zip.NewWriter(&raw)
	w, _ := zw.Create("a.txt")
	w.Write([]byte("hello\n"))
	w, _ = zw.Create(ManifestName)
	w.Write([]byte(`{"project": "/p", "files": 1}`))
	zw.Close()
	f.Add("", raw.Bytes())
	f.Add("", []byte("PK\x05\x06"+strings.Repeat("\x00", 18)))

	sandbox := f.TempDir()
	for _, d := range []string{"outside/sub", "work"} {
		if err := os.MkdirAll(filepath.Join(sandbox, d), 0o755); err != nil {
			f.Fatal(err)
		}
	}
	for _, p := range []string{"outside/sentinel", "outside/sub/evil", "evil"} {
		if err := os.WriteFile(filepath.Join(sandbox, p), []byte("sentinel\n"), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, spec string, rawZip []byte) {
		if len(spec) > 1<<13 || len(rawZip) > 1<<15 {
			return
		}
		defer fuzzguard.Start()()
		outside := filepath.Join(sandbox, "outside")
		before, err := treesnap.Take(outside)
		if err != nil {
			t.Fatal(err)
		}
		// Restore into a directory two levels down, so that an escape by
		// one or two levels lands in the sandbox where it shows.
		run := func(data []byte, files map[string]fuzzEntry, manifest *Manifest) {
			dest := filepath.Join(sandbox, "work", fmt.Sprintf("r%d", n.Add(1)), "dest")
			defer os.RemoveAll(filepath.Dir(dest))
			m, err := Restore(bytes.NewReader(data), int64(len(data)), dest)
			after, serr := treesnap.Take(outside)
			if serr != nil {
				t.Fatal(serr)
			}
			if d := before.Diff(after); len(d) > 0 {
				t.Fatalf("Restore into %s changed files outside it: %v (error: %v)", dest, d, err)
			}
			if b, rerr := os.ReadFile(filepath.Join(sandbox, "evil")); rerr != nil || string(b) != "sentinel\n" {
				t.Fatalf("Restore into %s changed %s: %q, %v (error: %v)", dest, filepath.Join(sandbox, "evil"), b, rerr, err)
			}
			fuzzCheckOutside(t, sandbox, filepath.Dir(dest), dest, err)
			fuzzCheckLinks(t, dest)
			if err != nil {
				if err.Error() == "" {
					t.Fatal("Restore: empty error")
				}
				return
			}
			if m == nil {
				t.Fatal("Restore: nil manifest without an error")
			}
			if manifest != nil && !reflect.DeepEqual(m, manifest) {
				t.Fatalf("Restore returned manifest %+v; the zip has %+v", m, manifest)
			}
			for name, e := range files {
				p := filepath.Join(dest, filepath.FromSlash(name))
				got, err := os.ReadFile(p)
				if err != nil || string(got) != e.content {
					t.Fatalf("restored %s = %q, %v; want %q", name, got, err, e.content)
				}
				if fi, err := os.Stat(p); err == nil && (fi.Mode()&0o100 != 0) != e.exec {
					t.Fatalf("restored %s has mode %v; executable in the zip: %v", name, fi.Mode(), e.exec)
				}
			}
		}

		if data, files, manifest, ok := fuzzBuildZip(spec); ok {
			run(data, files, manifest)
		}
		if len(rawZip) > 0 && fuzzZipSmall(rawZip) {
			run(rawZip, nil, nil)
		}
	})
}

// fuzzEntry is a regular file of a built zip.
type fuzzEntry struct {
	content string
	exec    bool
}

// fuzzBuildZip writes the zip a text description stands for; files are
// the regular files Restore must produce (the names it would clean to)
// and manifest the one it must return, nil when the zip has none that
// decodes. ok is false for descriptions that do not make a zip.
func fuzzBuildZip(spec string) (data []byte, files map[string]fuzzEntry, manifest *Manifest, ok bool) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files = map[string]fuzzEntry{}
	wantManifest := true
	var manifestJSON []byte
	for _, line := range strings.Split(spec, "\n") {
		if line == "" {
			continue
		}
		if line == "-" {
			wantManifest = false
			continue
		}
		kind, rest := line[0], strings.TrimPrefix(line[1:], " ")
		name, content, _ := strings.Cut(rest, "\t")
		if u, err := strconv.Unquote(content); err == nil {
			content = u
		}
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
		switch kind {
		case 'f', 'x':
			if kind == 'x' {
				h.SetMode(0o755)
			} else {
				h.SetMode(0o644)
			}
			// A name ending in / is a directory, whatever its mode.
			if clean, err := safeName(name); err == nil && name != ManifestName && !strings.HasSuffix(name, "/") {
				files[clean] = fuzzEntry{content: content, exec: kind == 'x'}
			}
		case 'l':
			h.SetMode(fs.ModeSymlink | 0o777)
		case 'd':
			if !strings.HasSuffix(h.Name, "/") {
				h.Name += "/"
			}
			h.SetMode(fs.ModeDir | 0o755)
		case 'm':
			manifestJSON = []byte(content)
			continue
		default:
			return nil, nil, nil, false
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, nil, nil, false
		}
		if kind != 'd' {
			w.Write([]byte(content))
		}
	}
	if wantManifest {
		if manifestJSON == nil {
			manifestJSON = []byte(`{"project": "/p", "files": 1, "bytes": 2, "skipped": [], "version": {"git": false, "dirty": false}}`)
		}
		var m Manifest
		if json.NewDecoder(bytes.NewReader(manifestJSON)).Decode(&m) == nil {
			manifest = &m
		}
		w, err := zw.Create(ManifestName)
		if err != nil {
			return nil, nil, nil, false
		}
		w.Write(manifestJSON)
	}
	if err := zw.Close(); err != nil {
		return nil, nil, nil, false
	}
	return buf.Bytes(), files, manifest, true
}

// fuzzZipSmall: a raw zip is restored only when what it declares is
// small, so that a crafted zip (many entries sharing one compressed
// stream) cannot fill the disk of the machine running the fuzzer.
func fuzzZipSmall(data []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return true // Restore must refuse it: cheap
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
	}
	return total <= 16<<20 && len(zr.File) <= 1000
}

// fuzzCheckOutside fails when the sandbox holds anything new outside
// work/rN (the restore's own directory).
func fuzzCheckOutside(t *testing.T, sandbox, own, dest string, rerr error) {
	err := filepath.WalkDir(sandbox, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch rel, _ := filepath.Rel(sandbox, p); {
		case rel == "." || rel == "work" || rel == "evil" || rel == "outside" || strings.HasPrefix(rel, "outside"+string(filepath.Separator)):
			return nil
		case p == own || fuzzWithin(dest, p):
			return nil
		case strings.HasPrefix(rel, "work"+string(filepath.Separator)) && d.IsDir() && filepath.Dir(p) == filepath.Join(sandbox, "work"):
			if p != own {
				return filepath.SkipDir // an earlier input's, being removed
			}
		}
		t.Fatalf("Restore into %s created %s (error: %v)", dest, p, rerr)
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
}

// fuzzCheckLinks follows every symlink below dest component by component,
// as the system would, and fails when one leads outside dest.
func fuzzCheckLinks(t *testing.T, dest string) {
	filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		if where, ok := fuzzResolve(dest, p); !ok {
			target, _ := os.Readlink(p)
			t.Fatalf("restored symlink %s -> %s leads to %s, outside %s", p, target, where, dest)
		}
		return nil
	})
}

// fuzzResolve resolves p (below dest) and reports whether every step
// stays inside dest.
func fuzzResolve(dest, p string) (string, bool) {
	rel, err := filepath.Rel(dest, p)
	if err != nil {
		return p, false
	}
	rest := strings.Split(rel, string(filepath.Separator))
	cur := dest
	for hops := 0; len(rest) > 0; {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			if !fuzzWithin(dest, cur) {
				return cur, false
			}
			continue
		}
		next := filepath.Join(cur, c)
		fi, err := os.Lstat(next)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > 40 {
			return next, true // a loop: the system refuses it (ELOOP)
		}
		target, err := os.Readlink(next)
		if err != nil {
			return next, true
		}
		if filepath.IsAbs(target) {
			return target, fuzzWithin(dest, target)
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return cur, fuzzWithin(dest, cur)
}

// fuzzWithin reports whether p is dir or below it.
func fuzzWithin(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}
