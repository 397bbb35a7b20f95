package dsl

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

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

	config *mapping
	flags  *mapping
	record *recordValue
	store  *storeValue
	log    *logValue
}

var (
	_ starlark.HasAttrs    = (*selfValue)(nil)
	_ starlark.HasSetField = (*selfValue)(nil)
)

func newSelfValue(s *runtime.Self, inst *instance) *selfValue {
	v := &selfValue{self: s, inst: inst, attrs: map[string]starlark.Value{}}
	v.bindMaps()
	if s.Record != nil {
		v.record = &recordValue{r: s.Record, scope: "default"}
	}
	v.store = &storeValue{self: s}
	v.log = &logValue{self: s}
	if s.Attrs != nil {
		s.Attrs[selfValueKey] = v
	}
	return v
}

// bindMaps (re)wraps config and flags. The runtime replaces them when
// on_before_init or on_init returns new ones (or on_init returns False),
// so they are rewrapped whenever Self holds other maps than those wrapped.
func (s *selfValue) bindMaps() {
	if s.config == nil || !sameMap(s.config.m, s.self.Config) {
		// Assignable, as in 2.x (self.config.x = ...): the component
		// owns a copy of its config.
		s.config = newMapping("config", s.self.Config, true)
	}
	if s.flags == nil || !sameMap(s.flags.m, s.self.Flags) {
		s.flags = newMapping("flags", s.self.Flags, true)
	}
}

func sameMap(a, b map[string]any) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

func (s *selfValue) String() string {
	return fmt.Sprintf("<component %s %s>", s.self.Name, s.self.ID)
}
func (s *selfValue) Type() string          { return "component" }
func (s *selfValue) Freeze()               {}
func (s *selfValue) Truth() starlark.Bool  { return true }
func (s *selfValue) Hash() (uint32, error) { return starlark.String(s.self.ID).Hash() }

var selfBuiltins = []string{"components", "config", "flags", "log", "node", "record", "save_checkpoint", "store"}

func (s *selfValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "config":
		s.bindMaps()
		return s.config, nil
	case "flags":
		s.bindMaps()
		return s.flags, nil
	case "record":
		if s.record == nil {
			return nil, fmt.Errorf("self.record is not available here")
		}
		return s.record, nil
	case "store":
		return s.store, nil
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

// recordValue is self.record or a writer from get_record_writer(scope):
// record["k"] = v, record.update(dict), record.save().
type recordValue struct {
	r     *runtime.Record
	scope string
}

var (
	_ starlark.HasSetKey = (*recordValue)(nil)
	_ starlark.HasAttrs  = (*recordValue)(nil)
)

func (r *recordValue) String() string        { return fmt.Sprintf("<record %s>", r.scope) }
func (r *recordValue) Type() string          { return "record" }
func (r *recordValue) Freeze()               {}
func (r *recordValue) Truth() starlark.Bool  { return starlark.Bool(r.r.Pending()) }
func (r *recordValue) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: record") }

func (r *recordValue) Get(k starlark.Value) (starlark.Value, bool, error) {
	key, ok := k.(starlark.String)
	if !ok {
		return nil, false, fmt.Errorf("record keys are strings, got %s", k.Type())
	}
	v, found := r.r.Get(string(key))
	if !found {
		return nil, false, nil
	}
	return toStarlark(v), true, nil
}

func (r *recordValue) SetKey(k, v starlark.Value) error {
	key, ok := k.(starlark.String)
	if !ok {
		return fmt.Errorf("record keys are strings, got %s", k.Type())
	}
	g, err := fromStarlark(v)
	if err != nil {
		return fmt.Errorf("record[%q]: %w", string(key), err)
	}
	r.r.Set(string(key), g)
	return nil
}

func (r *recordValue) AttrNames() []string { return []string{"empty", "save", "update"} }

func (r *recordValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "save":
		return starlark.NewBuiltin("save", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := unpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			if !r.r.Pending() {
				return nil, fmt.Errorf("record.save(): the row is empty; set values first, e.g. self.record[\"loss\"] = 0.1")
			}
			return starlark.None, r.r.Save()
		}), nil
	case "update":
		return starlark.NewBuiltin("update", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var d starlark.Value = starlark.None
			if err := unpackPositionalArgs(b.Name(), args, nil, 0, &d); err != nil {
				return nil, err
			}
			values, err := fromStarlarkMap("record.update", d)
			if err != nil {
				return nil, err
			}
			if values == nil {
				values = map[string]any{}
			}
			for _, kv := range kwargs {
				g, err := fromStarlark(kv[1])
				if err != nil {
					return nil, err
				}
				values[string(kv[0].(starlark.String))] = g
			}
			r.r.Update(values)
			return starlark.None, nil
		}), nil
	case "empty":
		return starlark.NewBuiltin("empty", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.Bool(!r.r.Pending()), nil
		}), nil
	}
	return nil, noSuchAttr(r, name)
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
			return &recordValue{r: r, scope: scope}, nil
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
