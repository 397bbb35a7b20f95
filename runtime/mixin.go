package runtime

import (
	"context"
	"fmt"
	"strings"
)

// MixinsKey is the config key that lists a component's mixins, as in
// machinable 2.x: names, or maps with "name" and optionally "origin" (the
// mixin's module) and "attribute" (how the component reaches it).
const MixinsKey = "_mixins_"

// MixinRef is a mixin bound to a component: code whose functions run with
// the component as self, reached as self._<name>_ in Starlark.
type MixinRef struct {
	Name      string  // as listed in _mixins_ ("data", "lib.data")
	Module    string  // where its code lives; Name unless the project says otherwise
	Attribute string  // "_data_", "_lib_data_"
	Factory   Factory // its code: a .star module or a Go table
}

// MixinCaller is implemented by mixin code: Go tables (GoComponent) and
// .star modules. CallMixin runs function fn of the mixin with self, the
// component's Self, so what the function sets on self is set on the
// component.
type MixinCaller interface {
	// HasMixinFunc reports whether the mixin defines fn.
	HasMixinFunc(fn string) bool
	// CallMixin calls fn(self, args...) and returns its result as a Go
	// value.
	CallMixin(ctx context.Context, self *Self, fn string, args ...any) (any, error)
}

// Mixin finds a bound mixin by attribute ("_data_") or name ("data").
func (s *Self) Mixin(name string) (*MixinRef, bool) {
	for _, m := range s.Mixins {
		if m.Attribute == name || m.Name == name {
			return m, true
		}
	}
	return nil, false
}

// CallMixin runs function fn of mixin name (its name or attribute) with
// this component as self: self._data_.load(x) in Starlark is
// self.CallMixin(ctx, "data", "load", x) in Go.
func (s *Self) CallMixin(ctx context.Context, name, fn string, args ...any) (any, error) {
	m, ok := s.Mixin(name)
	if !ok {
		return nil, fmt.Errorf("component %s has no mixin %q (mixins: %s)", s.Name, name, s.mixinNames())
	}
	c, ok := m.Factory.(MixinCaller)
	if !ok {
		return nil, fmt.Errorf("mixin %q: its code cannot be called as a mixin (%T)", m.Name, m.Factory)
	}
	if !c.HasMixinFunc(fn) {
		return nil, fmt.Errorf("mixin %q has no function %q", m.Name, fn)
	}
	return c.CallMixin(ctx, s, fn, args...)
}

func (s *Self) mixinNames() string {
	if len(s.Mixins) == 0 {
		return "none"
	}
	names := make([]string, len(s.Mixins))
	for i, m := range s.Mixins {
		names[i] = m.Name
	}
	return strings.Join(names, ", ")
}

// HasMixinFunc implements MixinCaller: a Go table serves as a mixin too.
func (g GoComponent) HasMixinFunc(fn string) bool { _, ok := g[fn]; return ok }

// CallMixin implements MixinCaller.
func (g GoComponent) CallMixin(ctx context.Context, self *Self, fn string, args ...any) (any, error) {
	return g[fn](ctx, self, args...)
}

// parseMixins reads the _mixins_ entries of a config: a name, a list of
// names, or maps with "name" and optional "origin" and "attribute".
func parseMixins(config map[string]any) ([]*MixinRef, error) {
	raw, ok := config[MixinsKey]
	if !ok || raw == nil {
		return nil, nil
	}
	var items []any
	switch x := raw.(type) {
	case string:
		items = []any{x}
	case []any:
		items = x
	default:
		return nil, fmt.Errorf("%s: expected a list of mixin names, got %T", MixinsKey, raw)
	}
	refs := make([]*MixinRef, 0, len(items))
	for i, item := range items {
		ref := &MixinRef{}
		switch x := item.(type) {
		case string:
			ref.Name = x
		case map[string]any:
			ref.Name, _ = x["name"].(string)
			ref.Module, _ = x["origin"].(string)
			if m, _ := x["module"].(string); m != "" {
				ref.Module = m // a vendor's mixin (vendor.NAME.module)
			}
			ref.Attribute, _ = x["attribute"].(string)
		}
		if ref.Name == "" {
			return nil, fmt.Errorf("%s[%d]: expected a mixin name or {name: ...}, got %v", MixinsKey, i, item)
		}
		if ref.Module == "" {
			ref.Module = ref.Name
		}
		if ref.Attribute == "" {
			ref.Attribute = MixinAttribute(ref.Name)
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// MixinAttribute is how a component reaches mixin name, as 2.x forms it:
// "data" is _data_, "lib.data" is _lib_data_, a vendor's "+.x.data" is
// _x_data_.
func MixinAttribute(name string) string {
	return "_" + strings.ReplaceAll(strings.TrimPrefix(name, "+."), ".", "_") + "_"
}

// bindMixins finds the code of every mixin in the component's config.
func bindMixins(reg *Registry, projectDir string, self *Self) error {
	refs, err := parseMixins(self.Config)
	if err != nil {
		return fmt.Errorf("component %s: %w", self.Name, err)
	}
	for _, ref := range refs {
		f, err := reg.Lookup(projectDir, ref.Name, ref.Module)
		if err != nil && ref.Module != ref.Name && reg.Registered(ref.Module) {
			f, err = reg.Lookup(projectDir, ref.Module, ref.Module)
		}
		if err != nil {
			return fmt.Errorf("component %s: mixin %q: %w", self.Name, ref.Name, err)
		}
		ref.Factory = f
	}
	self.Mixins = refs
	return nil
}
