package backup

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// walker makes one pass over the work tree that serves both purposes: it
// collects the project files to back up and the untracked files that make
// the repository dirty. Outside git it walks the project only.
type walker struct {
	root        string // real absolute start: the work tree root, or the project outside git
	projRel     string // project relative to root, slash-separated; "" when equal
	projReal    string // real absolute project dir, to place absolute symlink targets
	git         bool
	tracked     map[string]filemode.FileMode // index entries by repo-relative path
	trackedDirs map[string]bool              // directories with tracked files below them
	base        []gitignore.Pattern          // global excludes and info/exclude
	exclude     []gitignore.Pattern          // Options.Exclude, anchored at the project
	skipDirs    map[string]bool              // real absolute paths
	collect     bool                         // gather backup candidates (Write, not Inspect)
	maxSize     int64

	untracked []string // repo-relative; a nested repository counts as "dir/", as in git
	files     []entry
	skipped   []Skipped
	warnings  []string
}

// entry is a file to store in the zip.
type entry struct {
	rel  string // relative to the project, slash-separated: the zip name
	abs  string
	info fs.FileInfo
	link string // symlink target; "" for a regular file
}

// dirState is what a directory inherits from its parents.
type dirState struct {
	rel      string   // relative to the walk root, slash-separated ("" for the root)
	parts    []string // rel split, as gitignore patterns want it
	patterns []gitignore.Pattern
	ignored  bool // ignored by git: only tracked files below count
	excluded bool // matched by Options.Exclude: nothing below is stored
	nested   bool // inside a nested repository: its files are not the outer repo's untracked files
}

func newWalker(root, projRel, projReal string, ri *repoInfo, opts Options, collect bool) *walker {
	w := &walker{
		root:     root,
		projRel:  projRel,
		projReal: projReal,
		git:      ri != nil,
		collect:  collect,
		maxSize:  opts.maxFileSize(),
		skipDirs: map[string]bool{},
	}
	var projParts []string
	if projRel != "" {
		projParts = strings.Split(projRel, "/")
	}
	for _, p := range opts.Exclude {
		w.exclude = append(w.exclude, parsePatterns([]byte(p), projParts)...)
	}
	for _, d := range opts.SkipDirs {
		if abs, err := filepath.Abs(d); err == nil {
			w.skipDirs[abs] = true
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				w.skipDirs[real] = true
			}
		}
	}
	if ri != nil {
		w.tracked = make(map[string]filemode.FileMode, len(ri.index.Entries))
		w.trackedDirs = map[string]bool{}
		for _, e := range ri.index.Entries {
			w.tracked[e.Name] = e.Mode
			for d := path.Dir(e.Name); d != "." && !w.trackedDirs[d]; d = path.Dir(d) {
				w.trackedDirs[d] = true
			}
		}
		w.base = baseIgnorePatterns(ri.dotgit, ri.config)
	}
	return w
}

func (w *walker) walk() error {
	return w.walkDir(dirState{patterns: w.base})
}

// inProject reports whether a root-relative path is the project or below it.
func (w *walker) inProject(rel string) bool {
	return w.projRel == "" || rel == w.projRel || strings.HasPrefix(rel, w.projRel+"/")
}

// towardsProject reports whether a root-relative directory is the project
// or one of its ancestors, which must be entered even when ignored.
func (w *walker) towardsProject(rel string) bool {
	return rel == w.projRel || rel == "" || strings.HasPrefix(w.projRel, rel+"/")
}

// projectPath turns a root-relative path inside the project into a
// project-relative one.
func (w *walker) projectPath(rel string) string {
	if w.projRel == "" {
		return rel
	}
	return strings.TrimPrefix(rel[len(w.projRel):], "/")
}

func (w *walker) skip(rel, reason string, size int64) {
	w.skipped = append(w.skipped, Skipped{Path: w.projectPath(rel), Reason: reason, Size: size})
}

func (w *walker) walkDir(d dirState) error {
	dir := filepath.Join(w.root, filepath.FromSlash(d.rel))
	ents, err := os.ReadDir(dir)
	if err != nil {
		if d.rel == "" {
			return fmt.Errorf("backup: read %s: %w", dir, err)
		}
		if w.collect && w.inProject(d.rel) && !d.ignored && !d.excluded {
			w.skip(d.rel+"/", reasonUnreadablePrefx+err.Error(), 0)
		}
		return nil
	}
	if d.rel != "" && !d.excluded && !w.towardsProject(d.rel) && w.inProject(d.rel) {
		if why := storageReason(dir, ents); why != "" {
			if w.collect {
				w.skip(d.rel+"/", why, 0)
			}
			if !w.git {
				return nil
			}
			d.excluded = true // still walked: its files may make git's tree dirty
		}
	}
	if d.rel == w.projRel && d.ignored && w.collect {
		w.warnings = append(w.warnings, "the project directory is ignored by git: only its tracked files are backed up")
	}
	if d.rel != "" && !d.nested {
		for _, e := range ents {
			if e.Name() == ".git" {
				// A nested repository (or a submodule, which is tracked as
				// one gitlink entry): git reports it as one untracked "dir/".
				d.nested = true
				if _, isGitlink := w.tracked[d.rel]; !isGitlink && !d.ignored {
					w.untracked = append(w.untracked, d.rel+"/")
				}
				break
			}
		}
	}
	if w.git && !d.ignored {
		if data, err := os.ReadFile(filepath.Join(dir, ".gitignore")); err == nil {
			ps := parsePatterns(data, d.parts)
			// Full slice expression: siblings must not see each other's patterns.
			d.patterns = append(d.patterns[:len(d.patterns):len(d.patterns)], ps...)
		}
	}
	for _, e := range ents {
		name := e.Name()
		if name == ".git" {
			continue
		}
		c := d
		c.rel = name
		if d.rel != "" {
			c.rel = d.rel + "/" + name
		}
		c.parts = append(d.parts[:len(d.parts):len(d.parts)], name)
		typ := e.Type()
		if typ.IsDir() {
			if len(w.skipDirs) > 0 && w.skipDirs[filepath.Join(w.root, filepath.FromSlash(c.rel))] {
				continue
			}
			c.ignored = d.ignored || (w.git && ignored(d.patterns, c.parts, true))
			if c.ignored && !w.trackedDirs[c.rel] && !w.towardsProject(c.rel) {
				continue // git does not look inside ignored directories either
			}
			c.excluded = d.excluded || (w.inProject(c.rel) && ignored(w.exclude, c.parts, true))
			if !w.git && !w.inProject(c.rel) {
				continue
			}
			if err := w.walkDir(c); err != nil {
				return err
			}
			continue
		}
		if w.git {
			if _, isTracked := w.tracked[c.rel]; !isTracked {
				if d.ignored || ignored(d.patterns, c.parts, false) {
					continue
				}
				if !d.nested && (typ.IsRegular() || typ&fs.ModeSymlink != 0) {
					w.untracked = append(w.untracked, c.rel)
				}
			}
		}
		if !w.collect || !w.inProject(c.rel) || d.excluded || ignored(w.exclude, c.parts, false) {
			continue
		}
		w.consider(c.rel, e)
	}
	return nil
}

// consider decides whether a project file goes into the zip.
func (w *walker) consider(rel string, e fs.DirEntry) {
	abs := filepath.Join(w.root, filepath.FromSlash(rel))
	info, err := e.Info()
	if err != nil {
		w.skip(rel, reasonUnreadablePrefx+err.Error(), 0)
		return
	}
	prel := w.projectPath(rel)
	switch {
	case prel == ManifestName:
		w.skip(rel, reasonManifestClash, info.Size())
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(abs)
		if err != nil {
			w.skip(rel, reasonUnreadablePrefx+err.Error(), info.Size())
			return
		}
		if reason := w.checkLink(prel, target); reason != "" {
			w.skip(rel, reason, info.Size())
			return
		}
		w.files = append(w.files, entry{rel: prel, abs: abs, info: info, link: target})
	case !info.Mode().IsRegular():
		w.skip(rel, reasonSpecial, 0)
	case info.Size() > w.maxSize:
		w.skip(rel, fmt.Sprintf("too large (%s > %s)", formatSize(info.Size()), formatSize(w.maxSize)), info.Size())
	default:
		w.files = append(w.files, entry{rel: prel, abs: abs, info: info})
	}
}

// checkLink returns why a symlink cannot be stored, or "". Only relative
// targets that stay inside the project survive a restore elsewhere; the
// check is lexical because links are never followed.
func (w *walker) checkLink(prel, target string) string {
	t := filepath.ToSlash(target)
	if target == "" {
		return reasonUnreadablePrefx + "empty symlink"
	}
	if filepath.IsAbs(target) || path.IsAbs(t) {
		if r, err := filepath.Rel(w.projReal, filepath.Clean(target)); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return reasonSymlinkAbsolute
		}
		return reasonSymlinkOutside
	}
	j := path.Join(path.Dir(prel), t)
	if j == ".." || strings.HasPrefix(j, "../") {
		return reasonSymlinkOutside
	}
	return ""
}
