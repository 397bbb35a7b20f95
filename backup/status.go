package backup

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Status prefixes, as in `git status --porcelain` with the staged and
// unstaged columns folded into one: a file is "M " if it differs between
// HEAD, the index or the work tree, "A " if it is in the index but not in
// HEAD, "D " if it is gone from the index or the work tree.
const (
	statusModified  = "M "
	statusAdded     = "A "
	statusDeleted   = "D "
	statusUntracked = "?? "
)

// trackedChanges compares HEAD with the index and the index with the work
// tree for the whole repository. head is nil for a repository without
// commits. The result maps repo-relative paths to a status prefix.
func trackedChanges(ri *repoInfo, head *object.Tree) (map[string]string, error) {
	type headFile struct {
		hash plumbing.Hash
		mode filemode.FileMode
	}
	inHead := map[string]headFile{}
	if head != nil {
		tw := object.NewTreeWalker(head, true, nil)
		defer tw.Close()
		for {
			name, e, err := tw.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("backup: read HEAD tree: %w", err)
			}
			if e.Mode != filemode.Dir {
				inHead[name] = headFile{e.Hash, e.Mode}
			}
		}
	}

	changes := map[string]string{}
	inIndex := make(map[string]bool, len(ri.index.Entries))
	for _, e := range ri.index.Entries {
		inIndex[e.Name] = true
		if e.Stage != 0 {
			// An unresolved merge conflict: the file is certainly changed.
			// (Not index.Merged: go-git defines it as 1, but a normal entry
			// decodes as stage 0.)
			changes[e.Name] = statusModified
			continue
		}
		h, ok := inHead[e.Name]
		switch {
		case !ok || e.IntentToAdd:
			changes[e.Name] = statusAdded
		case h.hash != e.Hash || h.mode != e.Mode:
			changes[e.Name] = statusModified
		}
		if e.SkipWorktree || e.Mode == filemode.Submodule {
			// Sparse checkouts have no file to compare; submodules are
			// repositories of their own and are not inspected.
			continue
		}
		st, err := worktreeState(filepath.Join(ri.root, filepath.FromSlash(e.Name)), e, ri.indexMtime)
		if err != nil {
			return nil, err
		}
		switch st {
		case statusDeleted:
			changes[e.Name] = statusDeleted
		case statusModified:
			if changes[e.Name] == "" {
				changes[e.Name] = statusModified
			}
		}
	}
	for name := range inHead {
		if !inIndex[name] {
			changes[name] = statusDeleted
		}
	}
	return changes, nil
}

// worktreeState compares a work-tree file with its index entry and returns
// "" (unchanged), statusModified or statusDeleted. Like git it trusts the
// stat data (size and mtime) when they match and the file is not "racily
// clean" (modified in the same instant the index was written, so the
// timestamps cannot tell); only then it hashes the content.
func worktreeState(path string, e *index.Entry, indexMtime time.Time) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		// Missing, or a parent turned into a file: the entry is gone either way.
		return statusDeleted, nil
	}
	switch e.Mode {
	case filemode.Symlink:
		if fi.Mode()&os.ModeSymlink == 0 {
			return statusModified, nil
		}
	case filemode.Regular, filemode.Executable:
		if !fi.Mode().IsRegular() {
			return statusModified, nil
		}
		if (e.Mode == filemode.Executable) != (fi.Mode()&0o100 != 0) {
			return statusModified, nil
		}
	default:
		return statusModified, nil
	}
	// Git stores the size truncated to 32 bits, and 0 for entries it
	// "smudged" because they were racily clean; those must be hashed.
	if e.Size != 0 && uint32(fi.Size()) != e.Size {
		return statusModified, nil
	}
	if uint32(fi.Size()) == e.Size && sameMtime(e.ModifiedAt, fi.ModTime()) && fi.ModTime().Before(indexMtime) {
		return "", nil
	}
	h, err := blobHash(path, fi)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			// Cannot read it, cannot prove it unchanged.
			return statusModified, nil
		}
		return statusDeleted, nil
	}
	if h != e.Hash {
		return statusModified, nil
	}
	return "", nil
}

// sameMtime compares an index timestamp with a file's; git built without
// nanosecond support stores 0 nanoseconds, which then must not count.
func sameMtime(indexed, actual time.Time) bool {
	if indexed.Unix() != actual.Unix() {
		return false
	}
	return indexed.Nanosecond() == 0 || indexed.Nanosecond() == actual.Nanosecond()
}

// blobHash hashes a file (or a symlink's target) the way git hashes a
// blob: sha1("blob <size>\x00" + content).
func blobHash(path string, fi os.FileInfo) (plumbing.Hash, error) {
	var h plumbing.Hash
	sum := sha1.New()
	if fi.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(path)
		if err != nil {
			return h, err
		}
		sum.Write([]byte("blob " + strconv.Itoa(len(target)) + "\x00" + target))
	} else {
		f, err := os.Open(path)
		if err != nil {
			return h, err
		}
		defer f.Close()
		sum.Write([]byte("blob " + strconv.FormatInt(fi.Size(), 10) + "\x00"))
		n, err := io.Copy(sum, f)
		if err != nil {
			return h, err
		}
		if n != fi.Size() {
			// Changed while we read it; it is not what the index holds.
			return h, nil
		}
	}
	copy(h[:], sum.Sum(nil))
	return h, nil
}
