package dsl

import (
	"fmt"
	"sort"
	"strings"
	"unsafe"

	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
)

// selfValue is a component's `self`: config, flags, record, log, store,
// node, components, save_checkpoint, plus any attribute the component
// sets on itself (kept in Go, since module globals are frozen).
type selfValue struct {
	self  *runtime.Self
	inst  *instance
	attrs map[string]starlark.Value

	config  *mapping
	flags   *mapping
	record  *recordValue
	store   *storeValue
	log     *logValue
	storage *componentStorageValue
}

var (
	_ starlark.HasAttrs    = (*selfValue)(nil)
	_ starlark.HasSetField = (*selfValue)(nil)
)

func newSelfValue(s *runtime.Self, inst *instance) *selfValue {
	v := &selfValue{self: s, inst: inst, attrs: map[string]starlark.Value{}}
	v.bindMaps()
	if s.Record != nil {
		v.record = &recordValue{r: s.Record, scope: "default", self: s}
	}
	v.store = &storeValue{self: s}
	v.log = &logValue{self: s}
	v.storage = &componentStorageValue{self: s, sv: v}
	if s.Attrs != nil {
		s.Attrs[selfValueKey] = v
	}
	return v
}

// bindMaps (re)wraps config and flags. The runtime replaces them when
// on_before_init or on_init returns new ones (or on_init returns False),
// so they are rewrapped whenever Self holds other maps than those wrapped.
func (s *selfValue) bindMaps() {
	s.boundConfig()
	s.boundFlags()
}

func (s *selfValue) boundConfig() *mapping {
	if s.config == nil || !sameMap(s.config.m, s.self.Config) {
		// Assignable, as in 2.x (self.config.x = ...): the component
		// owns a copy of its config.
		s.config = newMapping("config", s.self.Config, true)
	}
	return s.config
}

func (s *selfValue) boundFlags() *mapping {
	if s.flags == nil || !sameMap(s.flags.m, s.self.Flags) {
		s.flags = newMapping("flags", s.self.Flags, true)
	}
	return s.flags
}

// sameMap reports whether a and b are one map. A map value is a pointer
// to its table; comparing those is what reflect would do, without its
// cost on self.config, which a loop may read a million times.
func sameMap(a, b map[string]any) bool {
	return *(*unsafe.Pointer)(unsafe.Pointer(&a)) == *(*unsafe.Pointer)(unsafe.Pointer(&b))
}

func (s *selfValue) String() string {
	return fmt.Sprintf("<component %s %s>", s.self.Name, s.self.ID)
}
func (s *selfValue) Type() string          { return "component" }
func (s *selfValue) Freeze()               {}
func (s *selfValue) Truth() starlark.Bool  { return true }
func (s *selfValue) Hash() (uint32, error) { return starlark.String(s.self.ID).Hash() }

var selfBuiltins = []string{"components", "config", "flags", "log", "node", "record", "save_checkpoint", "storage", "store"}

func (s *selfValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "config":
		return s.boundConfig(), nil
	case "flags":
		return s.boundFlags(), nil
	case "record":
		if s.record == nil {
			return nil, fmt.Errorf("self.record is not available here")
		}
		return s.record, nil
	case "store":
		return s.store, nil
	case "storage":
		return s.storage, nil
	case "log":
		return s.log, nil
	case "node":
		if s.self.Node == nil {
			return starlark.None, nil
		}
		return s.peer(s.self.Node), nil
	case "components":
		var out []starlark.Value
		for _, c := range s.self.Components {
			out = append(out, s.peer(c))
		}
		return starlark.NewList(out), nil
	case "save_checkpoint":
		return starlark.NewBuiltin("save_checkpoint", s.saveCheckpoint), nil
	}
	if v, ok := s.attrs[name]; ok {
		return v, nil
	}
	if m, ok := s.self.Mixin(name); ok && m.Attribute == name {
		return &mixinValue{ref: m, self: s}, nil
	}
	return nil, noSuchAttr(s, name)
}

// peer finds the self value of a node or sub-component; they share a
// thread tree, so handing them over is safe.
func (s *selfValue) peer(p *runtime.Self) starlark.Value {
	if v, ok := p.Attrs[selfValueKey].(*selfValue); ok {
		return v
	}
	return starlark.None
}

// selfValueKey stores the selfValue on runtime.Self so peers can find it.
const selfValueKey = "\x00starlark.self"

func (s *selfValue) AttrNames() []string {
	names := append([]string(nil), selfBuiltins...)
	for k := range s.attrs {
		names = append(names, k)
	}
	for _, m := range s.self.Mixins {
		names = append(names, m.Attribute)
	}
	sort.Strings(names)
	return names
}

func (s *selfValue) SetField(name string, v starlark.Value) error {
	for _, b := range selfBuiltins {
		if name == b {
			return fmt.Errorf("cannot assign self.%s: it is provided by machinable", name)
		}
	}
	s.attrs[name] = v
	return nil
}

func (s *selfValue) saveCheckpoint(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var timestep starlark.Value = starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "timestep?", &timestep); err != nil {
		return nil, err
	}
	ts, err := fromStarlark(timestep)
	if err != nil {
		return nil, fmt.Errorf("%s: timestep: %w", b.Name(), err)
	}
	if s.self.SaveCheckpoint == nil {
		return nil, fmt.Errorf("%s: not available here", b.Name())
	}
	path, err := s.self.SaveCheckpoint(ts)
	if err != nil {
		return nil, err
	}
	return starlark.String(path), nil
}

// storeValue is self.store: write, read, get_record_writer.
type storeValue struct{ self *runtime.Self }

func (s *storeValue) String() string        { return "<store>" }
func (s *storeValue) Type() string          { return "store" }
func (s *storeValue) Freeze()               {}
func (s *storeValue) Truth() starlark.Bool  { return true }
func (s *storeValue) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: store") }
func (s *storeValue) AttrNames() []string {
	return []string{"get_record_writer", "read", "write"}
}

func (s *storeValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "write":
		return starlark.NewBuiltin("write", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var key string
			var data starlark.Value
			overwrite := false
			if err := unpackArgs(b.Name(), args, kwargs, "name", &key, "data", &data, "overwrite?", &overwrite); err != nil {
				return nil, err
			}
			g, err := fromStarlark(data)
			if err != nil {
				return nil, fmt.Errorf("store.write(%q): %w", key, err)
			}
			return starlark.None, s.self.Store.StoreWrite(key, g, overwrite)
		}), nil
	case "read":
		return starlark.NewBuiltin("read", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var key string
			if err := unpackArgs(b.Name(), args, kwargs, "name", &key); err != nil {
				return nil, err
			}
			v, err := s.self.Store.StoreRead(key)
			if err != nil {
				return nil, err
			}
			return toStarlark(v), nil
		}), nil
	case "get_record_writer":
		return starlark.NewBuiltin("get_record_writer", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			scope := "default"
			if err := unpackArgs(b.Name(), args, kwargs, "scope?", &scope); err != nil {
				return nil, err
			}
			r, err := s.self.RecordWriter(scope)
			if err != nil {
				return nil, err
			}
			return &recordValue{r: r, scope: scope, self: s.self}, nil
		}), nil
	}
	return nil, noSuchAttr(s, name)
}

// logValue is self.log: debug, info, warning, error.
type logValue struct{ self *runtime.Self }

func (l *logValue) String() string        { return "<log>" }
func (l *logValue) Type() string          { return "log" }
func (l *logValue) Freeze()               {}
func (l *logValue) Truth() starlark.Bool  { return true }
func (l *logValue) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: log") }
func (l *logValue) AttrNames() []string   { return []string{"debug", "error", "info", "warning"} }

func (l *logValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "debug", "info", "warning", "error":
		level := strings.ToUpper(name)
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if len(kwargs) > 0 {
				return nil, fmt.Errorf("log.%s: unexpected keyword arguments", name)
			}
			parts := make([]string, len(args))
			for i, a := range args {
				if s, ok := a.(starlark.String); ok {
					parts[i] = string(s)
				} else {
					parts[i] = a.String()
				}
			}
			return starlark.None, l.self.Log.Log(level, strings.Join(parts, " "))
		}), nil
	}
	return nil, noSuchAttr(l, name)
}
