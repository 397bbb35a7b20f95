package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/spf13/afero"
)

// ErrClaimed is returned by Archive when another process archived the
// same attempt first: that process runs the component again, this one
// must not.
var ErrClaimed = errors.New("taken over by another process")

// Attempt is what a component's directory holds now, read to decide
// whether it runs again (see Archive).
type Attempt struct {
	ID string
	// Status is status.json: StatusCreated when there is none,
	// StatusUnreadable (Error says why) when it does not decode.
	Status Status

	raw  []byte // status.json as read
	next int    // the number its archive takes: attempts/<next>/
}

// ReadAttempt reads a component's status for a resume. The attempts are
// counted before status.json is read, so the attempt number it claims is
// never older than the status it saw (see Archive).
func (e *Experiment) ReadAttempt(id string) (Attempt, error) {
	if err := CheckComponentID(id); err != nil {
		return Attempt{}, err
	}
	dir := filepath.Join(e.Path, id)
	a := Attempt{ID: id, next: 1}
	if prev, err := afero.ReadDir(e.storage.Fs, filepath.Join(dir, "attempts")); err == nil {
		for _, p := range prev {
			if k, err := strconv.Atoi(p.Name()); err == nil && k >= a.next {
				a.next = k + 1
			}
		}
	}
	st, raw, err := e.readStatus(dir)
	a.Status, a.raw = st, raw
	return a, err
}

// readStatus reads status.json of a component directory; none is
// "created", one that does not decode is "unreadable".
func (e *Experiment) readStatus(dir string) (Status, []byte, error) {
	p := filepath.Join(dir, "status.json")
	raw, err := readWhole(e.storage.Fs, p)
	if errors.Is(err, fs.ErrNotExist) {
		return Status{Status: StatusCreated}, nil, nil
	} else if err != nil {
		return Status{}, nil, fmt.Errorf("read %s: %w", e.storage.Describe(p), e.storage.redact(err))
	}
	var st Status
	if err := jsonvalue.Unmarshal(raw, &st); err != nil || st.Status == "" {
		if err == nil {
			err = errors.New(`no "status"`)
		}
		cerr := &CorruptError{Path: e.storage.Describe(p), Err: err}
		return Status{Status: StatusUnreadable, Error: cerr.Error()}, raw, nil
	}
	return st, raw, nil
}

// Archive moves everything the attempt left in the component directory
// into attempts/<n>/ (n = 1, 2, ...) so the component can run again
// without overwriting it, and returns n (0 when it never started: there
// is nothing to keep). Of several processes that read the same attempt
// and archive it, exactly one succeeds; the others get ErrClaimed. The
// claim is attempts/<n>/status.json, created once with the status the
// process read; status.json itself is removed last, so until then every
// other process still sees the old status and claims the same n.
func (e *Experiment) Archive(a Attempt) (int, error) {
	if a.Status.Status == StatusCreated {
		return 0, nil
	}
	fsys := e.storage.Fs
	dir := filepath.Join(e.Path, a.ID)
	target := filepath.Join(dir, "attempts", strconv.Itoa(a.next))
	if err := mkdirAll(fsys, target); err != nil {
		return 0, fmt.Errorf("archive attempt of %s: %w", a.ID, err)
	}
	if err := createStrict(fsys, filepath.Join(target, "status.json"), a.raw); err != nil {
		if errors.Is(err, os.ErrExist) {
			return 0, fmt.Errorf("component %s: %w", a.ID, ErrClaimed)
		}
		return 0, fmt.Errorf("archive attempt of %s: %s", a.ID, e.storage.redact(err))
	}
	entries, err := afero.ReadDir(fsys, dir)
	if err != nil {
		return 0, fmt.Errorf("archive attempt of %s: %w", a.ID, e.storage.redact(err))
	}
	for _, en := range entries {
		if name := en.Name(); name != "attempts" && name != "status.json" {
			if err := moveTree(fsys, filepath.Join(dir, name), filepath.Join(target, name)); err != nil {
				return 0, fmt.Errorf("archive attempt of %s: %w", a.ID, e.storage.redact(err))
			}
		}
	}
	if err := fsys.Remove(filepath.Join(dir, "status.json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("archive attempt of %s: %w", a.ID, e.storage.redact(err))
	}
	return a.next, nil
}

// ArchiveAttempt archives whatever attempt the component directory holds
// (see Archive). It returns 0 when the directory held nothing to archive.
func (e *Experiment) ArchiveAttempt(id string) (int, error) {
	a, err := e.ReadAttempt(id)
	if err != nil {
		return 0, err
	}
	return e.Archive(a)
}

// createStrict creates p with data unless it exists, even with the same
// bytes: a claim two processes may make with equal content.
func createStrict(fsys afero.Fs, p string, data []byte) error {
	if o, ok := fsys.(*objectFs); ok {
		return o.putIfAbsent(p, data)
	}
	return writeAtomic(fsys, p, data, true)
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
// started (no directory or no status) is "created", one whose
// status.json does not decode is StatusUnreadable with Error saying why.
func (e *Experiment) ComponentStatus(id string) (Status, error) {
	if err := CheckComponentID(id); err != nil {
		return Status{}, err
	}
	st, _, err := e.readStatus(filepath.Join(e.Path, id))
	return st, err
}

// Exists reports whether an experiment directory with an execution.json
// is at that place.
func (s *Storage) Exists(directory, id string) bool {
	_, err := s.Fs.Stat(filepath.Join(s.ExperimentPath(directory, id), "execution.json"))
	return err == nil
}
