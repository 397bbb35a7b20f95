package storage

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// What a search index of a storage (package index) needs from it: the
// experiment directories, and views made from what it recorded, so a
// search answers without reading every execution.json again.

// ExperimentDirs lists the directories below the root holding an
// execution.json, as paths relative to the root with forward slashes
// ("<directory>/<id>" or "<id>"), each checked like a path read from a
// user: a directory that is no valid experiment place is left out.
func (s *Storage) ExperimentDirs() ([]string, error) {
	dirs, err := s.experimentDirs()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(dirs))
	for _, d := range dirs {
		rel, err := filepath.Rel(s.Root, d)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		if CheckRelExperimentPath(rel) == nil {
			out = append(out, rel)
		}
	}
	return out, nil
}

// CheckRelExperimentPath checks a path relative to the storage root
// naming an experiment: a valid directory, then a valid experiment ID.
func CheckRelExperimentPath(rel string) error {
	if rel == "" || strings.HasPrefix(rel, "/") || strings.Contains(rel, "\\") {
		return fmt.Errorf("experiment path %q: expected <directory>/<experiment ID> relative to the storage", rel)
	}
	dir, id := path.Split(rel)
	if err := CheckExperimentID(id); err != nil {
		return fmt.Errorf("experiment path %q: %w", rel, err)
	}
	if err := CheckDirectory(strings.TrimSuffix(dir, "/")); err != nil {
		return fmt.Errorf("experiment path %q: %w", rel, err)
	}
	return nil
}

// ViewRel reads the experiment at a relative path (see ExperimentDirs).
func (s *Storage) ViewRel(rel string) (*ExperimentView, error) {
	if err := CheckRelExperimentPath(rel); err != nil {
		return nil, err
	}
	return s.view(s.Path(filepath.FromSlash(rel)))
}

// IndexedExperiment is what a search index keeps of an experiment.
type IndexedExperiment struct {
	Rel         string // path relative to the root (see ExperimentDirs)
	ID          string
	Seed        int64
	Engine      string
	Directory   string
	Project     string
	StartedAt   time.Time
	CodeVersion map[string]any
}

// ViewFromIndex makes an experiment view from what an index recorded,
// without reading execution.json; its components are read from the
// schedule when asked. The path is checked first.
func (s *Storage) ViewFromIndex(x IndexedExperiment) (*ExperimentView, error) {
	if err := CheckRelExperimentPath(x.Rel); err != nil {
		return nil, err
	}
	if _, id := path.Split(x.Rel); id != x.ID {
		return nil, fmt.Errorf("experiment path %q: recorded ID %q differs from the directory's name", x.Rel, x.ID)
	}
	p := s.Path(filepath.FromSlash(x.Rel))
	return &ExperimentView{storage: s, exp: &Experiment{storage: s, ID: x.ID, Path: p},
		ID: x.ID, Seed: x.Seed, Engine: x.Engine, Directory: x.Directory, Project: x.Project,
		StartedAt: x.StartedAt, CodeVersion: x.CodeVersion}, nil
}
