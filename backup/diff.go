package backup

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sort"
	"strings"
)

// Diff compares a backup with the project as it is now, by the files the
// backup would take today (same ignore rules and options): "M path" for a
// file whose content changed, "A path" for one that is new, "D path" for
// one that is gone. Files skipped at backup time (binary, too large) are
// left out. Contents are compared by the CRC-32 the zip keeps for each
// entry, so nothing is unpacked; files of another size are not read.
func Diff(r io.ReaderAt, size int64, projectDir string, opts Options) ([]string, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("backup: diff: %w", err)
	}
	stored := map[string]*zip.File{}
	var manifest *Manifest
	for _, f := range zr.File {
		if f.Name == ManifestName {
			if manifest, err = readManifest(f); err != nil {
				return nil, err
			}
			continue
		}
		stored[f.Name] = f
	}
	if manifest == nil {
		return nil, fmt.Errorf("backup: diff: no %s in the zip; not written by backup.Write", ManifestName)
	}
	skipped := map[string]bool{}
	for _, s := range manifest.Skipped {
		skipped[s.Path] = true
	}
	_, _, wk, err := walkProject(projectDir, opts)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range wk.files {
		f, ok := stored[e.rel]
		delete(stored, e.rel)
		switch {
		case !ok:
			if !skipped[e.rel] && (e.link != "" || !isBinary(e.abs)) {
				out = append(out, "A "+e.rel)
			}
		case changed(f, e):
			out = append(out, "M "+e.rel)
		}
	}
	var storages []string // skipped today; older backups may hold them
	for _, s := range wk.skipped {
		if isStorageSkip(s) {
			storages = append(storages, s.Path)
		}
	}
	for name := range stored {
		if !underAny(name, storages) {
			out = append(out, "D "+name)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][2:] < out[j][2:] })
	return out, nil
}

// changed compares a stored entry with the file now: the kind (link or
// file), then the size, then the CRC-32 of the content (a link's content
// is its target).
func changed(f *zip.File, e entry) bool {
	wasLink := f.Mode()&os.ModeSymlink != 0
	if wasLink != (e.link != "") {
		return true
	}
	if wasLink {
		return crc32.ChecksumIEEE([]byte(e.link)) != f.CRC32
	}
	if uint64(e.info.Size()) != f.UncompressedSize64 {
		return true
	}
	file, err := os.Open(e.abs)
	if err != nil {
		return true
	}
	defer file.Close()
	h := crc32.NewIEEE()
	if _, err := io.Copy(h, file); err != nil {
		return true
	}
	return h.Sum32() != f.CRC32
}

// isBinary tells, as Write does, whether a file is binary (a NUL byte in
// its first binarySniffLen bytes); such files are never backed up.
func isBinary(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, binarySniffLen)
	n, _ := io.ReadFull(f, head)
	return bytes.IndexByte(head[:n], 0) >= 0
}

// underAny reports whether a path lies in one of the folders ("dir/").
func underAny(name string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(name, d) {
			return true
		}
	}
	return false
}
