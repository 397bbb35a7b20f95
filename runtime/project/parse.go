package project

import (
	"fmt"
	"github.com/machinable-go/machinable/internal/suggest"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parse reads the components sections of the document, then inheritance,
// then the whole document for $.path references.
func (p *Project) parse(doc *yaml.Node) error {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind == 0 || root.Kind == yaml.DocumentNode || root.ShortTag() == "!!null" {
		return nil // an empty file declares no components
	}
	if root.Kind != yaml.MappingNode {
		return errorAt(p.File, root.Line, "expected a mapping at the top level (components: and other sections), got a %s", kindName(root.Kind))
	}
	d := &decoder{inc: newIncluder(p.Dir, p.File)}
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		kn, vn := root.Content[i], root.Content[i+1]
		key, err := keyString(kn, p.File, "")
		if err != nil {
			return err
		}
		if first, dup := seen[key]; dup {
			return errorAt(p.File, kn.Line, "duplicate top-level key %q (first at line %d)", key, first)
		}
		seen[key] = kn.Line
		group, ok, err := groupPrefix(key)
		if err != nil {
			return errorAt(p.File, kn.Line, "%v", err)
		}
		if ok {
			if err := p.parseSection(d, key, group, vn); err != nil {
				return err
			}
		} else if section, _, _ := strings.Cut(key, ":"); section != "components" && suggest.Distance(section, "components") <= 2 {
			// Other top-level keys are free-form data for $. references,
			// but a near miss of "components" is almost surely a typo that
			// would otherwise silently declare nothing.
			return errorAt(p.File, kn.Line, "top-level key %q: did you mean \"components\"?", key)
		}
	}
	for _, name := range p.sortedEntries() {
		if err := p.inherit(p.entries[name], nil); err != nil {
			return err
		}
	}
	v, err := d.decode(root, p.File, "", nil)
	if err != nil {
		return err
	}
	p.root = v.(map[string]any)
	p.names = slices.Concat(slices.Collect(maps.Keys(p.entries)), slices.Collect(maps.Keys(p.aliases)))
	slices.Sort(p.names)
	return nil
}

// sortedEntries orders components by line, so errors about inheritance
// are reported for the first component involved.
func (p *Project) sortedEntries() []string {
	return slices.SortedFunc(maps.Keys(p.entries), func(a, b string) int {
		return p.entries[a].Line - p.entries[b].Line
	})
}

// parseSection reads one "components" or "components:GROUP" section: a
// list of single-key mappings (the machinable form), or a mapping.
func (p *Project) parseSection(d *decoder, section, group string, n *yaml.Node) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
		return nil
	case n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			if item.Kind == yaml.AliasNode {
				item = item.Alias
			}
			switch {
			case item.Kind == yaml.ScalarNode && item.ShortTag() == "!!str":
				// "- name" without a colon: a component with empty config.
				if err := p.addComponent(d, group, item, nil); err != nil {
					return err
				}
			case item.Kind == yaml.MappingNode && len(item.Content) == 2:
				if err := p.addComponent(d, group, item.Content[0], item.Content[1]); err != nil {
					return err
				}
			case item.Kind == yaml.MappingNode:
				keys := make([]string, 0, len(item.Content)/2)
				for i := 0; i < len(item.Content); i += 2 {
					keys = append(keys, item.Content[i].Value)
				}
				return errorAt(p.File, item.Line, "%q: expected one component per list item (- name: {config}), got %d keys: %s (is the config indented under the name?)",
					section, len(keys), strings.Join(keys, ", "))
			default:
				return errorAt(p.File, item.Line, "%q: expected a list item of the form - name: {config}, got a %s", section, kindName(item.Kind))
			}
		}
		return nil
	case n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := p.addComponent(d, group, n.Content[i], n.Content[i+1]); err != nil {
				return err
			}
		}
		return nil
	}
	return errorAt(p.File, n.Line, "%q: expected a list of components (- name: {config}) or a mapping of name: config, got a %s", section, kindName(n.Kind))
}

// addComponent registers the component declared by key node kn with
// config node vn (nil for none).
func (p *Project) addComponent(d *decoder, group string, kn, vn *yaml.Node) error {
	key, err := keyString(kn, p.File, "")
	if err != nil {
		return err
	}
	ck, err := parseComponentKey(key)
	if err != nil {
		return errorAt(p.File, kn.Line, "component %q: %v", key, err)
	}
	name := ck.name
	if group != "" {
		name = group + "." + name
	}
	e := &entry{
		Component: Component{Name: name, Module: name, Alias: ck.alias, Line: kn.Line},
		key:       key,
		group:     group,
		parentKey: ck.parent,
		ownPos:    positions{},
	}
	if other := p.declared(name); other != nil {
		return errorAt(p.File, kn.Line, "component %q: name %q is already declared at line %d", key, name, other.Line)
	}
	p.entries[name] = e
	if ck.alias != "" {
		if other := p.declared(ck.alias); other != nil {
			return errorAt(p.File, kn.Line, "component %q: alias %q is already declared at line %d", key, ck.alias, other.Line)
		}
		p.aliases[ck.alias] = e
	}

	var cfg any
	if vn != nil {
		cfg, err = d.decode(vn, p.File, "", e.ownPos)
		if err != nil {
			return withContext(err, fmt.Sprintf("component %q", key))
		}
	}
	own, ok := cfg.(map[string]any)
	switch {
	case cfg == nil:
		own = map[string]any{}
	case !ok:
		return errorAt(p.File, vn.Line, "component %q: expected a mapping of config keys, got %s", key, describe(cfg))
	}
	e.own = own
	e.ownVersions, err = p.splitVersions(e)
	return err
}

// declared finds a component by full name or alias, to refuse a second
// declaration under the same name.
func (p *Project) declared(name string) *entry {
	if e, ok := p.entries[name]; ok {
		return e
	}
	return p.aliases[name]
}

// splitVersions moves the "~name" keys out of e.own: they are named
// patches, not part of the default config.
func (p *Project) splitVersions(e *entry) (map[string]*version, error) {
	versions := map[string]*version{}
	for _, k := range slices.Sorted(maps.Keys(e.own)) {
		v := e.own[k]
		if !strings.HasPrefix(k, "~") {
			continue
		}
		line := e.ownPos[k].line
		if k == "~" {
			return nil, errorAt(p.File, line, "component %q: expected a version name after ~ (like ~mnist)", e.key)
		}
		values, ok := v.(map[string]any)
		switch {
		case v == nil:
			values = map[string]any{}
		case !ok:
			return nil, errorAt(e.ownPos[k].file, line, "component %q: version %q: expected a mapping of config keys, got %s", e.key, k, describe(v))
		}
		ver := &version{values: values, pos: positions{}}
		for path, at := range e.ownPos {
			if rest, ok := strings.CutPrefix(path, k+"."); ok {
				ver.pos[rest] = at
				delete(e.ownPos, path)
			}
		}
		delete(e.ownPos, k)
		delete(e.own, k)
		versions[k] = ver
	}
	return versions, nil
}

// inherit computes e's defaults and versions from its parent chain.
// chain holds the components being resolved, to name a cycle.
func (p *Project) inherit(e *entry, chain []*entry) error {
	switch e.state {
	case resolved:
		return nil
	case resolving:
		i := slices.Index(chain, e)
		names := make([]string, 0, len(chain)-i+1)
		for _, c := range chain[i:] {
			names = append(names, c.Name)
		}
		names = append(names, e.Name)
		return errorAt(p.File, e.Line, "component %q: inheritance cycle %s", e.key, strings.Join(names, " -> "))
	}
	if e.parentKey == "" {
		e.defaults, e.pos, e.versions = e.own, e.ownPos, e.ownVersions
		e.state = resolved
		return nil
	}
	parent := p.parentOf(e)
	if parent == nil {
		candidates := slices.DeleteFunc(slices.Concat(slices.Collect(maps.Keys(p.entries)), slices.Collect(maps.Keys(p.aliases))),
			func(n string) bool { return n == e.Name || n == e.Alias })
		slices.Sort(candidates)
		return errorAt(p.File, e.Line, "component %q: unknown parent component %q%s", e.key, e.parentKey, didYouMean(e.parentKey, candidates))
	}
	e.state = resolving
	if err := p.inherit(parent, append(chain, e)); err != nil {
		return err
	}
	e.Parent = parent.Name
	e.defaults = Merge(parent.defaults, e.own)
	e.pos = maps.Clone(parent.pos)
	maps.Copy(e.pos, e.ownPos)
	e.versions = maps.Clone(parent.versions)
	maps.Copy(e.versions, e.ownVersions)
	e.state = resolved
	return nil
}

// parentOf looks the parent up by full name, then alias, then relative to
// the child's group ("models.child^base" may mean "models.base").
func (p *Project) parentOf(e *entry) *entry {
	if parent := p.declared(e.parentKey); parent != nil {
		return parent
	}
	if e.group != "" {
		return p.entries[e.group+"."+e.parentKey]
	}
	return nil
}
