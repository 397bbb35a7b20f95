package project

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

// NoProjectHelp explains that no machinable.yaml was found for the
// component name, searching from start ("" is the working directory): the
// directories looked in, a minimal machinable.yaml declaring name, and
// `machinable init`. A first project usually ends here, so it says how to
// make one.
func NoProjectHelp(start, name string) string {
	if start == "" {
		start = "."
	}
	dirs := searchedDirs(start)
	where := strings.Join(dirs, ", ")
	if len(dirs) == 0 {
		where = start
	}
	return fmt.Sprintf("no %s found (looked in %s) and no Go component of that name.\n"+
		"A project declares its components in %s at its root, for example:\n\n"+
		"    components:\n      - %s:\n          learning_rate: 0.1\n\n"+
		"with the component's code in %s.star next to it; `machinable init` writes a starter project",
		FileName, where, FileName, yamlKey(name), filepath.FromSlash(strings.ReplaceAll(name, ".", "/")))
}

// searchedDirs are the directories Find looks in from start, nearest first.
func searchedDirs(start string) []string {
	dir, err := filepath.Abs(start)
	if err != nil {
		return nil
	}
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		dir = filepath.Dir(dir)
	}
	var dirs []string
	for {
		dirs = append(dirs, dir)
		parent := filepath.Dir(dir)
		if parent == dir {
			return dirs
		}
		dir = parent
	}
}

// yamlKey is name as a YAML mapping key: plain when YAML reads it back as
// the same string, quoted otherwise.
func yamlKey(name string) string {
	for _, r := range name {
		if !(r == '_' || r == '.' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return strconv.Quote(name)
		}
	}
	return name
}
