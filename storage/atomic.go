package storage

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/spf13/afero"
)

// Every file machinable writes whole (JSON files, store values, code.zip)
// appears at its name complete or not at all:
//
//   - on local disk it is written to a temporary name in the same
//     directory, fsynced, then renamed over the target (a replacement) or
//     hard-linked to it (a file created once: the link fails when the
//     target exists, so of two processes exactly one creates it, and no
//     reader ever sees it half-written). A full disk or a killed process
//     leaves at most a stray temporary file, never a truncated target.
//   - on an object store a PUT is atomic; a file created once is a
//     conditional PUT (If-None-Match: *).
//   - in memory (mem://) writers and readers of whole files take a lock.

// memFiles serializes whole-file writes and reads on in-memory storages,
// where a write truncates the file before it fills it again.
var memFiles sync.RWMutex

// tempPrefix starts the names of temporary files; readers skip them.
const tempPrefix = ".tmp-"

// linker is a file system that can hard-link (tests wrap the OS).
type linker interface {
	Link(oldname, newname string) error
}

// writeAtomic writes data to p as a whole. With exclusive set an
// existing p is an error wrapping os.ErrExist and is left as it is;
// otherwise p is replaced.
func writeAtomic(fs afero.Fs, p string, data []byte, exclusive bool) error {
	if o, ok := fs.(*objectFs); ok {
		if exclusive {
			return o.createExclusive(p, data)
		}
		return afero.WriteFile(fs, p, data, 0o644)
	}
	if isMemory(fs) {
		memFiles.Lock()
		defer memFiles.Unlock()
		if exclusive {
			if _, err := fs.Stat(p); err == nil {
				return &os.PathError{Op: "create", Path: p, Err: os.ErrExist}
			}
		}
		return afero.WriteFile(fs, p, data, 0o644)
	}
	tmp, err := writeTemp(fs, filepath.Dir(p), filepath.Base(p), bytes.NewReader(data))
	if err != nil {
		return err
	}
	return commitTemp(fs, tmp, p, exclusive)
}

// writeTemp writes r to a new temporary file in dir and fsyncs it; the
// caller commits or removes it.
func writeTemp(fs afero.Fs, dir, base string, r io.Reader) (string, error) {
	f, err := createTemp(fs, dir, base)
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = fs.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// createTemp creates a new temporary file for base in dir, with the
// permissions files always had (0644 less the umask; afero.TempFile
// gives 0600).
func createTemp(fs afero.Fs, dir, base string) (afero.File, error) {
	for range 100 {
		var b [6]byte
		_, _ = rand.Read(b[:])
		name := filepath.Join(dir, tempPrefix+base+"-"+hex.EncodeToString(b[:]))
		f, err := fs.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("create a temporary file for %s in %s: too many tries", base, dir)
}

// commitTemp moves a complete temporary file to p: renamed over it, or,
// exclusive, linked to it (refused when p exists). The temporary file is
// gone afterwards, whatever happened.
func commitTemp(fs afero.Fs, tmp, p string, exclusive bool) error {
	if !exclusive {
		if err := fs.Rename(tmp, p); err != nil {
			_ = fs.Remove(tmp)
			return err
		}
		return nil
	}
	defer fs.Remove(tmp)
	err := link(fs, tmp, p)
	if err == nil || errors.Is(err, os.ErrExist) {
		return err
	}
	// A file system without hard links (some network and FUSE file
	// systems): create the target exclusively and copy. Not atomic for
	// readers, but still created once.
	data, rerr := afero.ReadFile(fs, tmp)
	if rerr != nil {
		return rerr
	}
	f, oerr := fs.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if oerr != nil {
		return oerr
	}
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = fs.Remove(p) // we created it alone, a moment ago
	}
	return werr
}

// errNoLink says the file system cannot hard-link.
var errNoLink = errors.New("hard links not supported")

func link(fs afero.Fs, oldname, newname string) error {
	switch l := fs.(type) {
	case linker:
		return l.Link(oldname, newname)
	case *afero.OsFs:
		err := os.Link(oldname, newname)
		var le *os.LinkError
		if errors.As(err, &le) && !errors.Is(err, os.ErrExist) && !errors.Is(err, os.ErrNotExist) {
			switch {
			case errors.Is(le.Err, syscall.EPERM), errors.Is(le.Err, syscall.ENOTSUP),
				errors.Is(le.Err, syscall.EOPNOTSUPP), errors.Is(le.Err, syscall.EXDEV), errors.Is(le.Err, syscall.EMLINK):
				return errNoLink
			}
		}
		return err
	}
	return errNoLink
}

// readWhole reads a whole file (under the memory lock in memory).
func readWhole(fs afero.Fs, p string) ([]byte, error) {
	if o, ok := fs.(*objectFs); ok {
		return o.readObject(filepath.ToSlash(p))
	}
	if isMemory(fs) {
		memFiles.RLock()
		defer memFiles.RUnlock()
	}
	return afero.ReadFile(fs, p)
}

// StagedFile is a file being written before it is known whether it will
// be kept (code.zip, written before the experiment is claimed): Commit
// creates it under its name, once, complete; Discard drops it.
type StagedFile struct {
	fs   afero.Fs
	path string // the target
	desc func(string) string

	tmp afero.File   // local disk: a temporary file next to the target
	buf bytes.Buffer // memory and object stores
}

// StageFile starts writing a file of the experiment; nothing is visible
// under its name until Commit.
func (e *Experiment) StageFile(name string) (*StagedFile, error) {
	s := &StagedFile{fs: e.storage.Fs, path: filepath.Join(e.Path, name), desc: e.storage.Describe}
	if isMemory(s.fs) || isObjectStore(s.fs) {
		return s, nil
	}
	if err := mkdirAll(s.fs, e.Path); err != nil {
		return nil, fmt.Errorf("write %s: %w", s.desc(s.path), err)
	}
	f, err := createTemp(s.fs, e.Path, name)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", s.desc(s.path), err)
	}
	s.tmp = f
	return s, nil
}

// Write appends to the staged content.
func (s *StagedFile) Write(p []byte) (int, error) {
	if s.tmp != nil {
		return s.tmp.Write(p)
	}
	return s.buf.Write(p)
}

// Commit creates the file under its name; an existing one is an error
// wrapping os.ErrExist, and stays as it is.
func (s *StagedFile) Commit() error {
	if s.tmp == nil {
		if err := writeAtomic(s.fs, s.path, s.buf.Bytes(), true); err != nil {
			return fmt.Errorf("write %s: %w", s.desc(s.path), err)
		}
		return nil
	}
	tmp := s.tmp.Name()
	err := s.tmp.Sync()
	if cerr := s.tmp.Close(); err == nil {
		err = cerr
	}
	s.tmp = nil
	if err != nil {
		_ = s.fs.Remove(tmp)
		return fmt.Errorf("write %s: %w", s.desc(s.path), err)
	}
	if err := commitTemp(s.fs, tmp, s.path, true); err != nil {
		return fmt.Errorf("write %s: %w", s.desc(s.path), err)
	}
	return nil
}

// Discard drops what was staged.
func (s *StagedFile) Discard() {
	if s.tmp != nil {
		tmp := s.tmp.Name()
		_ = s.tmp.Close()
		_ = s.fs.Remove(tmp)
		s.tmp = nil
	}
	s.buf.Reset()
}

// CreateLocalFile writes data to a new file p on local disk, whole or not
// at all (temporary file, fsync, hard link), and fails with an error
// wrapping os.ErrExist when p exists: it never replaces a user's file.
func CreateLocalFile(p string, data []byte) error {
	return writeAtomic(afero.NewOsFs(), p, data, true)
}
