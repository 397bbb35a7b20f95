package storage

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/spf13/afero"
)

// ArchiveAttempt moves everything in a component directory into
// attempts/<n>/ (n = 1, 2, ...) so the component can run again without
// overwriting what its earlier attempt left. It returns n, or 0 when the
// directory held nothing to archive.
func (e *Experiment) ArchiveAttempt(id string) (int, error) {
	fs := e.storage.Fs
	dir := filepath.Join(e.Path, id)
	entries, err := afero.ReadDir(fs, dir)
	if err != nil {
		return 0, nil // never started: nothing to keep
	}
	var move []string
	for _, en := range entries {
		if en.Name() != "attempts" {
			move = append(move, en.Name())
		}
	}
	if len(move) == 0 {
		return 0, nil
	}
	n := 1
	if prev, err := afero.ReadDir(fs, filepath.Join(dir, "attempts")); err == nil {
		for _, p := range prev {
			if k, err := strconv.Atoi(p.Name()); err == nil && k >= n {
				n = k + 1
			}
		}
	}
	target := filepath.Join(dir, "attempts", strconv.Itoa(n))
	if err := mkdirAll(fs, target); err != nil {
		return 0, fmt.Errorf("archive attempt of %s: %w", id, err)
	}
	for _, name := range move {
		if err := moveTree(fs, filepath.Join(dir, name), filepath.Join(target, name)); err != nil {
			return 0, fmt.Errorf("archive attempt of %s: %w", id, err)
		}
	}
	return n, nil
}

// moveTree renames a file or directory; on object stores, where a rename
// moves one object, it moves every object below the path.
func moveTree(fs afero.Fs, from, to string) error {
	if !isObjectStore(fs) {
		return fs.Rename(from, to)
	}
	fi, err := fs.Stat(from)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fs.Rename(from, to)
	}
	entries, err := afero.ReadDir(fs, from)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := moveTree(fs, filepath.Join(from, e.Name()), filepath.Join(to, e.Name())); err != nil {
			return err
		}
	}
	return fs.RemoveAll(from)
}

// ComponentStatus reads a component's status.json; a component that never
// started (no directory or no status) is "created".
func (e *Experiment) ComponentStatus(id string) (Status, error) {
	c := &Component{fs: e.storage.Fs, ID: id, Path: filepath.Join(e.Path, id)}
	return c.ReadStatus()
}

// Exists reports whether an experiment directory with an execution.json
// is at that place.
func (s *Storage) Exists(directory, id string) bool {
	_, err := s.Fs.Stat(filepath.Join(s.ExperimentPath(directory, id), "execution.json"))
	return err == nil
}
