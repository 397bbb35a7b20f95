package project

import (
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// Project is a parsed machinable.yaml. It is read-only after Load and safe
// for concurrent use.
type Project struct {
	// Dir is the absolute project directory; includes are relative to it.
	Dir string
	// File is the absolute path of machinable.yaml.
	File string

	root       map[string]any // the whole document, includes applied, for $.path
	components *namespace
	mixins     *namespace

	// The top-level _evaluate, when the file sets one; it is carried into
	// every component config that does not set its own.
	evaluate    any
	hasEvaluate bool

	warnings []string

	importList []Import            // the + section
	vendors    map[string]*Project // the vendor projects by name
	depth      int                 // 0, 1 for a vendor project, 2 for a vendor's vendor...

	exp *expansion // values expanded while the file is read (Load only)
}

// Component is a component (or a mixin) declared in machinable.yaml.
type Component struct {
	// Name is the full name: the group prefix applied, without alias or
	// parent ("models.baseline").
	Name string
	// Module is the dotted path of the code, relative to the project
	// directory ("models.baseline" lives in models/baseline.star). It is
	// Name, except for a component declared without a name ("^parent=alias"),
	// which uses its parent's code.
	Module string
	// Alias is the short name from a "long.module.name=short" key, as
	// written, or "". Inside a group the alias is registered with the
	// group prefix (GROUP.short) and, when no other component uses it,
	// without.
	Alias string
	// Parent is the full name of the component this one inherits from
	// ("child^parent"), or "". A parent written as an alias is resolved.
	Parent string
	// Line is the line of the component's key in machinable.yaml.
	Line int
}

// entry is a component or mixin with everything Load worked out about it.
type entry struct {
	Component
	ns        *namespace
	key       string // the key as written ("x^y=z"), for messages
	group     string // the section's group, "" outside groups
	parentKey string // the parent as written
	reuse     bool   // declared without a name: Module is the parent's
	short     []string

	own    map[string]any // own config as written (unflattened)
	ownPos positions

	// Filled in when the entry is resolved: the parent's resolved config
	// merged with own, references replaced. Versions (~name) stay in it.
	args  map[string]any
	pos   positions
	state resolveState
}

// what names the entry in messages: `component "x"` or `mixin "x"`.
func (e *entry) what() string {
	return fmt.Sprintf("%s %q", e.ns.kind, e.key)
}

type resolveState int

const (
	unresolved resolveState = iota
	resolving
	resolved
)

// namespace holds the components or the mixins of a project and their
// names.
type namespace struct {
	kind    string            // "component" or "mixin"
	plural  string            // "components" or "mixins"
	entries map[string]*entry // by full name
	aliases map[string]*entry // explicit aliases, group prefix applied
	short   map[string]*entry // names without the group prefix, when free
	order   []*entry          // in the order of the file
	names   []string          // every name that resolves, sorted
	listed  []string          // full names and explicit aliases, sorted, for messages
	file    string

	sections map[string]int // section aliases ("models" for components:models) by line
}

func newNamespace(kind, plural, file string) *namespace {
	return &namespace{
		kind: kind, plural: plural, file: file,
		entries:  map[string]*entry{},
		aliases:  map[string]*entry{},
		short:    map[string]*entry{},
		sections: map[string]int{},
	}
}

// declared finds an entry by full name or explicit alias.
func (ns *namespace) declared(name string) *entry {
	if e, ok := ns.entries[name]; ok {
		return e
	}
	return ns.aliases[name]
}

// find finds an entry by any of its names.
func (ns *namespace) find(name string) *entry {
	if e := ns.declared(name); e != nil {
		return e
	}
	return ns.short[name]
}

// lookup is find with an error that lists the known names and suggests
// the nearest.
func (ns *namespace) lookup(name string) (*entry, error) {
	if e := ns.find(name); e != nil {
		return e, nil
	}
	sentinel := ErrUnknownComponent
	if ns.kind == "mixin" {
		sentinel = ErrUnknownMixin
	}
	if len(ns.names) == 0 {
		return nil, &wrapError{
			msg: fmt.Sprintf("unknown %s %q; no %s are declared in %s", ns.kind, name, ns.plural, ns.file),
			err: sentinel,
		}
	}
	return nil, &wrapError{
		msg: fmt.Sprintf("unknown %s %q%s; known %s in %s: %s",
			ns.kind, name, didYouMean(name, ns.names), ns.plural, ns.file, strings.Join(ns.listed, ", ")),
		err: sentinel,
	}
}

// finish registers the names without group prefix (first come, first
// served, never over a full name or an explicit alias) and sorts the
// names.
func (ns *namespace) finish() {
	for _, e := range ns.order {
		for _, s := range e.short {
			if ns.find(s) == nil {
				ns.short[s] = e
			}
		}
	}
	ns.listed = slices.Concat(slices.Collect(maps.Keys(ns.entries)), slices.Collect(maps.Keys(ns.aliases)))
	slices.Sort(ns.listed)
	ns.names = slices.Concat(ns.listed, slices.Collect(maps.Keys(ns.short)))
	slices.Sort(ns.names)
}

// Load parses and checks dir/machinable.yaml: environment variables,
// component and mixin keys, groups, aliases, parents, versions, includes
// and references, which are resolved here, before any version applies.
func Load(dir string) (*Project, error) {
	return loadAt(dir, 0)
}

func loadAt(dir string, depth int) (*Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("load project %s: %w", dir, err)
	}
	file := filepath.Join(abs, FileName)
	if !isFile(file) {
		return nil, &wrapError{msg: fmt.Sprintf("no %s in %s", FileName, abs), err: fs.ErrNotExist}
	}
	doc, err := parseYAMLFile(file)
	if err != nil {
		return nil, err
	}
	p := &Project{
		Dir:        abs,
		File:       file,
		root:       map[string]any{},
		components: newNamespace("component", "components", file),
		mixins:     newNamespace("mixin", "mixins", file),
		depth:      depth,
	}
	if err := p.parse(doc); err != nil {
		return nil, err
	}
	return p, nil
}

// Names returns every name a component can be found by, sorted: full
// names, aliases and the names without group prefix.
func (p *Project) Names() []string {
	return slices.Clone(p.components.names)
}

// MixinNames returns every name a mixin can be found by, sorted.
func (p *Project) MixinNames() []string {
	return slices.Clone(p.mixins.names)
}

// Component returns the component declared under name: a full name, an
// alias, or a name without its group prefix. An unknown name gives an
// error that wraps ErrUnknownComponent and suggests the nearest known
// name.
func (p *Project) Component(name string) (*Component, error) {
	e, err := p.components.lookup(name)
	if err != nil {
		return nil, err
	}
	c := e.Component
	return &c, nil
}

// Mixin returns the mixin declared under name in the mixins: sections;
// its Module is where its code lives. An unknown name gives an error that
// wraps ErrUnknownMixin.
func (p *Project) Mixin(name string) (*Component, error) {
	e, err := p.mixins.lookup(name)
	if err != nil {
		return nil, err
	}
	c := e.Component
	return &c, nil
}

// Versions returns the names of the versions ("~mnist") that name can use
// by default, sorted: its own, its parents' and those of its mixins.
// Versions nested in other versions are not listed.
func (p *Project) Versions(name string) ([]string, error) {
	e, err := p.components.lookup(name)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for k := range e.args {
		if strings.HasPrefix(k, "~") {
			set[k] = true
		}
	}
	specs, _ := parseMixinList(e.args[mixinsKey])
	for _, s := range specs {
		if m := p.mixins.find(s.name); m != nil {
			for k := range m.args {
				if strings.HasPrefix(k, "~") {
					set[k] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(set)), nil
}

// Warnings returns what Load found questionable but accepted, each
// naming the file and line: config keys that 2.x's config objects also
// use as method names (copy, items, ...).
func (p *Project) Warnings() []string {
	return slices.Clone(p.warnings)
}

// Section returns a top-level section of machinable.yaml other than the
// components (e.g. code_backup:), includes applied; the caller gets a copy.
func (p *Project) Section(key string) (any, bool) {
	v, ok := p.root[key]
	if !ok {
		return nil, false
	}
	return DeepCopy(v), true
}
