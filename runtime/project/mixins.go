package project

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// mixinsKey lists a component's mixins in its config.
const mixinsKey = "_mixins_"

// defaultsMixin stands for the component's own mixins in a version's
// _mixins_ (2.9.3+).
const defaultsMixin = "^"

// mixinSpec is one entry of a _mixins_ list: a name, or a mapping with
// name and optionally attribute and overrides (2.9.3+).
type mixinSpec struct {
	name      string
	attribute string
	overrides bool
	defaults  bool // the "^" placeholder
}

// MixinRef is a mixin as Config merged it into a component's config; the
// config's _mixins_ list holds the same as {"name", "origin",
// "attribute"} mappings.
type MixinRef struct {
	// Name is the name as written in _mixins_ (maybe an alias).
	Name string
	// Origin is the mixin's full name in machinable.yaml.
	Origin string
	// Module is the dotted path of the mixin's code.
	Module string
	// Attribute is where 2.x components reach the mixin: self._<name>_,
	// with the dots of the name as underscores, unless the entry names
	// its own attribute.
	Attribute string
}

// parseMixinList reads a _mixins_ value: a name, or a list of names and
// {name, attribute, overrides} mappings, as 2.x's parse_mixins.
func parseMixinList(v any) ([]mixinSpec, error) {
	var items []any
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		items = []any{x}
	case []any:
		items = x
	default:
		return nil, fmt.Errorf("expected a mixin name or a list of them, got %s", describe(v))
	}
	specs := make([]mixinSpec, 0, len(items))
	for i, item := range items {
		var s mixinSpec
		switch x := item.(type) {
		case string:
			s.name = x
			s.defaults = x == defaultsMixin
		case map[string]any:
			name, ok := x["name"].(string)
			if !ok {
				return nil, fmt.Errorf("item %d: expected a mapping with a name (like {name: data, attribute: _data_}), got %s", i+1, keyList(x))
			}
			s.name = name
			if _, ok := x["vendor"]; ok {
				return nil, fmt.Errorf("item %d: mixins of vendor projects are not supported", i+1)
			}
			if a, ok := x["attribute"]; ok {
				if s.attribute, ok = a.(string); !ok {
					return nil, fmt.Errorf("item %d: attribute: expected a string, got %s", i+1, describe(a))
				}
			}
			if o, ok := x["overrides"]; ok {
				if s.overrides, ok = o.(bool); !ok {
					return nil, fmt.Errorf("item %d: overrides: expected true or false, got %s", i+1, describe(o))
				}
			}
		default:
			return nil, fmt.Errorf("item %d: expected a mixin name or a mapping with a name, got %s", i+1, describe(item))
		}
		if s.attribute == "" {
			s.attribute = "_" + strings.ReplaceAll(strings.TrimPrefix(s.name, "+."), ".", "_") + "_"
		}
		specs = append(specs, s)
	}
	return specs, nil
}

// overrideMixins builds the mixins of a version's _mixins_ (2.9.3+): its
// entries win over the component's config unless they say overrides:
// false, and "^" stands for the component's own mixins.
func overrideMixins(override any, defaults []mixinSpec) ([]mixinSpec, error) {
	specs, err := parseMixinList(override)
	if err != nil {
		return nil, err
	}
	raw, _ := override.([]any)
	if s, ok := override.(string); ok {
		raw = []any{s}
	}
	var out []mixinSpec
	for i, s := range specs {
		if s.defaults {
			out = append(out, defaults...)
			continue
		}
		if m, ok := raw[i].(map[string]any); !ok || m["overrides"] == nil {
			s.overrides = true
		}
		out = append(out, s)
	}
	return out, nil
}

// unknownMixin is the error for a mixin name that no mixins: section
// declares, listing the known ones.
func (p *Project) unknownMixin(name string) string {
	if strings.HasPrefix(name, "+.") && p.mixins.find(name) == nil {
		if _, err := p.vendorEntry(p.mixins, name); err != nil {
			return err.Error()
		}
	}
	if len(p.mixins.names) == 0 {
		return fmt.Sprintf("unknown mixin %q; no mixins are declared (add a mixins: section)", name)
	}
	return fmt.Sprintf("unknown mixin %q%s; known mixins: %s", name, didYouMean(name, p.mixins.names), strings.Join(p.mixins.listed, ", "))
}

// checkMixins checks the _mixins_ of a component, and those of its
// versions, when the file is loaded.
func (p *Project) checkMixins(e *entry) error {
	check := func(path string, v any, versionLevel bool) error {
		specs, err := parseMixinList(v)
		if err != nil {
			return p.entryError(e, e.pos, path, "key %q: %v", path, err)
		}
		for _, s := range specs {
			if s.defaults && versionLevel {
				continue
			}
			if s.defaults {
				return p.entryError(e, e.pos, path, "key %q: %q stands for the component's own mixins only in a version's _mixins_", path, defaultsMixin)
			}
			if p.findMixin(s.name) == nil {
				at, ok := e.pos[path]
				if !ok {
					at = srcPos{p.File, e.Line}
				}
				return errorAtWrap(ErrUnknownMixin, at.file, at.line, "%s: key %q: %s", e.what(), path, p.unknownMixin(s.name))
			}
		}
		return nil
	}
	if v, ok := e.args[mixinsKey]; ok {
		if err := check(mixinsKey, v, false); err != nil {
			return err
		}
	}
	var versions func(m map[string]any, path string) error
	versions = func(m map[string]any, path string) error {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			body, ok := m[k].(map[string]any)
			if !strings.HasPrefix(k, "~") || !ok {
				continue
			}
			kp := joinPath(path, k)
			if v, ok := body[mixinsKey]; ok {
				if err := check(joinPath(kp, mixinsKey), v, true); err != nil {
					return err
				}
			}
			if err := versions(body, kp); err != nil {
				return err
			}
		}
		return nil
	}
	return versions(e.args, "")
}

// mergeMixins merges the config of each mixin into args, in order: under
// the config, so that what is already there wins (the component's own
// config, then the earlier mixins), or over it for an entry that
// overrides (2.9.3+). where names the source of the list in errors.
func (p *Project) mergeMixins(e *entry, args map[string]any, specs []mixinSpec, where string) (map[string]any, []MixinRef, error) {
	refs := make([]MixinRef, 0, len(specs))
	for _, s := range specs {
		m := p.findMixin(s.name)
		if m == nil {
			return nil, nil, &wrapError{
				msg: fmt.Sprintf("component %q: %s: %s", e.Name, where, p.unknownMixin(s.name)),
				err: ErrUnknownMixin,
			}
		}
		margs := copyMap(m.args)
		delete(margs, mixinsKey)
		if s.overrides {
			if c := updateInto(args, margs, ""); c != nil {
				return nil, nil, fmt.Errorf("component %q: mixin %q: key %q: cannot merge its mapping into %s", e.Name, s.name, c.path, c.onto())
			}
		} else {
			if c := updateInto(margs, args, ""); c != nil {
				return nil, nil, fmt.Errorf("component %q: key %q: cannot merge a mapping into %s from mixin %q", e.Name, c.path, c.onto(), s.name)
			}
			args = margs
		}
		refs = append(refs, MixinRef{Name: s.name, Origin: m.Name, Module: m.Module, Attribute: s.attribute})
	}
	return args, refs, nil
}

// mixinsValue is the _mixins_ list a resolved config holds.
func mixinsValue(refs []MixinRef) []any {
	out := make([]any, len(refs))
	for i, r := range refs {
		m := map[string]any{"name": r.Name, "origin": r.Origin, "attribute": r.Attribute}
		if strings.HasPrefix(r.Origin, "+.") {
			// A vendor's mixin: its code is under vendor/, not at its name.
			// Only then, so that other configs stay as they were.
			m["module"] = r.Module
		}
		out[i] = m
	}
	return out
}

var errMixinsUnsettled = errors.New("the versions' _mixins_ depend on the mixins they choose")
