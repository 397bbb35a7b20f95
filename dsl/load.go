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
		return "", fmt.Errorf("load(%q): expected a path relative to the project root (or ./ for the loading file)", module)
	}
	var p string
	if strings.HasPrefix(module, "./") || strings.HasPrefix(module, "../") {
		p = filepath.Join(filepath.Dir(from), module)
	} else {
		p = filepath.Join(l.root, module)
	}
	rel, err := filepath.Rel(l.root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("load(%q): %s is outside the project %s", module, p, l.root)
	}
	return p, nil
}

func (l *moduleLoader) load(thread *starlark.Thread, module string) (starlark.StringDict, error) {
	from := thread.CallFrame(0).Pos.Filename()
	file, err := l.resolve(from, module)
	if err != nil {
		return nil, err
	}
	if e, ok := l.cache[file]; ok {
		if e.loading {
			return nil, fmt.Errorf("load(%q): cycle: %s loads itself (directly or through other files)", module, file)
		}
		return e.globals, e.err
	}
	entry := &loadEntry{loading: true}
	l.cache[file] = entry
	src, err := os.ReadFile(file)
	if err != nil {
		entry.err = fmt.Errorf("load(%q): %w", module, errors.Unwrap(err))
		if entry.err == nil {
			entry.err = fmt.Errorf("load(%q): %v", module, err)
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
		entry.globals, entry.err = starlark.ExecFileOptions(fileOptions, child, file, src, l.predeclared)
		if entry.err != nil {
			entry.err = loadError(module, entry.err)
		}
	}
	entry.loading = false
	return entry.globals, entry.err
}

// loadError keeps the inner backtrace of a failed load(), which the
// interpreter would otherwise reduce to one line.
func loadError(module string, err error) error {
	var evalErr *starlark.EvalError
	if errors.As(err, &evalErr) {
		return fmt.Errorf("in load(%q):\n%s", module, evalErr.Backtrace())
	}
	return err
}
