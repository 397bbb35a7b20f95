package project

import (
	"errors"
	"fmt"
	"strings"
)

// Config returns the configuration of component name (a full name or an
// alias) with patches applied: the defaults (parents and includes
// applied, versions removed), each patch merged in order, and then every
// $.path and $self.path reference replaced. References are resolved last
// so that a patch can change what they point to. The result is a fresh
// copy that the caller may modify.
func (p *Project) Config(name string, patches []Patch) (map[string]any, error) {
	e, err := p.lookup(name)
	if err != nil {
		return nil, err
	}
	cfg := copyMap(e.defaults)
	done := make([]applied, 0, len(patches))
	for i, pt := range patches {
		switch {
		case pt.Version != "" && pt.Values != nil:
			return nil, fmt.Errorf("component %q: patch %d: expected either a version (%q) or values, not both", e.Name, i+1, pt.Version)
		case pt.Version != "":
			v, err := p.version(e, pt.Version)
			if err != nil {
				return nil, err
			}
			mergeInto(cfg, copyMap(v.values))
			done = append(done, applied{version: v})
		case pt.Values != nil:
			values, err := p.patchValues(pt.Values)
			if err != nil {
				return nil, fmt.Errorf("component %q: patch %d: %w", e.Name, i+1, err)
			}
			mergeInto(cfg, values)
			done = append(done, applied{values: values, index: i + 1})
		}
	}
	r := &resolver{p: p, e: e, self: cfg, applied: done}
	out, err := r.walk(cfg, "", nil)
	if err != nil {
		return nil, err
	}
	return out.(map[string]any), nil
}

// applied is a patch as Config applied it, kept to find where a key
// holding a broken reference was set.
type applied struct {
	version *version       // a named version, with positions
	values  map[string]any // or values from Go, without
	index   int            // 1-based position of a values patch
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
