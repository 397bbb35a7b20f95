package backup

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-billy/v5"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// repoInfo is what the walk and the version need from the repository
// around a project.
type repoInfo struct {
	repo       *git.Repository
	root       string           // work tree root, absolute, symlinks resolved
	dotgit     billy.Filesystem // $GIT_DIR (nil if the storage is not on disk)
	index      *index.Index
	indexMtime time.Time // for git's "racily clean" rule, see status.go
	config     []byte    // raw repository config, for core.excludesfile
}

// openRepo finds the git work tree that contains dir (a resolved absolute
// path). It returns nil and no error when dir is not inside a work tree.
func openRepo(dir string) (*repoInfo, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{
		DetectDotGit:          true,
		EnableDotGitCommonDir: true, // linked work trees keep info/exclude in the common dir
	})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backup: open git repository at %s: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if errors.Is(err, git.ErrIsBareRepository) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backup: git work tree of %s: %w", dir, err)
	}
	root, err := filepath.EvalSymlinks(wt.Filesystem.Root())
	if err != nil {
		return nil, fmt.Errorf("backup: git work tree of %s: %w", dir, err)
	}
	ri := &repoInfo{repo: repo, root: root}
	if st, ok := repo.Storer.(*filesystem.Storage); ok {
		ri.dotgit = st.Filesystem()
		if f, err := ri.dotgit.Open("config"); err == nil {
			ri.config, _ = io.ReadAll(f)
			f.Close()
		}
	}
	ri.index, err = repo.Storer.Index()
	if errors.Is(err, os.ErrNotExist) {
		ri.index, err = &index.Index{Version: 2}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backup: read git index of %s: %w", root, err)
	}
	ri.indexMtime = ri.index.ModTime
	return ri, nil
}
