package dsl

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
)

// mixinValue is self._<name>_: the functions of a mixin, each called with
// the component's self first, as machinable 2.x binds them. What a mixin
// function sets on self is set on the component.
type mixinValue struct {
	ref  *runtime.MixinRef
	self *selfValue
}

var _ starlark.HasAttrs = (*mixinValue)(nil)

func (m *mixinValue) String() string {
	return fmt.Sprintf("<mixin %s of %s>", m.ref.Name, m.self.self.Name)
}
func (m *mixinValue) Type() string          { return "mixin" }
func (m *mixinValue) Freeze()               {}
func (m *mixinValue) Truth() starlark.Bool  { return true }
func (m *mixinValue) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: mixin") }

// Attr returns a function of the mixin bound to the component's self, or
// a value the mixin module defines.
func (m *mixinValue) Attr(name string) (starlark.Value, error) {
	if f, ok := m.ref.Factory.(*componentFactory); ok {
		mod, err := f.mixinModule(m.self.context(), m.self.self)
		if err != nil {
			return nil, err
		}
		v, ok := mod.globals[name]
		if !ok {
			return nil, noSuchAttr(m, name)
		}
		fn, ok := v.(starlark.Callable)
		if !ok {
			return v, nil
		}
		self := m.self
		return starlark.NewBuiltin(m.ref.Attribute+"."+name, func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.Call(thread, fn, append(starlark.Tuple{self}, args...), kwargs)
		}), nil
	}
	caller, ok := m.ref.Factory.(runtime.MixinCaller)
	if !ok || !caller.HasMixinFunc(name) {
		return nil, noSuchAttr(m, name)
	}
	self := m.self.self
	return starlark.NewBuiltin(m.ref.Attribute+"."+name, func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if len(kwargs) > 0 {
			return nil, fmt.Errorf("%s: a Go mixin takes positional arguments only", b.Name())
		}
		goArgs := make([]any, len(args))
		for i, a := range args {
			v, err := fromStarlark(a)
			if err != nil {
				return nil, fmt.Errorf("%s: argument %d: %w", b.Name(), i+1, err)
			}
			goArgs[i] = v
		}
		ctx := context.Background()
		if st := stateOf(thread); st != nil && st.ctx != nil {
			ctx = st.ctx
		}
		out, err := caller.CallMixin(ctx, self, name, goArgs...)
		if err != nil {
			return nil, err
		}
		return toStarlark(out), nil
	}), nil
}

// AttrNames lists what the mixin module or table defines.
func (m *mixinValue) AttrNames() []string {
	var names []string
	if f, ok := m.ref.Factory.(*componentFactory); ok {
		if mod, err := f.mixinModule(m.self.context(), m.self.self); err == nil {
			names = mod.globals.Keys()
		}
	} else if g, ok := m.ref.Factory.(runtime.GoComponent); ok {
		for k := range g {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names
}

// mixinModule is the mixin's module as run for one component: once per
// component, drawing from the component's random stream and printing to
// its output, so module-level state is the component's own.
func (f *componentFactory) mixinModule(ctx context.Context, self *runtime.Self) (*instance, error) {
	key := mixinModuleKey + f.file
	if mod, ok := self.Attrs[key].(*instance); ok {
		return mod, nil
	}
	mod, err := f.execModule(ctx, self)
	if err != nil {
		return nil, fmt.Errorf("mixin module %s: %w", f.file, evalError(err))
	}
	self.Attrs[key] = mod
	return mod, nil
}

// mixinModuleKey prefixes the Self.Attrs entries that cache mixin modules.
const mixinModuleKey = "\x00starlark.mixin:"

// HasMixinFunc implements runtime.MixinCaller: a .star module serves as a
// mixin of Go components too.
func (f *componentFactory) HasMixinFunc(fn string) bool {
	v, ok := mixinProbes.Load(f)
	if !ok {
		mod, err := f.execModule(context.Background(), nil)
		if err != nil {
			return false
		}
		v, _ = mixinProbes.LoadOrStore(f, mod.globals)
	}
	_, ok = v.(starlark.StringDict)[fn].(starlark.Callable)
	return ok
}

// mixinProbes caches, per module, the globals HasMixinFunc looks at.
var mixinProbes sync.Map // *componentFactory -> starlark.StringDict

// CallMixin implements runtime.MixinCaller: fn(self, args...) with self
// the Starlark view of the component (a Go component gets one on first
// use).
func (f *componentFactory) CallMixin(ctx context.Context, self *runtime.Self, fn string, args ...any) (any, error) {
	mod, err := f.mixinModule(ctx, self)
	if err != nil {
		return nil, err
	}
	callable, ok := mod.globals[fn].(starlark.Callable)
	if !ok {
		return nil, fmt.Errorf("mixin %s has no function %q", f.file, fn)
	}
	sv, ok := self.Attrs[selfValueKey].(*selfValue)
	if !ok {
		sv = newSelfValue(self, mod)
	}
	sargs := starlark.Tuple{sv}
	for _, a := range args {
		sargs = append(sargs, toStarlark(a))
	}
	defer watchContext(ctx, mod.thread)()
	v, err := starlark.Call(mod.thread, callable, sargs, nil)
	if err != nil {
		return nil, evalError(err)
	}
	return fromStarlark(v)
}

// context is the run's context of the component (so Ctrl-C stops a mixin
// module's top level too), or Background for a self without a thread.
func (s *selfValue) context() context.Context {
	if s.inst != nil && s.inst.thread != nil {
		if st := stateOf(s.inst.thread); st != nil && st.ctx != nil {
			return st.ctx
		}
	}
	return context.Background()
}
