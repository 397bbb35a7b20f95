package backup

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Restore unpacks a zip written by Write into dest and returns its
// manifest. dest must not exist or be an empty directory, so that a restore
// never mixes with or overwrites other files. Every entry is checked before
// anything is written: names that would escape dest ("..", absolute paths)
// and symlinks whose target leaves dest are refused. Symlinks are recreated
// as symlinks, after all regular files, so no file is ever written through
// one; a link whose target leaves dest once the other links of the zip
// are followed (a chain, or ".." after a link) is refused too. The
// manifest is not extracted.
func Restore(r io.ReaderAt, size int64, dest string) (*Manifest, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("backup: restore: read zip: %w", err)
	}
	if err := checkDest(dest); err != nil {
		return nil, err
	}
	var m *Manifest
	var files, links []*zip.File
	seen := map[string]bool{}
	for _, f := range zr.File {
		if f.Name == ManifestName {
			if m, err = readManifest(f); err != nil {
				return nil, err
			}
			continue
		}
		name, err := safeName(f.Name)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, fmt.Errorf("backup: restore: duplicate entry %q", f.Name)
		}
		seen[name] = true
		mode := f.Mode()
		switch {
		case mode&fs.ModeSymlink != 0:
			links = append(links, f)
		case mode.IsDir(), strings.HasSuffix(f.Name, "/"):
			// Directories are implied by their files.
		case mode.IsRegular():
			files = append(files, f)
		default:
			return nil, fmt.Errorf("backup: restore: entry %q has unsupported mode %v", f.Name, mode)
		}
	}
	// A symlink must not be the parent of another entry: creating that
	// entry would go through the link, possibly out of dest.
	isLink := make(map[string]bool, len(links))
	for _, f := range links {
		isLink[path.Clean(f.Name)] = true
	}
	for name := range seen {
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			if isLink[d] {
				return nil, fmt.Errorf("backup: restore: refusing entry %q: it lies under the symlink %q", name, d)
			}
		}
	}
	if m == nil {
		return nil, fmt.Errorf("backup: restore: no %s in the zip; not written by backup.Write", ManifestName)
	}
	// Read the link targets before touching the disk, so a bad one is
	// refused with nothing written.
	targets := make([]string, len(links))
	byName := make(map[string]string, len(links))
	for i, f := range links {
		if targets[i], err = readLink(f); err != nil {
			return nil, err
		}
		byName[path.Clean(f.Name)] = filepath.ToSlash(targets[i])
	}
	// Each target is checked where it leads once the links it passes
	// through are followed, as the system will: a link to a link, or a
	// ".." after a link, can leave dest although every target alone looks
	// inside.
	for _, f := range links {
		if err := checkLinkChain(byName, path.Clean(f.Name)); err != nil {
			return nil, err
		}
	}

	if err := os.MkdirAll(dest, 0o755); err != nil {
		return nil, fmt.Errorf("backup: restore: %w", err)
	}
	for _, f := range files {
		if err := extractFile(f, dest); err != nil {
			return nil, err
		}
	}
	for i, f := range links {
		p := filepath.Join(dest, filepath.FromSlash(path.Clean(f.Name)))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("backup: restore %s: %w", f.Name, err)
		}
		if err := os.Symlink(targets[i], p); err != nil {
			return nil, fmt.Errorf("backup: restore %s: %w", f.Name, err)
		}
	}
	return m, nil
}

// checkDest accepts a missing path or an empty directory.
func checkDest(dest string) error {
	fi, err := os.Lstat(dest)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("backup: restore: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("backup: restore: destination %s exists and is not a directory", dest)
	}
	ents, err := os.ReadDir(dest)
	if err != nil {
		return fmt.Errorf("backup: restore: %w", err)
	}
	if len(ents) > 0 {
		return fmt.Errorf("backup: restore: destination %s is not empty (%d entries); restore into a new or empty directory", dest, len(ents))
	}
	return nil
}

// safeName validates a zip entry name (zip-slip) and returns it cleaned.
func safeName(name string) (string, error) {
	bad := func() (string, error) {
		return "", fmt.Errorf("backup: restore: refusing entry %q: it would escape the destination", name)
	}
	if name == "" || strings.Contains(name, "\\") || path.IsAbs(name) || filepath.IsAbs(name) || filepath.VolumeName(name) != "" {
		return bad()
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return bad()
		}
	}
	clean := path.Clean(name)
	if clean == "." || clean == ".git" || strings.HasPrefix(clean, ".git/") {
		return bad()
	}
	return clean, nil
}

func readLink(f *zip.File) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", fmt.Errorf("backup: restore %s: %w", f.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 4096))
	if err != nil {
		return "", fmt.Errorf("backup: restore %s: %w", f.Name, err)
	}
	target := string(data)
	j := path.Join(path.Dir(path.Clean(f.Name)), filepath.ToSlash(target))
	if target == "" || path.IsAbs(filepath.ToSlash(target)) || filepath.IsAbs(target) || j == ".." || strings.HasPrefix(j, "../") {
		return "", fmt.Errorf("backup: restore: refusing symlink %q -> %q: it points outside the destination", f.Name, target)
	}
	return target, nil
}

// maxLinkHops is how many links one path may pass through, as the
// system's own limit (ELOOP): more is a loop.
const maxLinkHops = 40

// checkLinkChain follows the link name through the links of the zip
// (links, by cleaned name, to their slash-separated targets) the way the
// system resolves a path, and refuses it when the path it leads to leaves
// the destination at any step, or loops. Entries that are not links are
// plain directories or files of dest, which lead nowhere else.
func checkLinkChain(links map[string]string, name string) error {
	refuse := func(why string) error {
		return fmt.Errorf("backup: restore: refusing symlink %q -> %q: %s", name, links[name], why)
	}
	// cur is the resolved directory, as components below dest; todo the
	// components still to walk.
	cur := strings.Split(path.Dir(name), "/")
	if cur[0] == "." {
		cur = nil
	}
	todo := strings.Split(links[name], "/")
	hops := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(cur) == 0 {
				return refuse("once the links it goes through are followed, it points outside the destination; expected a target inside it")
			}
			cur = cur[:len(cur)-1]
			continue
		}
		next := path.Join(append(append([]string{}, cur...), c)...)
		target, isLink := links[next]
		if !isLink {
			cur = append(cur, c)
			continue
		}
		hops++
		if hops > maxLinkHops {
			return refuse(fmt.Sprintf("it goes through more than %d links (a loop); expected a chain of at most %d links", maxLinkHops, maxLinkHops))
		}
		if path.IsAbs(target) {
			return refuse(fmt.Sprintf("it goes through the link %q to the absolute path %q, outside the destination; expected relative targets inside it", next, target))
		}
		// The link's target replaces it, relative to its directory (cur).
		todo = append(strings.Split(target, "/"), todo...)
	}
	return nil
}

func extractFile(f *zip.File, dest string) (err error) {
	p := filepath.Join(dest, filepath.FromSlash(path.Clean(f.Name)))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("backup: restore %s: %w", f.Name, err)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("backup: restore %s: %w", f.Name, err)
	}
	defer rc.Close()
	// O_EXCL: never overwrite, e.g. a file created by a crafted duplicate.
	perm := f.Mode().Perm()
	if perm == 0 {
		perm = 0o644 // zips made on systems without Unix modes
	}
	out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("backup: restore %s: %w", f.Name, err)
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("backup: restore %s: %w", f.Name, cerr)
		}
	}()
	if _, err := io.Copy(out, rc); err != nil {
		return fmt.Errorf("backup: restore %s: %w", f.Name, err)
	}
	if !f.Modified.IsZero() {
		// Best effort: the content matters, the time is a courtesy.
		_ = os.Chtimes(p, f.Modified, f.Modified)
	}
	return nil
}

func readManifest(f *zip.File) (*Manifest, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("backup: restore: read manifest: %w", err)
	}
	defer rc.Close()
	var m Manifest
	if err := json.NewDecoder(rc).Decode(&m); err != nil {
		return nil, fmt.Errorf("backup: restore: read manifest: %w", err)
	}
	return &m, nil
}
