package dsl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/machinable-go/machinable/internal/suggest"
	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
)

// DirectiveDir is the folder of a project that holds its @ directives:
// _machinable/experiments/NAME.star and _machinable/engines/NAME.star,
// the places machinable 2.14 looks in (2.0 used experiments/ and
// engines/ at the project root, which here are ordinary module folders).
const DirectiveDir = "_machinable"

// IsDirective reports whether s is an @ directive such as "@baseline".
func IsDirective(s string) bool { return strings.HasPrefix(s, "@") }

// directiveKind is what an @ directive can name.
type directiveKind struct {
	folder string // under _machinable/
	global string // the global the file must set
	what   string // for messages
	expect string // what the global must hold, for messages
}

var (
	experimentDirective = directiveKind{"experiments", "experiment", "experiment", "an Experiment(), e.g. experiment = Experiment().component(\"model\")"}
	engineDirective     = directiveKind{"engines", "engine", "engine", "an engine string such as \"native:4\" or a dict with a \"type\" key"}
)

// directiveFile maps "@name" to its file under projectDir. As in 2.x,
// "@group/name" and "@group.name" are the same nested name, and "@/path"
// names a file by its path from the project root instead of from
// _machinable/<kind>/. The name it returns is the one users write.
func directiveFile(projectDir string, kind directiveKind, directive string) (file, name string, err error) {
	rest, ok := strings.CutPrefix(directive, "@")
	if !ok {
		return "", "", fmt.Errorf("%q is not an @ directive", directive)
	}
	base := filepath.Join(projectDir, DirectiveDir, kind.folder)
	if r, abs := strings.CutPrefix(rest, "/"); abs {
		base, rest = projectDir, r
	}
	rest = strings.TrimSuffix(rest, ".star")
	if rest == "" {
		return "", "", fmt.Errorf("%s: expected a name after @, e.g. @baseline for %s", directive, filepath.Join(DirectiveDir, kind.folder, "baseline.star"))
	}
	parts := strings.Split(strings.ReplaceAll(rest, ".", "/"), "/")
	for _, p := range parts {
		if p == "" { // also "..": no way out of the folder
			return "", "", fmt.Errorf("%s: expected a name of letters, digits, _ and -, with / (or .) between folders, e.g. @group/name", directive)
		}
		for _, r := range p {
			if !(r == '_' || r == '-' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
				return "", "", fmt.Errorf("%s: expected a name of letters, digits, _ and -, with / (or .) between folders, e.g. @group/name", directive)
			}
		}
	}
	return filepath.Join(base, filepath.Join(parts...)+".star"), directive, nil
}

// knownDirectives lists the @ names defined in _machinable/<kind>/ of the
// project, sorted, for error messages.
func knownDirectives(projectDir string, kind directiveKind) []string {
	base := filepath.Join(projectDir, DirectiveDir, kind.folder)
	var names []string
	_ = filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".star") {
			return nil
		}
		rel, err := filepath.Rel(base, p)
		if err == nil {
			names = append(names, "@"+filepath.ToSlash(strings.TrimSuffix(rel, ".star")))
		}
		return nil
	})
	sort.Strings(names)
	return names
}

// ExperimentDirectives lists the @ names of the project's experiments
// (_machinable/experiments/), e.g. for shell completion.
func ExperimentDirectives(projectDir string) []string {
	return knownDirectives(projectDir, experimentDirective)
}

// EngineDirectives lists the @ names of the project's engines
// (_machinable/engines/).
func EngineDirectives(projectDir string) []string {
	return knownDirectives(projectDir, engineDirective)
}

// unknownDirective is the error for an @ name without a file: where it
// was looked for, the known names and the nearest one.
func unknownDirective(projectDir string, kind directiveKind, directive, file string) error {
	known := knownDirectives(projectDir, kind)
	msg := fmt.Sprintf("unknown %s %s: no file %s", kind.what, directive, file)
	if len(known) == 0 {
		msg += fmt.Sprintf("; the project %s defines no @%ss (a file %s sets %s = ...)", projectDir, kind.what,
			filepath.Join(DirectiveDir, kind.folder, "NAME.star"), kind.global)
	} else {
		msg += fmt.Sprintf("; known %ss: %s", kind.what, strings.Join(known, ", "))
		if near := suggest.Nearest(directive, known); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		}
	}
	return errors.New(msg)
}

// runDirective executes the file of an @ directive and returns the value
// of its required global. The file runs like a file loaded with load():
// Experiment() and the other builtins, load() from the project root, no
// execute(); a fresh run each time, as 2.x re-imported the module.
func runDirective(ctx context.Context, projectDir string, kind directiveKind, directive string, parent *state) (starlark.Value, string, error) {
	file, name, err := directiveFile(projectDir, kind, directive)
	if err != nil {
		return nil, "", err
	}
	src, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", unknownDirective(projectDir, kind, name, file)
	} else if err != nil {
		return nil, "", fmt.Errorf("%s %s: %w", kind.what, name, err)
	}
	var opts Options
	if parent != nil {
		opts = parent.opts
	}
	out := opts.Stdout
	if out == nil {
		out = io.Discard
	}
	print := func(_ *starlark.Thread, msg string) { fmt.Fprintln(out, msg) }
	globals, _, err := execProjectFile(ctx, projectDir, file, src, kind.what+" "+name, opts, print)
	if err != nil {
		err = withSourceHint(err, src)
		var evalErr *starlark.EvalError
		if errors.As(err, &evalErr) {
			return nil, "", fmt.Errorf("%s %s: %s", kind.what, name, evalErr.Backtrace())
		}
		return nil, "", fmt.Errorf("%s %s: %w", kind.what, name, err)
	}
	v, ok := globals[kind.global]
	if !ok {
		return nil, "", fmt.Errorf("%s %s: %s sets no global %q; expected %s", kind.what, name, file, kind.global, kind.expect)
	}
	return v, file, nil
}

// execProjectFile runs a file of the project's _machinable/ folder (an @
// directive or the hook file) like a file loaded with load(): the script
// builtins plus the embedder's, load() from the project root, no
// execute(). The state it returns serves later calls of its functions.
func execProjectFile(ctx context.Context, projectDir, file string, src []byte, name string, opts Options, print func(*starlark.Thread, string)) (starlark.StringDict, *state, error) {
	predeclared := ScriptPredeclared()
	for k, v := range opts.Predeclared {
		predeclared[k] = v
	}
	st := &state{ctx: ctx, role: roleLoaded, dir: filepath.Dir(file), root: projectDir, opts: opts}
	st.loader = newModuleLoader(projectDir, predeclared, print, st)
	thread := &starlark.Thread{Name: name, Load: st.loader.load, Print: print}
	setState(thread, st)
	defer watchContext(ctx, thread)()
	globals, err := execFile(thread, file, src, predeclared)
	return globals, st, err
}

// ExperimentDirective loads the experiment of an @ directive
// ("@baseline" is _machinable/experiments/baseline.star of projectDir,
// whose global experiment holds an Experiment()).
func ExperimentDirective(ctx context.Context, projectDir, directive string) (*runtime.Experiment, error) {
	return experimentDirectiveOf(ctx, projectDir, directive, nil)
}

func experimentDirectiveOf(ctx context.Context, projectDir, directive string, parent *state) (*runtime.Experiment, error) {
	v, file, err := runDirective(ctx, projectDir, experimentDirective, directive, parent)
	if err != nil {
		return nil, err
	}
	e, ok := v.(*experiment)
	if !ok {
		return nil, fmt.Errorf("experiment %s: the global experiment of %s is a %s; expected %s", directive, file, v.Type(), experimentDirective.expect)
	}
	return e.plan.Clone(), nil
}

// EngineDirective loads the engine of an @ directive ("@remote" is
// _machinable/engines/remote.star of projectDir, whose global engine
// holds what execute()'s engine argument takes: a string or a dict).
func EngineDirective(ctx context.Context, projectDir, directive string) (any, error) {
	return engineDirectiveOf(ctx, projectDir, directive, nil)
}

func engineDirectiveOf(ctx context.Context, projectDir, directive string, parent *state) (any, error) {
	v, file, err := runDirective(ctx, projectDir, engineDirective, directive, parent)
	if err != nil {
		return nil, err
	}
	switch e := v.(type) {
	case starlark.String:
		if IsDirective(string(e)) {
			return nil, fmt.Errorf("engine %s: the global engine of %s is another directive %s; expected %s", directive, file, e, engineDirective.expect)
		}
		return string(e), nil
	case *starlark.Dict:
		m, err := fromStarlarkMap("engine", e)
		if err != nil {
			return nil, fmt.Errorf("engine %s: %s: %w", directive, file, err)
		}
		return m, nil
	}
	return nil, fmt.Errorf("engine %s: the global engine of %s is a %s; expected %s", directive, file, v.Type(), engineDirective.expect)
}

// directiveProject is the project directory @ directives of an execute()
// call are looked up in: its project= argument, else the project the
// script runs in.
func directiveProject(st *state, project starlark.Value) string {
	if p, ok := project.(starlark.String); ok && p != "" {
		if filepath.IsAbs(string(p)) {
			return string(p)
		}
		return filepath.Join(st.dir, string(p))
	}
	if st.opts.Project != "" {
		return st.opts.Project
	}
	return st.root
}

// resolveExperimentDirective replaces an "@name" experiment given to
// execute() by the Experiment its file defines.
func resolveExperimentDirective(st *state, exp *starlark.Value, project starlark.Value) error {
	s, ok := (*exp).(starlark.String)
	if !ok || !IsDirective(string(s)) {
		return nil
	}
	plan, err := experimentDirectiveOf(st.ctx, directiveProject(st, project), string(s), st)
	if err != nil {
		return err
	}
	*exp = &experiment{plan: plan}
	return nil
}

// resolveEngineDirective replaces an "@name" engine (execute()'s engine
// argument or the command line's --engine @name) by what its file
// defines; any other engine is returned as it is.
func resolveEngineDirective(st *state, engine any, project starlark.Value) (any, error) {
	s, ok := engine.(string)
	if !ok || !IsDirective(s) {
		return engine, nil
	}
	return engineDirectiveOf(st.ctx, directiveProject(st, project), s, st)
}
