package project

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FileName is the name of the project file at the project root.
const FileName = "machinable.yaml"

// Find returns the nearest directory at or above start (a file or a
// directory) that holds machinable.yaml. The returned path is absolute.
// When there is none, the error wraps fs.ErrNotExist.
func Find(start string) (string, error) {
	abs, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("find project for %s: %w", start, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("find project for %s: %w", start, err)
	}
	dir := abs
	if !info.IsDir() {
		dir = filepath.Dir(abs)
	}
	for {
		if isFile(filepath.Join(dir, FileName)) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", &wrapError{
				msg: fmt.Sprintf("no %s in %s or any directory above it", FileName, start),
				err: fs.ErrNotExist,
			}
		}
		dir = parent
	}
}

// isFile reports whether path is a regular file (or a link to one); a
// directory named machinable.yaml does not make a project.
func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}
