package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Inspect returns the code version of the project (no zip). Dirty and
// Modified cover the whole repository, not only the project directory.
func Inspect(projectDir string) (Version, error) {
	p, err := resolveProject(projectDir)
	if err != nil {
		return Version{}, err
	}
	ri, err := openRepo(p.real)
	if err != nil || ri == nil {
		return Version{}, err
	}
	projRel, err := relToRoot(ri.root, p.real)
	if err != nil {
		return Version{}, err
	}
	w := newWalker(ri.root, projRel, p.real, ri, Options{}, false)
	if err := w.walk(); err != nil {
		return Version{}, err
	}
	return codeVersion(ri, w.untracked)
}

// project is a project directory as given (made absolute) and resolved.
type project struct {
	abs  string // what the user named, for the manifest
	real string // symlinks resolved, to compare with the work tree root
}

func resolveProject(dir string) (project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return project{}, fmt.Errorf("backup: project %s: %w", dir, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return project{}, fmt.Errorf("backup: project %s: %w", dir, err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return project{}, fmt.Errorf("backup: project %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return project{}, fmt.Errorf("backup: project %s is not a directory", dir)
	}
	return project{abs: abs, real: real}, nil
}

// relToRoot returns the project's slash path inside the work tree.
func relToRoot(root, projReal string) (string, error) {
	rel, err := filepath.Rel(root, projReal)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("backup: project %s is not inside the work tree %s", projReal, root)
	}
	if rel == "." {
		return "", nil
	}
	return filepath.ToSlash(rel), nil
}

// codeVersion assembles the Version from HEAD, the remotes, the index and
// the untracked files found by the walk.
func codeVersion(ri *repoInfo, untracked []string) (Version, error) {
	v := Version{Git: true}
	if ref, err := ri.repo.Reference(plumbing.HEAD, false); err == nil &&
		ref.Type() == plumbing.SymbolicReference && ref.Target().IsBranch() {
		v.Branch = ref.Target().Short()
	}
	var tree *object.Tree
	head, err := ri.repo.Head()
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		// No commits yet: everything in the index is "added".
	case err != nil:
		return v, fmt.Errorf("backup: resolve HEAD: %w", err)
	default:
		v.Commit = head.Hash().String()
		commit, err := ri.repo.CommitObject(head.Hash())
		if err != nil {
			return v, fmt.Errorf("backup: read HEAD commit: %w", err)
		}
		if tree, err = commit.Tree(); err != nil {
			return v, fmt.Errorf("backup: read HEAD tree: %w", err)
		}
	}
	if cfg, err := ri.repo.Config(); err == nil {
		v.Remote = pickRemote(cfg.Remotes)
	}
	changes, err := trackedChanges(ri, tree)
	if err != nil {
		return v, err
	}
	for p, st := range changes {
		v.Modified = append(v.Modified, st+p)
	}
	for _, p := range untracked {
		v.Modified = append(v.Modified, statusUntracked+p)
	}
	// Sort by path, not by the prefix, so the list reads like git status.
	sort.Slice(v.Modified, func(i, j int) bool {
		return modifiedPath(v.Modified[i]) < modifiedPath(v.Modified[j])
	})
	v.Dirty = len(v.Modified) > 0
	return v, nil
}

func modifiedPath(s string) string {
	if strings.HasPrefix(s, statusUntracked) {
		return s[len(statusUntracked):]
	}
	return s[2:]
}
