// Package treesnap records a directory tree — every file's bytes, every
// entry's mtime and mode — so tests can prove that reading a storage wrote
// nothing: a changed file, a new or vanished one, or a temporary file
// created and removed again (its directory's mtime) all show.
package treesnap

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

type entry struct {
	data  string
	mtime time.Time
	mode  fs.FileMode
}

// Snapshot is the state of a tree at one moment.
type Snapshot map[string]entry

// Take walks root; an unreadable entry is an error.
func Take(root string) (Snapshot, error) {
	out := Snapshot{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		e := entry{mtime: fi.ModTime(), mode: fi.Mode()}
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			e.data = string(b)
		}
		out[p] = e
		return nil
	})
	return out, err
}

// Diff lists what changed from s to later, one line per entry, sorted;
// none means nothing was written.
func (s Snapshot) Diff(later Snapshot) []string {
	var out []string
	for p, b := range s {
		a, ok := later[p]
		switch {
		case !ok:
			out = append(out, p+" vanished")
		case a.data != b.data:
			out = append(out, p+" changed")
		case !a.mtime.Equal(b.mtime):
			out = append(out, fmt.Sprintf("%s: mtime changed from %v to %v", p, b.mtime, a.mtime))
		case a.mode != b.mode:
			out = append(out, fmt.Sprintf("%s: mode changed from %v to %v", p, b.mode, a.mode))
		}
	}
	for p := range later {
		if _, ok := s[p]; !ok {
			out = append(out, p+" appeared")
		}
	}
	sort.Strings(out)
	return out
}
