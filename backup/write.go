package backup

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// binarySniffLen is how much git reads to decide that a file is binary.
const binarySniffLen = 8000

// Write writes the zip of the project to w and returns its manifest (also
// stored in the zip as ManifestName, as its last entry).
func Write(w io.Writer, projectDir string, opts Options) (*Manifest, error) {
	p, ri, wk, err := walkProject(projectDir, opts)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Project: p.abs, Created: time.Now().UTC(), Skipped: []Skipped{}}
	if ri == nil {
		m.Warnings = append(m.Warnings, "not a git repository: no ignore rules applied")
	} else {
		if m.Version, err = codeVersion(ri, wk.untracked); err != nil {
			return nil, err
		}
	}
	m.Warnings = append(m.Warnings, wk.warnings...)
	m.Skipped = append(m.Skipped, wk.skipped...)

	// Sorted by full path (the walk's order puts "a/b" before "a.txt").
	sort.Slice(wk.files, func(i, j int) bool { return wk.files[i].rel < wk.files[j].rel })
	counted := &zipCounter{w: w}
	zw := newZipWriter(counted)
	z := &zipper{zw: zw, m: m, buf: make([]byte, 64*1024), dirBytes: map[string]int64{}}
	for _, e := range wk.files {
		if err := z.add(e); err != nil {
			return nil, err
		}
	}
	if err := zw.Flush(); err != nil {
		return nil, fmt.Errorf("backup: write zip: %w", err)
	}
	if warn := sizeWarning(counted.n, z.dirBytes); warn != "" {
		m.Warnings = append(m.Warnings, warn)
	}
	sort.Slice(m.Skipped, func(i, j int) bool { return m.Skipped[i].Path < m.Skipped[j].Path })
	if err := writeManifest(zw, m); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("backup: finish zip: %w", err)
	}
	return m, nil
}

// walkProject collects the files a backup of the project takes: the
// work tree's with git's ignore rules, or all of the project's outside
// git (ri nil then).
func walkProject(projectDir string, opts Options) (project, *repoInfo, *walker, error) {
	p, err := resolveProject(projectDir)
	if err != nil {
		return p, nil, nil, err
	}
	ri, err := openRepo(p.real)
	if err != nil {
		return p, nil, nil, err
	}
	wk := newWalker(p.real, "", p.real, nil, opts, true)
	if ri != nil {
		projRel, err := relToRoot(ri.root, p.real)
		if err != nil {
			return p, nil, nil, err
		}
		wk = newWalker(ri.root, projRel, p.real, ri, opts, true)
	}
	return p, ri, wk, wk.walk()
}

// zipper streams files into the zip and keeps the manifest's counts.
type zipper struct {
	zw   *zip.Writer
	m    *Manifest
	head [binarySniffLen]byte
	buf  []byte
	// dirBytes sums the bytes stored per top-level folder ("data/"),
	// for the size warning.
	dirBytes map[string]int64
}

// stored counts a file written into the zip.
func (z *zipper) stored(rel string, n int64) {
	z.m.Files++
	z.m.Bytes += n
	if i := strings.IndexByte(rel, '/'); i > 0 {
		z.dirBytes[rel[:i+1]] += n
	}
}

func (z *zipper) skip(e entry, reason string) {
	z.m.Skipped = append(z.m.Skipped, Skipped{Path: e.rel, Reason: reason, Size: e.info.Size()})
}

func (z *zipper) add(e entry) error {
	hdr := &zip.FileHeader{Name: e.rel, Method: zip.Deflate, Modified: e.info.ModTime()}
	hdr.SetMode(e.info.Mode())
	if e.link != "" {
		// Info-ZIP convention: symlink mode bits, target as the content.
		hdr.Method = zip.Store
		fw, err := z.zw.CreateHeader(hdr)
		if err != nil {
			return fmt.Errorf("backup: add %s: %w", e.rel, err)
		}
		if _, err := io.WriteString(fw, e.link); err != nil {
			return fmt.Errorf("backup: add %s: %w", e.rel, err)
		}
		z.stored(e.rel, int64(len(e.link)))
		return nil
	}

	f, err := os.Open(e.abs)
	if err != nil {
		z.skip(e, reasonUnreadablePrefx+err.Error())
		return nil
	}
	defer f.Close()
	// Read the head first: a binary or unreadable file is skipped before
	// anything is written, since a zip entry cannot be taken back.
	n, err := io.ReadFull(f, z.head[:])
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		z.skip(e, reasonUnreadablePrefx+err.Error())
		return nil
	}
	head := z.head[:n]
	if bytes.IndexByte(head, 0) >= 0 {
		z.skip(e, reasonBinary)
		return nil
	}
	if n == 0 {
		hdr.Method = zip.Store
	}
	fw, err := z.zw.CreateHeader(hdr)
	if err != nil {
		return fmt.Errorf("backup: add %s: %w", e.rel, err)
	}
	if _, err := fw.Write(head); err != nil {
		return fmt.Errorf("backup: add %s: %w", e.rel, err)
	}
	written := int64(n)
	if n == len(z.head) {
		// Hide *os.File's WriteTo so that our buffer is reused.
		c, err := io.CopyBuffer(fw, struct{ io.Reader }{f}, z.buf)
		if err != nil {
			return fmt.Errorf("backup: add %s: %w", e.rel, err)
		}
		written += c
	}
	z.stored(e.rel, written)
	return nil
}

func writeManifest(zw *zip.Writer, m *Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("backup: encode manifest: %w", err)
	}
	hdr := &zip.FileHeader{Name: ManifestName, Method: zip.Deflate, Modified: m.Created}
	hdr.SetMode(0o644)
	fw, err := zw.CreateHeader(hdr)
	if err == nil {
		_, err = fw.Write(data)
	}
	if err != nil {
		return fmt.Errorf("backup: write manifest: %w", err)
	}
	return nil
}
