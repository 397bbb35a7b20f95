package dsl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/machinable-go/machinable/internal/suggest"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/runtime/project"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
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

// Register adds the Starlark component loader and the loader of project
// hooks (_machinable/project.star) to a registry.
func Register(reg *runtime.Registry) {
	reg.AddLoader(NewComponentLoader())
	RegisterHooks(reg) // _machinable/project.star (hooks.go)
}

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
	parsed, prog, err := compileFile(file, src, componentPredeclaredNames.Has)
	if err != nil {
		return nil, false, withSourceHint(err, src) // syntax errors carry file:line:col
	}
	f := &componentFactory{file: file, root: vendorRoot(projectDir, module), prog: prog, warnings: unknownEvents(parsed)}
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

	warnings []string    // e.g. an on_* function that is no event
	warned   atomic.Bool // the warnings are said once per module
}

// Warnings implements runtime.Warner: the warnings of the module the
// first time it is asked, then none, so a script that executes the
// component again does not repeat them.
func (f *componentFactory) Warnings() []string {
	if f.warned.Swap(true) {
		return nil
	}
	return f.warnings
}

// unknownEvents warns about top-level on_* functions that are no
// life-cycle event (on_exceute): they would silently never run.
func unknownEvents(f *syntax.File) []string {
	var out []string
	for _, stmt := range f.Stmts {
		def, ok := stmt.(*syntax.DefStmt)
		if !ok || !strings.HasPrefix(def.Name.Name, "on_") || slices.Contains(runtime.Events, def.Name.Name) {
			continue
		}
		msg := fmt.Sprintf("%s: %s is not a life-cycle event: machinable never calls it", def.Name.NamePos, def.Name.Name)
		if n := suggest.Nearest(def.Name.Name, runtime.Events); n != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", n)
		}
		out = append(out, msg)
	}
	return out
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
	inst, err := f.execModule(ctx, self)
	if err != nil {
		return nil, err
	}
	if self != nil {
		inst.self = newSelfValue(self, inst)
	}
	return inst, nil
}

// execModule runs the module's top level with the random stream and
// output of self (nil: its own), without making a self for it: a mixin's
// module runs with the self of the component that uses it.
func (f *componentFactory) execModule(ctx context.Context, self *runtime.Self) (*instance, error) {
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
	return inst, nil
}

// ConfigMethod implements runtime.ConfigMethods: config_<name>(self, *args)
// with self.config the component's config.
func (f *componentFactory) ConfigMethod(ctx context.Context, name string, config map[string]any, args []any, kwargs []project.KeyValue) (any, bool, error) {
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
	var skw []starlark.Tuple
	for _, kv := range kwargs {
		skw = append(skw, starlark.Tuple{starlark.String(kv.Key), toStarlark(kv.Value)})
	}
	// The methods instance keeps its thread across calls: reset and watch
	// it for this call, so the execution's context (Ctrl-C) stops a
	// method that loops.
	var stop func()
	if ctx != nil {
		stop = f.methods.watch(ctx)
	} else {
		f.methods.thread.Uncancel()
	}
	v, err := starlark.Call(f.methods.thread, fn, sargs, skw)
	if stop != nil {
		stop()
	}
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

var _ runtime.Instance = (*instance)(nil)

// Has reports whether the module defines the event as a function.
func (i *instance) Has(event string) bool {
	_, ok := i.globals[event].(starlark.Callable)
	return ok
}

// Call runs an event with self first; extra arguments are passed only as
// far as the function declares parameters for them, so 2.x signatures
// with fewer parameters work. fail(StopIteration) raises runtime.Stop.
// See eventArg and eventResult for how values cross.
func (i *instance) Call(ctx context.Context, event string, args ...any) (any, error) {
	fn := i.globals[event].(starlark.Callable)
	sargs := starlark.Tuple{i.self}
	for _, a := range args {
		sargs = append(sargs, eventArg(a))
	}
	if f, ok := fn.(*starlark.Function); ok && !f.HasVarargs() && f.NumParams() < len(sargs) {
		sargs = sargs[:max(f.NumParams(), 0)]
	}
	defer i.watch(ctx)()
	v, err := starlark.Call(i.thread, fn, sargs, nil)
	if err != nil {
		if raisedStop(err) {
			return nil, runtime.Stop
		}
		return nil, evalError(err)
	}
	return eventResult(event, v), nil
}

// watch cancels the thread when ctx ends, for one event. The thread may
// have been cancelled by an earlier, interrupted event; the end events
// that follow an interrupt run with a context of their own, so the
// thread is reset first. The returned func waits for a cancel already
// under way, so none lands on the next event.
func (i *instance) watch(ctx context.Context) func() {
	i.thread.Uncancel()
	if ctx.Done() == nil {
		return func() {}
	}
	done := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(done)
		i.thread.Cancel(context.Cause(ctx).Error())
	})
	return func() {
		if !stop() {
			<-done
		}
	}
}

// eventArg converts an event argument: runtime.Stop becomes
// StopIteration, instances (node, sub-components) their self, a list of
// them a list, a failure an ExecutionException value, and plain data
// Starlark values (Starlark values pass unchanged).
func eventArg(a any) starlark.Value {
	if a == any(runtime.Stop) { // on_execute's result when it raised StopIteration
		return stopIteration
	}
	switch x := a.(type) {
	case *instance:
		if x.self != nil {
			return x.self
		}
	case []runtime.Instance:
		elems := make([]starlark.Value, len(x))
		for j, e := range x {
			elems[j] = eventArg(e)
		}
		return starlark.NewList(elems)
	case *runtime.ExecutionError:
		return &failureValue{err: x}
	case interface{ Self() *runtime.Self }: // a config-only component
		if v, ok := x.Self().Attrs[selfValueKey].(*selfValue); ok {
			return v
		}
		return newSelfValue(x.Self(), nil)
	}
	return toStarlark(a)
}

// eventResult converts an event's return value for the runtime: None,
// bools and strings become Go values, StopIteration runtime.Stop, a
// component's self its instance, and the (config, flags, node) tuple of
// on_before_init or on_init a []any of Go values. Anything else is handed
// over as the Starlark value itself, so on_success and on_finish receive
// the very value on_execute returned.
func eventResult(event string, v starlark.Value) any {
	switch x := v.(type) {
	case starlark.NoneType:
		return nil
	case starlark.Bool:
		return bool(x)
	case starlark.String:
		return string(x)
	case sentinel:
		if x == stopIteration {
			return runtime.Stop
		}
	case *selfValue:
		if x.inst != nil {
			return x.inst
		}
	case starlark.Tuple:
		if event == runtime.OnBeforeInit || event == runtime.OnInit {
			out := make([]any, len(x))
			for j, e := range x {
				out[j] = initValue(e)
			}
			return out
		}
	}
	return v
}

// initValue converts an element of a (config, flags, node) tuple: dicts
// become maps, a component's self its instance, None nil; anything else
// stays as it is, for the runtime to refuse.
func initValue(v starlark.Value) any {
	switch x := v.(type) {
	case starlark.NoneType:
		return nil
	case *selfValue:
		if x.inst != nil {
			return x.inst
		}
	case *starlark.Dict, *mapping:
		if g, err := fromStarlark(x); err == nil {
			return g
		}
	}
	return v
}

// raisedStop reports whether an event failed with fail(StopIteration),
// Starlark's way to raise it.
func raisedStop(err error) bool {
	var e *starlark.EvalError
	return errors.As(err, &e) && e.Msg == "fail: "+string(stopIteration)
}

// failureValue is what on_failure and on_finish receive when a component
// failed: 2.x's ExecutionException. str() of it is the error message;
// .message and .reason ("exception" or "user_interrupt") are attributes.
type failureValue struct{ err *runtime.ExecutionError }

var _ starlark.HasAttrs = (*failureValue)(nil)

func (f *failureValue) String() string        { return f.err.Error() }
func (f *failureValue) Type() string          { return "ExecutionException" }
func (f *failureValue) Freeze()               {}
func (f *failureValue) Truth() starlark.Bool  { return true }
func (f *failureValue) Hash() (uint32, error) { return starlark.String(f.err.Error()).Hash() }
func (f *failureValue) AttrNames() []string   { return []string{"message", "reason"} }

func (f *failureValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "message":
		return starlark.String(f.err.Error()), nil
	case "reason":
		return starlark.String(f.err.Reason), nil
	}
	return nil, noSuchAttr(f, name)
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
