package storage

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

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

// ReadAttempt reads a component's status for a resume: one read; what
// deciding whether to rerun it needs.
func (e *Experiment) ReadAttempt(id string) (Attempt, error) {
	if err := CheckComponentID(id); err != nil {
		return Attempt{}, err
	}
	st, raw, err := e.readStatus(filepath.Join(e.Path, id))
	return Attempt{ID: id, Status: st, raw: raw}, err
}

// nextAttempt counts the attempts archived so far and reads status.json
// again, in that order, so that the attempt number it gives is never
// older than the status read (see Archive).
func (e *Experiment) nextAttempt(a Attempt) (Attempt, error) {
	dir := filepath.Join(e.Path, a.ID)
	a.next = 1
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
// and archive it, exactly one succeeds; the others get ErrClaimed.
//
// How: the attempts are counted before status.json is read again, so a
// process that read an attempt someone already archived finds it,
// with the very bytes it read, as the last attempts/<n>/status.json. An
// archive claims attempts/<n> by creating attempts/<n>/claim.json, once;
// it moves status.json last, then removes its claim. When a process dies
// in the middle, its claim outlives it: the next resume sees the process
// gone (or its claim old, from another host) and finishes that archive,
// claiming it again with claim-2.json, claim-3.json, ...
func (e *Experiment) Archive(a Attempt) (int, error) {
	if a.Status.Status == StatusCreated {
		return e.archiveLeftovers(a)
	}
	fsys := e.storage.Fs
	dir := filepath.Join(e.Path, a.ID)
	claimed := fmt.Errorf("component %s: %w", a.ID, ErrClaimed)
	read := a
	a, err := e.nextAttempt(read)
	if err != nil {
		return 0, err
	}
	if !bytes.Equal(a.raw, read.raw) || a.Status.Status == StatusCreated {
		// Changed since it was read: another process archived it, or
		// it is alive after all. It is not this process's to rerun.
		return 0, claimed
	}
	n, claim := a.next, "claim.json"
	if a.next > 1 {
		prev := filepath.Join(dir, "attempts", strconv.Itoa(a.next-1))
		there, err := readWhole(fsys, filepath.Join(prev, "status.json"))
		switch {
		case err == nil && bytes.Equal(there, a.raw):
			return 0, claimed // archived already
		case errors.Is(err, fs.ErrNotExist):
			// An archive in progress, or one whose process died: it
			// made the directory and is about to claim it, or claimed
			// it and moves files. Claiming it too decides.
			last, holder, others := lastClaim(fsys, prev)
			switch {
			case holder != nil && holder.Running(time.Now()):
				return 0, claimed
			case holder != nil:
				n, claim = a.next-1, fmt.Sprintf("claim-%d.json", last+1)
			case !others:
				n = a.next - 1
			}
		}
	}
	target := filepath.Join(dir, "attempts", strconv.Itoa(n))
	fail := func(err error) (int, error) {
		return 0, fmt.Errorf("archive attempt of %s: %w", a.ID, e.storage.redact(err))
	}
	if err := mkdirAll(fsys, target); err != nil {
		return fail(err)
	}
	holder := Status{Status: StatusRunning, HeartbeatEvery: claimEvery.Seconds()}
	now := time.Now().UTC()
	holder.StartedAt, holder.HeartbeatAt = &now, &now
	holder.SetProcess()
	data, err := marshal(holder)
	if err != nil {
		return fail(err)
	}
	if err := createStrict(fsys, filepath.Join(target, claim), data); errors.Is(err, os.ErrExist) {
		return 0, claimed
	} else if err != nil {
		return fail(err)
	}
	// A process that read the attempt before another archived it
	// completely (and removed its claim) finds status.json changed.
	if now, err := readWhole(fsys, filepath.Join(dir, "status.json")); err != nil || !bytes.Equal(now, a.raw) {
		_ = fsys.Remove(filepath.Join(target, claim))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fail(err)
		}
		return 0, claimed
	}
	entries, err := afero.ReadDir(fsys, dir)
	if err != nil {
		return fail(err)
	}
	for _, en := range entries {
		if name := en.Name(); name != "attempts" && name != "status.json" {
			err := moveTree(fsys, filepath.Join(dir, name), filepath.Join(target, name))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fail(err)
			}
		}
	}
	if err := writeAtomic(fsys, filepath.Join(target, "status.json"), a.raw, false); err != nil {
		return fail(err)
	}
	if err := fsys.Remove(filepath.Join(dir, "status.json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fail(err)
	}
	if names, err := afero.ReadDir(fsys, target); err == nil {
		for _, en := range names {
			if isClaim(en.Name()) {
				_ = fsys.Remove(filepath.Join(target, en.Name()))
			}
		}
	}
	return n, nil
}

// archiveLeftovers keeps what a component directory without status.json
// holds (files of an attempt whose status was lost or removed by hand)
// in attempts/<n>/, so the run that starts now writes into an empty
// directory. Two processes doing this at once move different files or
// none; which of them then runs the component is decided by creating
// status.json, once.
func (e *Experiment) archiveLeftovers(a Attempt) (int, error) {
	fsys := e.storage.Fs
	dir := filepath.Join(e.Path, a.ID)
	all, err := afero.ReadDir(fsys, dir)
	if err != nil {
		return 0, nil // never started: nothing to keep
	}
	// A run writes status.json before anything else, so files listed
	// while status.json is still absent (checked again below, after the
	// listing) are an earlier attempt's, not a starting run's; the
	// temporary file of a status.json being written is the starting run's.
	var entries []os.FileInfo
	for _, en := range all {
		if name := en.Name(); name != "attempts" && name != "status.json" && !strings.HasPrefix(name, tempPrefix) {
			entries = append(entries, en)
		}
	}
	if len(entries) == 0 {
		return 0, nil
	}
	a, err = e.nextAttempt(a)
	if err != nil {
		return 0, err
	}
	if a.Status.Status != StatusCreated {
		return 0, fmt.Errorf("component %s: %w", a.ID, ErrClaimed) // started meanwhile
	}
	target := filepath.Join(dir, "attempts", strconv.Itoa(a.next))
	if err := mkdirAll(fsys, target); err != nil {
		return 0, fmt.Errorf("archive attempt of %s: %w", a.ID, e.storage.redact(err))
	}
	for _, en := range entries {
		err := moveTree(fsys, filepath.Join(dir, en.Name()), filepath.Join(target, en.Name()))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("archive attempt of %s: %w", a.ID, e.storage.redact(err))
		}
	}
	return a.next, nil
}

// claimEvery is how often an archive's claim would beat, were it a
// heartbeat: a claim from another host older than three of these is
// taken for one whose process died.
const claimEvery = 20 * time.Second

func isClaim(name string) bool {
	return name == "claim.json" || (strings.HasPrefix(name, "claim-") && strings.HasSuffix(name, ".json"))
}

// lastClaim returns the number of the last claim of an attempts/<n>
// directory (1 for claim.json, k for claim-k.json) and what it says,
// nil when there is none; others tells whether the directory holds
// anything else (an attempt archived by an earlier release).
func lastClaim(fsys afero.Fs, dir string) (int, *Status, bool) {
	entries, err := afero.ReadDir(fsys, dir)
	if err != nil {
		return 0, nil, false
	}
	last, name, others := 0, "", false
	for _, en := range entries {
		k := 0
		switch {
		case en.Name() == "claim.json":
			k = 1
		case isClaim(en.Name()):
			k, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(en.Name(), "claim-"), ".json"))
		case !strings.HasPrefix(en.Name(), tempPrefix):
			others = true
		}
		if k > last {
			last, name = k, en.Name()
		}
	}
	if name == "" {
		return 0, nil, others
	}
	var st Status
	if err := readJSON(fsys, filepath.Join(dir, name), &st); err != nil {
		st = Status{Status: StatusFailed} // unreadable: its writer died writing it
	}
	return last, &st, others
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
