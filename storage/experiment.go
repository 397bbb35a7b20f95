package storage

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/afero"
)

// ErrExperimentExists is returned when an experiment directory is already
// present: stored results are never overwritten.
var ErrExperimentExists = errors.New("experiment already exists")

// Experiment is the directory of one experiment.
type Experiment struct {
	storage *Storage
	ID      string // the 6-character experiment ID, also the directory's name
	Path    string // the directory inside the storage's Fs
}

// ExperimentPath returns where an experiment lives (directory may be "").
func (s *Storage) ExperimentPath(directory, id string) string {
	return s.Path(filepath.FromSlash(directory), id)
}

// CreateExperiment makes the directory of a new experiment and refuses one
// that exists.
func (s *Storage) CreateExperiment(directory, id string) (*Experiment, error) {
	p := s.ExperimentPath(directory, id)
	if _, err := s.Fs.Stat(p); err == nil {
		return nil, fmt.Errorf("%w: %s; stored results are never overwritten (use another seed, or another storage)", ErrExperimentExists, s.Describe(p))
	}
	if err := s.makeRoot(); err != nil {
		return nil, fmt.Errorf("storage %s: %w", s.URL, err)
	}
	if err := s.Fs.MkdirAll(p, 0o755); err != nil {
		return nil, fmt.Errorf("storage %s: %w", s.URL, err)
	}
	return &Experiment{storage: s, ID: id, Path: p}, nil
}

// OpenExperiment opens an existing experiment directory.
func (s *Storage) OpenExperiment(directory, id string) (*Experiment, error) {
	if err := checkPlace(directory, id); err != nil {
		return nil, err
	}
	p := s.ExperimentPath(directory, id)
	if fi, err := s.Fs.Stat(p); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("experiment %s not found in storage %s", id, s.URL)
	}
	return &Experiment{storage: s, ID: id, Path: p}, nil
}

// MakeExperiment returns the experiment at directory/id, making its
// directory when it has none. Unlike CreateExperiment it does not refuse
// an existing one: processes preparing the same experiment at once all
// get it, and its files, each created once, decide who prepares it
// (see Experiment.WriteJSON). Nothing is ever removed.
func (s *Storage) MakeExperiment(directory, id string) (*Experiment, error) {
	if err := checkPlace(directory, id); err != nil {
		return nil, err
	}
	p := s.ExperimentPath(directory, id)
	if err := s.makeRoot(); err != nil {
		return nil, fmt.Errorf("storage %s: %w", s.URL, s.redact(err))
	}
	if err := mkdirAll(s.Fs, p); err != nil {
		return nil, fmt.Errorf("storage %s: %w", s.URL, s.redact(err))
	}
	return &Experiment{storage: s, ID: id, Path: p}, nil
}

func checkPlace(directory, id string) error {
	if err := CheckExperimentID(id); err != nil {
		return err
	}
	return CheckDirectory(directory)
}

// Storage returns the storage the experiment lives in.
func (e *Experiment) Storage() *Storage { return e.storage }

// WriteJSON writes a file of the experiment once, complete or not at
// all; an existing file is an error wrapping os.ErrExist.
func (e *Experiment) WriteJSON(name string, v any) error {
	return e.storage.redact(writeJSON(e.storage.Fs, filepath.Join(e.Path, name), v, false))
}

// ReadJSON decodes a file of the experiment into v; one that does not
// decode is a *CorruptError naming it.
func (e *Experiment) ReadJSON(name string, v any) error {
	err := readJSON(e.storage.Fs, filepath.Join(e.Path, name), v)
	var ce *CorruptError
	if errors.As(err, &ce) {
		ce.Path = e.storage.Describe(ce.Path)
	}
	return e.storage.redact(err)
}

// HasFile reports whether the experiment has a file of that name.
func (e *Experiment) HasFile(name string) bool {
	_, err := e.storage.Fs.Stat(filepath.Join(e.Path, name))
	return err == nil
}

// FileInfo returns what the storage knows of a file of the experiment
// (its modification time, for one).
func (e *Experiment) FileInfo(name string) (os.FileInfo, error) {
	return e.storage.Fs.Stat(filepath.Join(e.Path, name))
}

// Describe names a file of the experiment for messages.
func (e *Experiment) Describe(name string) string {
	return e.storage.Describe(filepath.Join(e.Path, name))
}

// WriteFile writes raw bytes once (code.zip and the like).
func (e *Experiment) WriteFile(name string, data []byte) error {
	return e.storage.redact(createFile(e.storage.Fs, filepath.Join(e.Path, name), data))
}

// CreateComponent makes the directory of a component.
func (e *Experiment) CreateComponent(id string) (*Component, error) {
	if err := CheckComponentID(id); err != nil {
		return nil, err
	}
	p := filepath.Join(e.Path, id)
	if err := mkdirAll(e.storage.Fs, p); err != nil {
		return nil, fmt.Errorf("storage %s: %w", e.storage.URL, err)
	}
	return e.component(id, p), nil
}

// ReadFile returns the content of a file of the experiment.
func (e *Experiment) ReadFile(name string) ([]byte, error) {
	return readWhole(e.storage.Fs, filepath.Join(e.Path, name))
}

func (e *Experiment) component(id, p string) *Component {
	return &Component{fs: e.storage.Fs, ID: id, Path: p, flush: e.storage.Flush, describe: e.storage.Describe,
		records: map[string]*RecordWriter{}}
}

// ReplaceJSON writes (or replaces, atomically) a file of the experiment:
// for files that describe its current state, such as slurm.json.
func (e *Experiment) ReplaceJSON(name string, v any) error {
	return e.storage.redact(writeJSON(e.storage.Fs, filepath.Join(e.Path, name), v, true))
}

// SetAside moves a file of the experiment that does not decode out of
// the way, to <name>.corrupt-<hash of raw>, so that it can be written
// again; raw is its content as read. It returns the new name. Of
// several processes setting aside the same content, one succeeds; the
// others get ErrClaimed and should read the file again.
func (e *Experiment) SetAside(name string, raw []byte) (string, error) {
	fsys := e.storage.Fs
	sum := sha256.Sum256(raw)
	aside := fmt.Sprintf("%s.corrupt-%x", name, sum[:6])
	p, q := filepath.Join(e.Path, name), filepath.Join(e.Path, aside)
	var err error
	if isMemory(fsys) || isObjectStore(fsys) {
		err = createStrict(fsys, q, raw)
	} else if err = link(fsys, p, q); errors.Is(err, errNoLink) {
		err = createStrict(fsys, q, raw)
	}
	switch {
	case errors.Is(err, os.ErrExist), errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("%s: %w", e.Describe(name), ErrClaimed)
	case err != nil:
		return "", fmt.Errorf("set aside %s: %w", e.Describe(name), e.storage.redact(err))
	}
	if err := fsys.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("set aside %s: %w", e.Describe(name), e.storage.redact(err))
	}
	return aside, nil
}

// ComponentDirs lists the component directories the experiment holds
// (named by a valid component ID), in no particular order.
func (e *Experiment) ComponentDirs() ([]string, error) {
	entries, err := afero.ReadDir(e.storage.Fs, e.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("list %s: %w", e.storage.Describe(e.Path), e.storage.redact(err))
	}
	var out []string
	for _, en := range entries {
		if en.IsDir() && CheckComponentID(en.Name()) == nil {
			out = append(out, en.Name())
		}
	}
	return out, nil
}

// LocalPath is the experiment's directory on the local file system;
// false on memory and object storages.
func (e *Experiment) LocalPath() (string, bool) {
	if e.storage.Object || e.storage.Memory {
		return "", false
	}
	return e.Path, true
}
