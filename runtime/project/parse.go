package project

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/machinable-go/machinable/internal/suggest"
	"go.yaml.in/yaml/v3"
)

// parse reads the components and mixins sections of the document, then
// resolves inheritance and references of every entry, in file order.
func (p *Project) parse(doc *yaml.Node) error {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind == 0 || root.Kind == yaml.DocumentNode || root.ShortTag() == "!!null" {
		p.components.finish()
		p.mixins.finish()
		return nil // an empty file declares no components
	}
	if root.Kind != yaml.MappingNode {
		return errorAt(p.File, root.Line, "expected a mapping at the top level (components: and other sections), got a %s", kindName(root.Kind))
	}
	p.exp = &expansion{}
	d := &decoder{inc: newIncluder(p.Dir, p.File), exp: p.exp}
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
		sec, ok, err := p.parseSectionKey(key)
		if err != nil {
			return errorAt(p.File, kn.Line, "%v", err)
		}
		if ok {
			if line, dup := sec.ns.sections[sec.alias]; dup {
				return errorAt(p.File, kn.Line, "section %q: alias %q is already used by the %s section at line %d (give one of them another =ALIAS)", key, sec.alias, sec.ns.plural, line)
			}
			sec.ns.sections[sec.alias] = kn.Line
			if err := p.parseSection(d, key, sec, vn); err != nil {
				return err
			}
			continue
		}
		name, _, _ := strings.Cut(key, ":")
		switch {
		case key == ImportKey:
			if err := p.loadImports(vn); err != nil {
				return err
			}
		case key == "_evaluate":
			v, err := d.decode(vn, p.File, key, nil)
			if err != nil {
				return err
			}
			p.evaluate, p.hasEvaluate = v, true
		case name != "components" && suggest.Distance(name, "components") <= 2:
			// Other top-level keys are free-form data for $. references,
			// but a near miss of "components" is almost surely a typo that
			// would otherwise silently declare nothing.
			return errorAt(p.File, kn.Line, "top-level key %q: did you mean \"components\"?", key)
		case name != "mixins" && suggest.Distance(name, "mixins") <= 1:
			return errorAt(p.File, kn.Line, "top-level key %q: did you mean \"mixins\"?", key)
		}
	}
	p.components.finish()
	p.mixins.finish()

	// The root for $. references: the whole document as written.
	v, err := d.decode(root, p.File, "", nil)
	if err != nil {
		return err
	}
	p.root = v.(map[string]any)

	all := slices.Concat(p.components.order, p.mixins.order)
	slices.SortStableFunc(all, func(a, b *entry) int { return a.Line - b.Line })
	for _, e := range all {
		if err := p.resolve(e, nil); err != nil {
			return err
		}
	}
	return nil
}

// parseSection reads one section: a list of single-key mappings (the
// machinable form), or a mapping.
func (p *Project) parseSection(d *decoder, key string, sec section, n *yaml.Node) error {
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
				// "- name" without a colon: an entry with empty config.
				if err := p.addEntry(d, sec, item, nil); err != nil {
					return err
				}
			case item.Kind == yaml.MappingNode && len(item.Content) == 2:
				if err := p.addEntry(d, sec, item.Content[0], item.Content[1]); err != nil {
					return err
				}
			case item.Kind == yaml.MappingNode:
				keys := make([]string, 0, len(item.Content)/2)
				for i := 0; i < len(item.Content); i += 2 {
					keys = append(keys, item.Content[i].Value)
				}
				return errorAt(p.File, item.Line, "%q: expected one %s per list item (- name: {config}), got %d keys: %s (is the config indented under the name?)",
					key, sec.ns.kind, len(keys), strings.Join(keys, ", "))
			default:
				return errorAt(p.File, item.Line, "%q: expected a list item of the form - name: {config}, got a %s", key, kindName(item.Kind))
			}
		}
		return nil
	case n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := p.addEntry(d, sec, n.Content[i], n.Content[i+1]); err != nil {
				return err
			}
		}
		return nil
	}
	return errorAt(p.File, n.Line, "%q: expected a list of %s (- name: {config}) or a mapping of name: config, got a %s", key, sec.ns.plural, kindName(n.Kind))
}

// addEntry registers the component or mixin declared by key node kn with
// config node vn (nil for none), and reads and checks its own config.
func (p *Project) addEntry(d *decoder, sec section, kn, vn *yaml.Node) error {
	ns := sec.ns
	key, err := keyString(kn, p.File, "")
	if err != nil {
		return err
	}
	ck, err := parseComponentKey(key)
	if err != nil {
		return errorAt(p.File, kn.Line, "%s %q: %v", ns.kind, key, err)
	}
	e := &entry{
		ns:        ns,
		key:       key,
		group:     sec.group,
		parentKey: ck.parent,
		ownPos:    positions{},
	}
	alias := ck.alias
	if ck.name == "" {
		// "^parent=alias": the alias names it, the code is the parent's.
		ck.name, alias, e.reuse = alias, "", true
	}
	name := scoped(ck.name, sec.group)
	e.Component = Component{Name: name, Module: name, Alias: alias, Line: kn.Line}
	if other := ns.declared(name); other != nil {
		return errorAt(p.File, kn.Line, "%s %q: name %q is already declared at line %d", ns.kind, key, name, other.Line)
	}
	ns.entries[name] = e
	if alias != "" {
		sa := scoped(alias, sec.group)
		if sa != name {
			if other := ns.declared(sa); other != nil {
				return errorAt(p.File, kn.Line, "%s %q: alias %q is already declared at line %d", ns.kind, key, sa, other.Line)
			}
			ns.aliases[sa] = e
		}
		if sa != alias {
			e.short = append(e.short, alias)
		}
	}
	if sec.auto != "" {
		if s, ok := strings.CutPrefix(name, sec.auto+"."); ok {
			e.short = append(e.short, s)
		}
	}
	if e.reuse && sec.group != "" {
		e.short = append(e.short, ck.name)
	}
	ns.order = append(ns.order, e)

	var cfg any
	if vn != nil {
		cfg, err = d.decode(vn, p.File, "", e.ownPos)
		if err != nil {
			return withContext(err, e.what())
		}
	}
	own, ok := cfg.(map[string]any)
	switch {
	case cfg == nil:
		own = map[string]any{}
	case !ok:
		return errorAt(p.File, vn.Line, "%s: expected a mapping of config keys, got %s", e.what(), describe(cfg))
	}
	if wantsUnflatten(own) {
		flat, ferr := unflatten(own)
		if ferr != nil {
			return p.entryError(e, e.ownPos, ferr.key, "%v", ferr)
		}
		own = flat
	}
	e.own = own
	return p.checkKeys(e, own, "", 0)
}

// entryError reports a problem with key path of e at the line where the
// key was written.
func (p *Project) entryError(e *entry, pos positions, path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if at, ok := pos[path]; ok {
		return errorAt(at.file, at.line, "%s: %s", e.what(), msg)
	}
	return errorAt(p.File, e.Line, "%s: %s", e.what(), msg)
}

// Keys that 2.x's config objects use themselves: a config may not use
// them (_evaluate may, at the top of a component or a version, where it
// turns config methods off).
var reservedKeys = []string{"_map", "_dynamic", "_evaluate", "_evaluated"}

// Method names of 2.x's config objects: dot access to such a key is
// ambiguous there, so 2.x warns.
var methodKeys = []string{
	"toDict", "pprint", "items", "next", "empty", "values", "parseOther", "clear", "copy", "get",
	"has_key", "keys", "pop", "popitem", "setdefault", "update", "fromkeys", "bannerStr",
	"_getSubMapStr", "_getSubMapDotList", "_getValueStr", "_getListStr",
}

// checkKeys refuses reserved keys at any depth of v, which is at path;
// level counts the mappings above v that are not versions (0 at the top
// of the config or of a version).
func (p *Project) checkKeys(e *entry, v any, path string, level int) error {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			kp := joinPath(path, k)
			if slices.Contains(reservedKeys, k) && (k != "_evaluate" || level > 0) {
				where := "anywhere in a config"
				if k == "_evaluate" {
					where = "below the top level of a component or version (at the top, _evaluate: false turns config methods off)"
				}
				return p.entryError(e, e.ownPos, kp, "key %q: %q is reserved by machinable %s", kp, k, where)
			}
			if slices.Contains(methodKeys, k) {
				at := e.ownPos[kp]
				p.warnings = append(p.warnings, errorAt(at.file, at.line, "%s: key %q: %q is also a method name of machinable 2.x's config objects, so dot access to it is ambiguous there", e.what(), kp, k).Error())
			}
			next := level + 1
			if strings.HasPrefix(k, "~") && level == 0 {
				next = 0
			}
			if err := p.checkKeys(e, x[k], kp, next); err != nil {
				return err
			}
		}
	case []any:
		for i, item := range x {
			if err := p.checkKeys(e, item, joinPath(path, fmt.Sprint(i)), level+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkVersions checks the versions (~name keys) of a config, and those
// nested in versions: each holds a mapping of config keys (or nothing).
func (p *Project) checkVersions(e *entry, m map[string]any, path string) error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !strings.HasPrefix(k, "~") {
			continue
		}
		kp := joinPath(path, k)
		if k == "~" {
			return p.entryError(e, e.pos, kp, "expected a version name after ~ (like ~mnist)")
		}
		if strings.Contains(k, ":") {
			return p.entryError(e, e.pos, kp, "version %q: a version name cannot hold \":\", which separates nested versions (~a:b)", k)
		}
		v := m[k]
		body, ok := v.(map[string]any)
		switch {
		case v == nil:
			continue
		case !ok:
			return p.entryError(e, e.pos, kp, "version %q: expected a mapping of config keys, got %s", strings.ReplaceAll(kp, ".~", ":"), describe(v))
		}
		if err := p.checkVersions(e, body, kp); err != nil {
			return err
		}
	}
	return nil
}

// resolve computes e's config: the parent's resolved config with e's own
// merged in, then the references replaced. chain holds the entries being
// resolved, to name an inheritance cycle.
func (p *Project) resolve(e *entry, chain []*entry) error {
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
		return errorAt(p.File, e.Line, "%s: inheritance cycle %s", e.what(), strings.Join(names, " -> "))
	}
	merged, pos := copyMap(e.own), e.ownPos
	if strings.HasPrefix(e.Name, "+.") && !e.reuse {
		// +.NAME.x: the vendor's component (or mixin) with this entry's
		// config merged over its own, as 2.x's imports.
		if e.parentKey != "" {
			return errorAt(p.File, e.Line, "%s: a vendor %s cannot also have a parent (^%s)", e.what(), e.ns.kind, e.parentKey)
		}
		ve, err := p.vendorEntry(e.ns, e.Name)
		if err != nil {
			return errorAt(p.File, e.Line, "%v", err)
		}
		e.Module = ve.Module
		merged = ve.args
		if c := updateInto(merged, copyMap(e.own), ""); c != nil {
			return p.entryError(e, e.ownPos, c.path, "key %q: cannot merge a mapping into %s of the vendor's %q", c.path, c.onto(), e.Name)
		}
		pos = maps.Clone(ve.pos)
		maps.Copy(pos, e.ownPos)
	}
	if e.parentKey != "" {
		parent := p.parentOf(e)
		if parent == nil && strings.HasPrefix(e.parentKey, "+.") {
			_, err := p.vendorEntry(e.ns, e.parentKey)
			return errorAt(p.File, e.Line, "%s: unknown parent: %v", e.what(), err)
		}
		if parent == nil {
			candidates := slices.DeleteFunc(slices.Clone(e.ns.names), func(n string) bool { return e.ns.find(n) == e })
			return errorAt(p.File, e.Line, "%s: unknown parent %s %q%s", e.what(), e.ns.kind, e.parentKey, didYouMean(e.parentKey, candidates))
		}
		e.state = resolving
		if err := p.resolve(parent, append(chain, e)); err != nil {
			return err
		}
		e.Parent = parent.Name
		if e.reuse {
			e.Module = parent.Module
		}
		// Inheritance copies the parent's config: a parent made large by
		// aliases, inherited by many children, multiplies it.
		if p.exp.add(countValues(parent.args)) {
			return errorAt(p.File, e.Line, "%s: %s", e.what(), expansionMsg())
		}
		merged = copyMap(parent.args)
		if c := updateInto(merged, copyMap(e.own), ""); c != nil {
			return p.entryError(e, e.ownPos, c.path, "key %q: cannot merge a mapping into %s inherited from %q", c.path, c.onto(), parent.Name)
		}
		pos = maps.Clone(parent.pos)
		maps.Copy(pos, e.ownPos)
	}
	e.pos = pos
	r := &resolver{p: p, e: e, self: merged}
	out, err := r.walk(merged, "", nil)
	if err != nil {
		return err
	}
	e.args = out.(map[string]any)
	if err := p.checkVersions(e, e.args, ""); err != nil {
		return err
	}
	if e.ns == p.components {
		if err := p.checkMixins(e); err != nil {
			return err
		}
	}
	e.state = resolved
	return nil
}

// parentOf looks the parent up in the entry's group first, then by any
// of its names (2.x: the "immediate parent in current scope", then the
// global one).
func (p *Project) parentOf(e *entry) *entry {
	if strings.HasPrefix(e.parentKey, "+.") {
		// Always the vendor's own, as 2.x: not an entry of this file that
		// imports it with config of its own.
		parent, err := p.vendorEntry(e.ns, e.parentKey)
		if err != nil {
			return nil
		}
		return parent
	}
	if parent := e.ns.find(scoped(e.parentKey, e.group)); parent != nil {
		return parent
	}
	return e.ns.find(e.parentKey)
}
