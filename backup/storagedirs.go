package backup

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Results never go into a code backup: a folder that is a storage is
// skipped whole, in and out of git. A folder is a storage when
//   - its .gitignore ignores everything in it ("*" its only pattern): how
//     machinable marks a storage it creates inside a project, and how
//     virtualenvs and caches mark themselves; or
//   - it holds an execution.json: an experiment, of a storage made before
//     storages were marked.
const (
	reasonStorage    = "a storage of results (its .gitignore ignores everything in it)"
	reasonExperiment = "an experiment of a storage (it has an execution.json)"
)

// storageReason tells why the directory dir, whose entries are ents, is
// a storage, or "" when it is not.
func storageReason(dir string, ents []fs.DirEntry) string {
	for _, e := range ents {
		switch {
		case e.Name() == "execution.json" && e.Type().IsRegular():
			return reasonExperiment
		case e.Name() == ".gitignore" && e.Type().IsRegular():
			if data, err := os.ReadFile(filepath.Join(dir, ".gitignore")); err == nil && ignoresAll(data) {
				return reasonStorage
			}
		}
	}
	return ""
}

// ignoresAll reports whether a .gitignore's only pattern is "*".
func ignoresAll(data []byte) bool {
	all := false
	for _, line := range bytes.Split(data, []byte("\n")) {
		s := strings.TrimSpace(strings.TrimSuffix(string(line), "\r"))
		switch {
		case s == "" || strings.HasPrefix(s, "#"):
		case s == "*":
			all = true
		default:
			return false
		}
	}
	return all
}

// isStorageSkip reports whether a skipped entry is a whole storage folder.
func isStorageSkip(s Skipped) bool {
	return s.Reason == reasonStorage || s.Reason == reasonExperiment
}
