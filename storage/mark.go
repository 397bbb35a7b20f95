package storage

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// markContent is the .gitignore machinable writes at the root of a
// local storage it creates inside a project: git ignores the results,
// and code backups skip the folder (as they skip virtualenvs and
// caches, which mark themselves the same way).
const markContent = "# A machinable storage: results, not code. Git ignores it and code backups skip it.\n*\n"

// makeRoot makes a local storage's root directory when it has none.
// Only a root this process created is marked, and only inside a project
// (a machinable.yaml at or above it): an existing folder, which may be
// the project itself, is never given a .gitignore.
func (s *Storage) makeRoot() error {
	if s.Object || s.Memory {
		return nil
	}
	if _, err := s.Fs.Stat(s.Root); err == nil {
		return nil
	}
	if err := s.Fs.MkdirAll(filepath.Dir(s.Root), 0o755); err != nil {
		return err
	}
	if err := s.Fs.Mkdir(s.Root, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // another process made it, and marks it
		}
		return err
	}
	if _, inProject := projectRoot(filepath.Dir(s.Root)); !inProject {
		return nil
	}
	if err := createFile(s.Fs, filepath.Join(s.Root, ".gitignore"), []byte(markContent)); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return nil
}
