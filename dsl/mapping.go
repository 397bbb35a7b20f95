package dsl

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/machinable-go/machinable/internal/suggest"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"go.starlark.net/starlark"
)

// mapping exposes a Go map to Starlark with attribute and index access:
// self.config.data.name and self.config["data"]["name"]. Config is
// read-only; flags accept new keys (writable).
type mapping struct {
	name     string // "config" or "flags", for messages
	path     string // where a nested mapping is ("config.data"); "" is name
	m        map[string]any
	writable bool
	frozen   bool
}

var (
	_ starlark.HasAttrs        = (*mapping)(nil)
	_ starlark.HasSetField     = (*mapping)(nil)
	_ starlark.IterableMapping = (*mapping)(nil)
	_ starlark.HasSetKey       = (*mapping)(nil)
	_ starlark.Sequence        = (*mapping)(nil)
)

func newMapping(name string, m map[string]any, writable bool) *mapping {
	if m == nil {
		m = map[string]any{}
	}
	return &mapping{name: name, m: m, writable: writable}
}

func (m *mapping) String() string {
	b, _ := toStarlark(m.m).(*starlark.Dict)
	return m.name + "(" + b.String() + ")"
}
func (m *mapping) Type() string          { return m.name }
func (m *mapping) Freeze()               { m.frozen = true }
func (m *mapping) Truth() starlark.Bool  { return len(m.m) > 0 }
func (m *mapping) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", m.name) }
func (m *mapping) Len() int              { return len(m.m) }

func (m *mapping) keys() []string {
	keys := make([]string, 0, len(m.m))
	for k := range m.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// wrap turns nested maps into mappings that share the parent's rules, and
// lists into frozen lists when read-only.
func (m *mapping) wrap(key string, v any) starlark.Value {
	if sub, ok := v.(map[string]any); ok {
		return &mapping{name: m.name, path: m.where() + "." + key, m: sub, writable: m.writable, frozen: m.frozen}
	}
	sv := toStarlark(v)
	if !m.writable {
		sv.Freeze()
	}
	return sv
}

func (m *mapping) Get(k starlark.Value) (starlark.Value, bool, error) {
	s, ok := k.(starlark.String)
	if !ok {
		return nil, false, fmt.Errorf("%s keys are strings, got %s", m.name, k.Type())
	}
	v, found := m.m[string(s)]
	if !found {
		// An error rather than "not found", so config["lerning_rate"]
		// names the keys there are; the in operator ignores it.
		return nil, false, m.missing(string(s), false)
	}
	return m.wrap(string(s), v), true, nil
}

func (m *mapping) where() string {
	if m.path != "" {
		return m.path
	}
	return m.name
}

// missingKeyError is a key that a config or flags mapping does not have:
// the message suggests the nearest key and lists those there are.
type missingKeyError struct {
	where, key string
	attr       bool // self.config.key rather than self.config["key"]
	keys       []string
}

func (e *missingKeyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s has no key %q", e.where, e.key)
	if n := suggest.Nearest(e.key, e.keys); n != "" {
		fmt.Fprintf(&b, " (did you mean %q?)", n)
	} else if n := suggest.Nearest(e.key, slices.Sorted(maps.Keys(mappingMethods))); e.attr && n != "" {
		fmt.Fprintf(&b, " (did you mean .%s()?)", n)
	}
	const most = 30
	switch {
	case len(e.keys) == 0:
		b.WriteString("; it has no keys")
	case len(e.keys) > most:
		fmt.Fprintf(&b, "; its keys: %s, ... (%d more)", strings.Join(e.keys[:most], ", "), len(e.keys)-most)
	default:
		fmt.Fprintf(&b, "; its keys: %s", strings.Join(e.keys, ", "))
	}
	return b.String()
}

func (m *mapping) missing(key string, attr bool) error {
	return &missingKeyError{where: m.where(), key: key, attr: attr, keys: m.keys()}
}

func (m *mapping) Items() []starlark.Tuple {
	out := make([]starlark.Tuple, 0, len(m.m))
	for _, k := range m.keys() {
		out = append(out, starlark.Tuple{starlark.String(k), m.wrap(k, m.m[k])})
	}
	return out
}

func (m *mapping) Iterate() starlark.Iterator {
	keys := m.keys()
	elems := make([]starlark.Value, len(keys))
	for i, k := range keys {
		elems[i] = starlark.String(k)
	}
	return starlark.NewList(elems).Iterate()
}

func (m *mapping) set(key string, v starlark.Value) error {
	if !m.writable {
		return fmt.Errorf("%s is read-only: change it with a version in the experiment, not in the component", m.name)
	}
	if m.frozen {
		return fmt.Errorf("cannot set %s.%s: frozen", m.name, key)
	}
	g, err := fromStarlark(v)
	if err != nil {
		return fmt.Errorf("%s.%s: %w", m.name, key, err)
	}
	m.m[key] = g
	return nil
}

func (m *mapping) SetKey(k, v starlark.Value) error {
	s, ok := k.(starlark.String)
	if !ok {
		return fmt.Errorf("%s keys are strings, got %s", m.name, k.Type())
	}
	return m.set(string(s), v)
}

func (m *mapping) SetField(name string, v starlark.Value) error { return m.set(name, v) }

var mappingMethods = map[string]*starlark.Builtin{
	"get": starlark.NewBuiltin("get", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var key string
		var def starlark.Value = starlark.None
		if err := unpackPositionalArgs(b.Name(), args, kwargs, 1, &key, &def); err != nil {
			return nil, err
		}
		m := b.Receiver().(*mapping)
		if v, ok := m.m[key]; ok {
			return m.wrap(key, v), nil
		}
		return def, nil
	}),
	"keys": starlark.NewBuiltin("keys", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := unpackPositionalArgs(b.Name(), args, kwargs, 0); err != nil {
			return nil, err
		}
		m := b.Receiver().(*mapping)
		var out []starlark.Value
		for _, k := range m.keys() {
			out = append(out, starlark.String(k))
		}
		return starlark.NewList(out), nil
	}),
	"items": starlark.NewBuiltin("items", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := unpackPositionalArgs(b.Name(), args, kwargs, 0); err != nil {
			return nil, err
		}
		var out []starlark.Value
		for _, it := range b.Receiver().(*mapping).Items() {
			out = append(out, it)
		}
		return starlark.NewList(out), nil
	}),
	"to_dict": starlark.NewBuiltin("to_dict", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := unpackPositionalArgs(b.Name(), args, kwargs, 0); err != nil {
			return nil, err
		}
		return toStarlark(jsonvalue.DeepCopy(b.Receiver().(*mapping).m)), nil
	}),
}

func (m *mapping) Attr(name string) (starlark.Value, error) {
	if v, ok := m.m[name]; ok {
		return m.wrap(name, v), nil
	}
	if b, ok := mappingMethods[name]; ok {
		return b.BindReceiver(m), nil
	}
	return nil, m.missing(name, true)
}

func (m *mapping) AttrNames() []string {
	names := m.keys()
	for k := range mappingMethods {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
