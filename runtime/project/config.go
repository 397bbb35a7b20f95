package project

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Resolved is a component's configuration together with what was
// applied to get it.
type Resolved struct {
	// Config is the configuration; a fresh copy the caller may modify.
	Config map[string]any
	// Versions lists the string patches applied, in order, as written:
	// "~name", "~a:b" and "_mixin_".
	Versions []string
	// Versioning lists the named versions applied ("~name", "~a:b"), in
	// order, without the tilde: machinable 2.14's VERSIONING flag.
	Versioning []string
	// Mixins lists the mixins merged into the config, in order; Config's
	// _mixins_ holds the same (name, origin, attribute). Empty when the
	// component uses none.
	Mixins []MixinRef
}

// Config returns the configuration of component name (a full name or an
// alias) with patches applied; see ConfigInfo.
func (p *Project) Config(name string, patches []Patch) (map[string]any, error) {
	r, err := p.ConfigInfo(name, patches)
	if err != nil {
		return nil, err
	}
	return r.Config, nil
}

// ConfigInfo resolves the configuration of component name for a list of
// patches, the way machinable 2.0 does, and tells what it applied.
//
// The starting point is the config from machinable.yaml: parents merged
// and references resolved when the file was loaded. The component's
// mixins (_mixins_) are merged under it, in order; a patch may replace
// the list (_mixins_ in a dict, 2.9.3+, "^" standing for the component's
// own). The patches, experiment-level ones first, are then merged into
// one update in order: a dict as it is, "~name" as the version of that
// name (when a version applied before holds a nested "~name", it is
// merged under the top-level one, or used alone when there is no
// top-level one), "~a:b" as the keys of ~a and of the ~b inside it
// (2.9.1+), and "_mixin_" as that mixin's config. Dotted keys of each
// patch are unflattened unless it sets _unflatten: false. The update is
// merged into the config, and of the versions (~name keys) the config
// keeps those applied by name. Mappings merge, other values replace; a
// mapping cannot replace a scalar.
func (p *Project) ConfigInfo(name string, patches []Patch) (*Resolved, error) {
	e, err := p.components.lookup(name)
	if err != nil {
		return nil, err
	}
	prepared := make([]preparedPatch, len(patches))
	var override mixinsSetter
	for i, pt := range patches {
		pp := preparedPatch{index: i + 1, version: pt.Version}
		switch {
		case pt.Version != "" && pt.Values != nil:
			return nil, fmt.Errorf("component %q: patch %d: expected either a version (%q) or values, not both", e.Name, i+1, pt.Version)
		case pt.Values != nil:
			values, err := p.patchValues(pt.Values)
			if err != nil {
				return nil, fmt.Errorf("component %q: patch %d: %w", e.Name, i+1, err)
			}
			if v, ok := values[mixinsKey]; ok {
				delete(values, mixinsKey)
				override = mixinsSetter{index: i + 1, value: v, where: fmt.Sprintf("patch %d: %s", i+1, mixinsKey)}
			}
			pp.values = values
		}
		prepared[i] = pp
	}
	// The mixins a named version chooses are only known once it is
	// looked up, which may depend on the mixins (their versions), so
	// resolve again until the choice is stable.
	chosen := override
	for range 3 {
		res, setter, err := p.apply(e, prepared, chosen, override)
		if err != nil {
			return nil, err
		}
		if setter.index == chosen.index {
			return res, nil
		}
		chosen = setter
	}
	return nil, fmt.Errorf("component %q: %w", e.Name, errMixinsUnsettled)
}

// preparedPatch is a patch with its values converted to config values.
type preparedPatch struct {
	index   int // 1-based
	version string
	values  map[string]any // _mixins_ taken out
}

// mixinsSetter is the patch that chose the mixins; index 0 is none (the
// component's own).
type mixinsSetter struct {
	index int
	value any
	where string
}

// apply resolves the config once, with the mixins chosen by override,
// and returns the patch that chose them by the end: the last one that
// sets _mixins_, a dict (fromDict) or a named version.
func (p *Project) apply(e *entry, patches []preparedPatch, override, fromDict mixinsSetter) (*Resolved, mixinsSetter, error) {
	args := copyMap(e.args)
	if _, ok := args["_evaluate"]; p.hasEvaluate && !ok {
		args["_evaluate"] = DeepCopy(p.evaluate)
	}
	own, hasMixins := args[mixinsKey]
	delete(args, mixinsKey)
	specs, err := parseMixinList(own)
	if err != nil { // checked at Load
		return nil, override, fmt.Errorf("component %q: %s: %w", e.Name, mixinsKey, err)
	}
	where := mixinsKey
	if override.index > 0 {
		hasMixins = true
		where = override.where
		if specs, err = overrideMixins(override.value, specs); err != nil {
			return nil, override, fmt.Errorf("component %q: %s: %w", e.Name, where, err)
		}
	}
	args, refs, err := p.mergeMixins(e, args, specs, where)
	if err != nil {
		return nil, override, err
	}
	if hasMixins {
		args[mixinsKey] = mixinsValue(refs)
	}

	res := &Resolved{Versions: []string{}, Versioning: []string{}, Mixins: refs}
	setter := fromDict
	update := map[string]any{}
	for _, pt := range patches {
		var k map[string]any
		what := fmt.Sprintf("patch %d", pt.index)
		switch {
		case pt.version != "":
			what = fmt.Sprintf("version %q", pt.version)
			res.Versions = append(res.Versions, pt.version)
			if strings.HasPrefix(pt.version, "~") {
				res.Versioning = append(res.Versioning, pt.version[1:])
			}
			if k, err = p.version(e, pt.version, args, update); err != nil {
				return nil, override, err
			}
			if v, ok := k[mixinsKey]; ok {
				delete(k, mixinsKey)
				if !isMixinVersion(pt.version) && pt.index > setter.index {
					setter = mixinsSetter{index: pt.index, value: v, where: fmt.Sprintf("version %q: %s", pt.version, mixinsKey)}
				}
			}
		case pt.values != nil:
			k = copyMap(pt.values)
		default:
			continue
		}
		if wantsUnflatten(k) {
			flat, ferr := unflatten(k)
			if ferr != nil {
				return nil, override, fmt.Errorf("component %q: %s: %v", e.Name, what, ferr)
			}
			k = flat
		}
		if c := updateInto(update, k, ""); c != nil {
			return nil, override, fmt.Errorf("component %q: %s: key %q: cannot merge a mapping into %s set by an earlier version", e.Name, what, c.path, c.onto())
		}
	}
	if c := updateInto(args, update, ""); c != nil {
		return nil, override, fmt.Errorf("component %q: the versions set key %q to a mapping, but the config holds %s there", e.Name, c.path, c.onto())
	}
	// Of the versions, the config keeps those applied by name (2.0).
	for k := range args {
		if strings.HasPrefix(k, "~") && !slices.Contains(res.Versions, k) {
			delete(args, k)
		}
	}
	res.Config = args
	return res, setter, nil
}

// isMixinVersion reports whether a version string names a mixin: _name_.
func isMixinVersion(s string) bool {
	return len(s) > 2 && strings.HasPrefix(s, "_") && strings.HasSuffix(s, "_")
}

// version returns the patch a version string stands for, a fresh copy:
// a mixin's config for "_name_", the keys of each level for "~a:b", and
// for "~name" the version of that name, with a "~name" nested in the
// versions applied so far (update) merged under it (2.0).
func (p *Project) version(e *entry, name string, args, update map[string]any) (map[string]any, error) {
	if isMixinVersion(name) {
		m := p.mixins.find(name[1 : len(name)-1])
		if m == nil {
			return nil, &wrapError{
				msg: fmt.Sprintf("component %q: version %q: %s", e.Name, name, p.unknownMixin(name[1:len(name)-1])),
				err: ErrUnknownMixin,
			}
		}
		k := copyMap(m.args)
		delete(k, mixinsKey)
		return k, nil
	}
	if !strings.HasPrefix(name, "~") {
		return nil, p.unknownVersion(e, name, args, update)
	}
	if strings.Contains(name, ":") {
		return p.versionPath(e, name, args)
	}
	top, atTop := args[name]
	nested, inUpdate := update[name]
	switch {
	case atTop && inUpdate:
		k := asMap(DeepCopy(nested))
		if c := updateInto(k, asMap(DeepCopy(top)), ""); c != nil {
			return nil, fmt.Errorf("component %q: version %q: key %q: cannot merge a mapping into %s from the nested %s", e.Name, name, c.path, c.onto(), name)
		}
		return k, nil
	case atTop:
		return asMap(DeepCopy(top)), nil
	case inUpdate:
		return asMap(DeepCopy(nested)), nil
	}
	return nil, p.unknownVersion(e, name, args, update)
}

// versionPath looks up "~a:b:c" (2.9.1+): the keys of ~a that are not
// versions, with those of the ~b inside it merged over them, and so on.
func (p *Project) versionPath(e *entry, name string, args map[string]any) (map[string]any, error) {
	out := map[string]any{}
	level := args
	var walked []string
	for seg := range strings.SplitSeq(name[1:], ":") {
		key := "~" + seg
		v, ok := level[key]
		if !ok || seg == "" {
			if len(walked) == 0 {
				return nil, p.unknownVersion(e, name, args, nil)
			}
			return nil, &wrapError{
				msg: fmt.Sprintf("component %q has no version %q: %q holds no version %q%s; versions there: %s",
					e.Name, name, strings.Join(walked, ":"), key, didYouMean(key, versionKeys(level)), orNone(versionKeys(level))),
				err: ErrUnknownVersion,
			}
		}
		walked = append(walked, key)
		level = asMap(v)
		u := map[string]any{}
		for k, x := range level {
			if !strings.HasPrefix(k, "~") {
				u[k] = DeepCopy(x)
			}
		}
		if c := updateInto(out, u, ""); c != nil {
			return nil, fmt.Errorf("component %q: version %q: key %q: cannot merge a mapping into %s", e.Name, name, c.path, c.onto())
		}
	}
	return out, nil
}

// asMap is a version body as a mapping: null is an empty one.
func asMap(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

// versionKeys lists the ~name keys of m, sorted.
func versionKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		if strings.HasPrefix(k, "~") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// unknownVersion is the error for a version the component does not have,
// naming those it has (with the ones nested in the versions applied so
// far) and suggesting the nearest.
func (p *Project) unknownVersion(e *entry, name string, args, update map[string]any) error {
	set := map[string]bool{}
	for _, k := range slices.Concat(versionKeys(args), versionKeys(update)) {
		set[k] = true
	}
	known := slices.Sorted(maps.Keys(set))
	if len(known) == 0 {
		return &wrapError{
			msg: fmt.Sprintf("component %q has no version %q; it declares no versions in %s", e.Name, name, p.File),
			err: ErrUnknownVersion,
		}
	}
	return &wrapError{
		msg: fmt.Sprintf("component %q has no version %q%s; versions in %s: %s",
			e.Name, name, didYouMean(name, known), p.File, strings.Join(known, ", ")),
		err: ErrUnknownVersion,
	}
}

// patchValues converts a patch from Go to plain values (a copy) and reads
// the files it includes.
func (p *Project) patchValues(values map[string]any) (map[string]any, error) {
	m := normalize(values).(map[string]any)
	if !hasInclude(m) {
		return m, nil
	}
	inc := newIncluder(p.Dir, p.File)
	if _, err := inc.expand(&decoder{inc: inc}, m, "", "", nil); err != nil {
		var pe *posError
		if errors.As(err, &pe) && pe.file == "" {
			return nil, errors.New(pe.msg)
		}
		return nil, err
	}
	return m, nil
}

// hasInclude reports whether v holds a "$/file" string, so that patches
// without includes need no includer.
func hasInclude(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.HasPrefix(x, includePrefix)
	case map[string]any:
		for _, item := range x {
			if hasInclude(item) {
				return true
			}
		}
	case []any:
		for _, item := range x {
			if hasInclude(item) {
				return true
			}
		}
	}
	return false
}
