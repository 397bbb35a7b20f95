package dsl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
)

// ComponentLoader finds Starlark component modules: module
// "models.baseline" of a project is the file models/baseline.star. It
// implements runtime.Loader; register it with Registry.AddLoader.
type ComponentLoader struct {
	mu    sync.Mutex
	cache map[string]*componentFactory // by file
}

var _ runtime.Loader = (*ComponentLoader)(nil)

// NewComponentLoader returns a loader with an empty cache.
func NewComponentLoader() *ComponentLoader {
	return &ComponentLoader{cache: map[string]*componentFactory{}}
}

// Register adds a Starlark component loader to a registry.
func Register(reg *runtime.Registry) { reg.AddLoader(NewComponentLoader()) }

func moduleFile(projectDir, module string) string {
	return filepath.Join(projectDir, filepath.FromSlash(strings.ReplaceAll(module, ".", "/"))+".star")
}

// Expect implements runtime.Loader.
func (l *ComponentLoader) Expect(projectDir, module string) string {
	return moduleFile(projectDir, module)
}

// Load implements runtime.Loader: the module is compiled once; every
// component instance executes it afresh, so instances share no state.
func (l *ComponentLoader) Load(projectDir, module string) (runtime.Factory, bool, error) {
	if projectDir == "" {
		return nil, false, nil
	}
	file := moduleFile(projectDir, module)
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.cache[file]; ok {
		return f, true, nil
	}
	src, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("component module %s: %w", file, err)
	}
	_, prog, err := starlark.SourceProgramOptions(fileOptions, file, src, componentPredeclaredNames.Has)
	if err != nil {
		return nil, false, err // syntax errors carry file:line:col
	}
	f := &componentFactory{file: file, root: projectDir, prog: prog}
	l.cache[file] = f
	return f, true, nil
}

// componentPredeclaredNames lists what a module may refer to without
// defining it.
var componentPredeclaredNames = func() starlark.StringDict {
	d := componentPredeclared(nil)
	return d
}()

func componentPredeclared(rnd *randomModule) starlark.StringDict {
	d := libraries()
	d["StopIteration"] = stopIteration
	// Known so that a module calling them gets a clear refusal at run time
	// rather than "undefined" at compile time.
	d["execute"] = starlark.NewBuiltin("execute", builtinExecute)
	d["Experiment"] = starlark.NewBuiltin("Experiment", builtinExperiment)
	if rnd == nil {
		d["random"] = newRandomModule(nil)
	} else {
		d["random"] = rnd
	}
	return d
}

// stopIteration is the sentinel an iteration event returns to stop.
var stopIteration = sentinel("StopIteration")

// sentinel is a named value scripts can return and compare but not make.
type sentinel string

func (s sentinel) String() string        { return string(s) }
func (s sentinel) Type() string          { return string(s) }
func (s sentinel) Freeze()               {}
func (s sentinel) Truth() starlark.Bool  { return true }
func (s sentinel) Hash() (uint32, error) { return starlark.String(s).Hash() }

// componentFactory makes instances of one compiled module.
type componentFactory struct {
	file string
	root string
	prog *starlark.Program

	methodsMu sync.Mutex
	methods   *instance // module instance used for config methods
}

var (
	_ runtime.Factory       = (*componentFactory)(nil)
	_ runtime.ConfigMethods = (*componentFactory)(nil)
)

// New implements runtime.Factory.
func (f *componentFactory) New(ctx context.Context, self *runtime.Self) (runtime.Instance, error) {
	return f.instantiate(ctx, self)
}

func (f *componentFactory) instantiate(ctx context.Context, self *runtime.Self) (*instance, error) {
	var rnd *randomModule
	if self != nil {
		rnd = newRandomModule(self.Random)
	} else {
		rnd = newRandomModule(nil)
	}
	inst := &instance{file: f.file, rnd: rnd}
	out := func(_ *starlark.Thread, msg string) {
		if self != nil && self.Output != nil {
			fmt.Fprintln(self.Output, msg)
		}
	}
	inst.thread = &starlark.Thread{Name: "component " + f.file, Print: out}
	predeclared := componentPredeclared(rnd)
	st := &state{ctx: ctx, role: roleComponent, dir: filepath.Dir(f.file), root: f.root}
	st.loader = newModuleLoader(f.root, predeclared, out, st)
	inst.thread.Load = st.loader.load
	setState(inst.thread, st)
	defer watchContext(ctx, inst.thread)()
	globals, err := f.prog.Init(inst.thread, predeclared)
	if err != nil {
		return nil, err
	}
	globals.Freeze()
	inst.globals = globals
	if self != nil {
		inst.self = newSelfValue(self, inst)
	}
	return inst, nil
}

// ConfigMethod implements runtime.ConfigMethods: config_<name>(self, *args)
// with self.config the component's config.
func (f *componentFactory) ConfigMethod(ctx context.Context, name string, config map[string]any, args []any) (any, bool, error) {
	f.methodsMu.Lock()
	defer f.methodsMu.Unlock()
	if f.methods == nil {
		inst, err := f.instantiate(ctx, nil)
		if err != nil {
			return nil, false, err
		}
		f.methods = inst
	}
	fn, ok := f.methods.globals["config_"+name].(starlark.Callable)
	if !ok {
		return nil, false, nil
	}
	self := &runtime.Self{Config: config, Flags: map[string]any{}, Attrs: map[string]any{}}
	sargs := starlark.Tuple{newSelfValue(self, f.methods)}
	for _, a := range args {
		sargs = append(sargs, toStarlark(a))
	}
	v, err := starlark.Call(f.methods.thread, fn, sargs, nil)
	if err != nil {
		return nil, true, evalError(err)
	}
	g, err := fromStarlark(v)
	if err != nil {
		return nil, true, fmt.Errorf("config_%s returned %w", name, err)
	}
	return g, true, nil
}

// instance is one live component: its own module globals, thread, random
// stream and self.
type instance struct {
	file    string
	thread  *starlark.Thread
	globals starlark.StringDict
	rnd     *randomModule
	self    *selfValue
}

var (
	_ runtime.Instance = (*instance)(nil)
)

func (i *instance) Has(event string) bool {
	_, ok := i.globals[event].(starlark.Callable)
	return ok
}

// Call runs an event with self first; extra arguments are passed only as
// far as the function declares parameters for them.
func (i *instance) Call(ctx context.Context, event string, args ...any) (any, error) {
	fn := i.globals[event].(starlark.Callable)
	sargs := starlark.Tuple{i.self}
	for _, a := range args {
		if other, ok := a.(*instance); ok {
			sargs = append(sargs, other.self)
		} else {
			sargs = append(sargs, toStarlark(a))
		}
	}
	if f, ok := fn.(*starlark.Function); ok && !f.HasVarargs() && f.NumParams() < len(sargs) {
		sargs = sargs[:max(f.NumParams(), 0)]
	}
	defer watchContext(ctx, i.thread)()
	v, err := starlark.Call(i.thread, fn, sargs, nil)
	if err != nil {
		return nil, evalError(err)
	}
	switch v {
	case stopIteration:
		return runtime.Stop, nil
	case starlark.False:
		return false, nil
	case starlark.True:
		return true, nil
	}
	if s, ok := v.(starlark.String); ok {
		return string(s), nil
	}
	return nil, nil
}

// evalError keeps Starlark's backtrace (file:line:col of every frame) in
// the message, so it lands in status.json and on the console.
func evalError(err error) error {
	var e *starlark.EvalError
	if errors.As(err, &e) {
		return errors.New(ErrorText(e))
	}
	return err
}
