package dsl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.starlark.net/starlark"
)

// moduleLoader implements load() for one thread tree: paths are relative
// to the project root, or to the loading file when they start with "./" or
// "../"; each file is executed once and cached; cycles are errors.
type moduleLoader struct {
	root        string
	rootReal    string // root with symbolic links resolved, once needed
	predeclared starlark.StringDict
	cache       map[string]*loadEntry
	print       func(*starlark.Thread, string)
	parent      *state
}

type loadEntry struct {
	globals starlark.StringDict
	err     error
	loading bool
}

func newModuleLoader(root string, predeclared starlark.StringDict, print func(*starlark.Thread, string), parent *state) *moduleLoader {
	return &moduleLoader{root: root, predeclared: predeclared, cache: map[string]*loadEntry{}, print: print, parent: parent}
}

// resolve maps a load() path to a file.
func (l *moduleLoader) resolve(from, module string) (string, error) {
	if filepath.IsAbs(module) {
		return "", errors.New("expected a path relative to the project root (or ./ for the loading file)")
	}
	var p string
	if strings.HasPrefix(module, "./") || strings.HasPrefix(module, "../") {
		p = filepath.Join(filepath.Dir(from), module)
	} else {
		p = filepath.Join(l.root, module)
	}
	if !within(l.root, p) {
		return "", fmt.Errorf("%s is outside the project %s", p, l.root)
	}
	// A symbolic link inside the project may point out of it: the file
	// is checked where it really is. A missing file is left for the read
	// to report.
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return p, nil
	}
	if real, err = filepath.Abs(real); err != nil {
		return "", err
	}
	root, err := l.realRoot()
	if err != nil {
		return "", fmt.Errorf("project %s: %w", l.root, err)
	}
	if !within(root, real) {
		return "", fmt.Errorf("%s is a symbolic link to %s, outside the project %s; expected a file inside the project", p, real, l.root)
	}
	return p, nil
}

// realRoot is the project root with its symbolic links resolved, so it
// compares with resolved file paths.
func (l *moduleLoader) realRoot() (string, error) {
	if l.rootReal == "" {
		r, err := filepath.EvalSymlinks(l.root)
		if err == nil {
			r, err = filepath.Abs(r)
		}
		if err != nil {
			return "", err
		}
		l.rootReal = r
	}
	return l.rootReal, nil
}

// within reports whether path p lies inside directory dir (both clean,
// absolute or both relative to the same place).
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func (l *moduleLoader) load(thread *starlark.Thread, module string) (starlark.StringDict, error) {
	from := thread.CallFrame(0).Pos.Filename()
	file, err := l.resolve(from, module)
	if err != nil {
		return nil, err
	}
	if e, ok := l.cache[file]; ok {
		if e.loading {
			return nil, fmt.Errorf("cycle: %s loads itself (directly or through other files)", file)
		}
		return e.globals, e.err
	}
	entry := &loadEntry{loading: true}
	l.cache[file] = entry
	src, err := os.ReadFile(file)
	if err != nil {
		entry.err = errors.Unwrap(err) // "no such file or directory": the file is named already
		if entry.err == nil {
			entry.err = err
		}
	} else {
		child := &starlark.Thread{Name: "load " + module, Load: l.load, Print: l.print}
		st := &state{role: roleLoaded, dir: filepath.Dir(file), root: l.root, loader: l}
		if l.parent != nil {
			st.ctx, st.opts = l.parent.ctx, l.parent.opts
		}
		setState(child, st)
		if st.role == roleLoaded && st.opts.ThreadHook != nil && l.parent != nil && l.parent.role == roleScript {
			st.opts.ThreadHook(child)
		}
		// The loaded file's top level runs on a thread of its own; the
		// context of the script (or component) that loads it stops it,
		// so a loop there ends at the first Ctrl-C.
		stop := watchContext(st.ctx, child)
		entry.globals, entry.err = execFile(child, file, src, l.predeclared)
		stop()
		if entry.err != nil {
			entry.err = loadError(withSourceHint(entry.err, src))
		}
	}
	entry.loading = false
	return entry.globals, entry.err
}

// loadError keeps the inner backtrace of a failed load(), which the
// interpreter would otherwise reduce to one line. The interpreter puts
// "cannot load MODULE: " before it.
func loadError(err error) error {
	var evalErr *starlark.EvalError
	if errors.As(err, &evalErr) {
		return fmt.Errorf("its top level failed:\n%s", evalErr.Backtrace())
	}
	return err
}
