package storage

import (
	"errors"
	"fmt"
	"io"
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
	if err := s.Fs.MkdirAll(p, 0o755); err != nil {
		return nil, fmt.Errorf("storage %s: %w", s.URL, err)
	}
	return &Experiment{storage: s, ID: id, Path: p}, nil
}

// OpenExperiment opens an existing experiment directory.
func (s *Storage) OpenExperiment(directory, id string) (*Experiment, error) {
	p := s.ExperimentPath(directory, id)
	if fi, err := s.Fs.Stat(p); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("experiment %s not found in storage %s", id, s.URL)
	}
	return &Experiment{storage: s, ID: id, Path: p}, nil
}

// Storage returns the storage the experiment lives in.
func (e *Experiment) Storage() *Storage { return e.storage }

// WriteJSON writes a file of the experiment once; an existing file is an
// error.
func (e *Experiment) WriteJSON(name string, v any) error {
	return writeJSON(e.storage.Fs, filepath.Join(e.Path, name), v, false)
}

// ReadJSON decodes a file of the experiment into v.
func (e *Experiment) ReadJSON(name string, v any) error {
	return readJSON(e.storage.Fs, filepath.Join(e.Path, name), v)
}

// WriteFile writes raw bytes once (code.zip and the like).
func (e *Experiment) WriteFile(name string, data []byte) error {
	return createFile(e.storage.Fs, filepath.Join(e.Path, name), data)
}

// CreateComponent makes the directory of a component.
func (e *Experiment) CreateComponent(id string) (*Component, error) {
	p := filepath.Join(e.Path, id)
	if err := mkdirAll(e.storage.Fs, p); err != nil {
		return nil, fmt.Errorf("storage %s: %w", e.storage.URL, err)
	}
	return e.component(id, p), nil
}

// CreateFile creates a new file of the experiment for streaming (code.zip);
// an existing one is an error.
func (e *Experiment) CreateFile(name string) (io.WriteCloser, error) {
	p := filepath.Join(e.Path, name)
	if isObjectStore(e.storage.Fs) { // no exclusive create: look first
		if _, err := e.storage.Fs.Stat(p); err == nil {
			return nil, fmt.Errorf("write %s: %w", e.storage.Describe(p), os.ErrExist)
		}
	}
	f, err := e.storage.Fs.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", e.storage.Describe(p), e.storage.redact(err))
	}
	return f, nil
}

// ReadFile returns the content of a file of the experiment.
func (e *Experiment) ReadFile(name string) ([]byte, error) {
	return afero.ReadFile(e.storage.Fs, filepath.Join(e.Path, name))
}

func (e *Experiment) component(id, p string) *Component {
	return &Component{fs: e.storage.Fs, ID: id, Path: p, flush: e.storage.Flush, describe: e.storage.Describe,
		records: map[string]*RecordWriter{}}
}

// ReplaceJSON writes (or replaces, atomically) a file of the experiment:
// for files that describe its current state, such as slurm.json.
func (e *Experiment) ReplaceJSON(name string, v any) error {
	return writeJSON(e.storage.Fs, filepath.Join(e.Path, name), v, true)
}
