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

	root    map[string]any    // the whole document, includes applied, for $.path
	entries map[string]*entry // by full name
	aliases map[string]*entry // by alias
	names   []string          // full names and aliases, sorted
}

// Component is a component declared in machinable.yaml.
type Component struct {
	// Name is the full name: the group prefix applied, without alias or
	// parent ("models.baseline").
	Name string
	// Module is the dotted path of the component's code, relative to the
	// project directory ("models.baseline" lives in models/baseline.star).
	Module string
	// Alias is the short name from a "long.module.name=short" key, or "".
	Alias string
	// Parent is the full name of the component this one inherits from
	// ("child^parent"), or "". A parent written as an alias is resolved.
	Parent string
	// Line is the line of the component's key in machinable.yaml.
	Line int
}

// entry is a component with everything Load worked out about it.
type entry struct {
	Component
	key       string // the key as written ("x=y^z"), for messages
	group     string
	parentKey string // the parent as written

	own         map[string]any // own config without versions
	ownPos      positions
	ownVersions map[string]*version

	// Filled in by inheritance; defaults and versions include the parent's.
	defaults map[string]any
	pos      positions
	versions map[string]*version
	state    resolveState
}

// version is a named patch ("~mnist") declared in a component's config.
type version struct {
	values map[string]any
	pos    positions // key paths relative to the version
}

type resolveState int

const (
	unresolved resolveState = iota
	resolving
	resolved
)

// Load parses and checks dir/machinable.yaml: component keys, groups,
// aliases, parents, versions and includes. References are checked by
// Config, because patches may change what they point to.
func Load(dir string) (*Project, error) {
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
		Dir:     abs,
		File:    file,
		root:    map[string]any{},
		entries: map[string]*entry{},
		aliases: map[string]*entry{},
	}
	if err := p.parse(doc); err != nil {
		return nil, err
	}
	return p, nil
}

// Names returns the declared component names, full names and aliases,
// sorted.
func (p *Project) Names() []string {
	return slices.Clone(p.names)
}

// Component returns the component declared under name, a full name or an
// alias. An unknown name gives an error that wraps ErrUnknownComponent and
// suggests the nearest known name.
func (p *Project) Component(name string) (*Component, error) {
	e, err := p.lookup(name)
	if err != nil {
		return nil, err
	}
	c := e.Component
	return &c, nil
}

// Versions returns the names of the versions ("~mnist") that name can use,
// its own and those inherited from its parents, sorted.
func (p *Project) Versions(name string) ([]string, error) {
	e, err := p.lookup(name)
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(e.versions)), nil
}

func (p *Project) lookup(name string) (*entry, error) {
	if e, ok := p.entries[name]; ok {
		return e, nil
	}
	if e, ok := p.aliases[name]; ok {
		return e, nil
	}
	if len(p.names) == 0 {
		return nil, &wrapError{
			msg: fmt.Sprintf("unknown component %q; no components are declared in %s", name, p.File),
			err: ErrUnknownComponent,
		}
	}
	return nil, &wrapError{
		msg: fmt.Sprintf("unknown component %q%s; known components in %s: %s",
			name, didYouMean(name, p.names), p.File, strings.Join(p.names, ", ")),
		err: ErrUnknownComponent,
	}
}

// version finds a named version of e, its own or a parent's.
func (p *Project) version(e *entry, name string) (*version, error) {
	if v, ok := e.versions[name]; ok {
		return v, nil
	}
	known := slices.Sorted(maps.Keys(e.versions))
	if len(known) == 0 {
		return nil, &wrapError{
			msg: fmt.Sprintf("component %q has no version %q; it declares no versions in %s", e.Name, name, p.File),
			err: ErrUnknownVersion,
		}
	}
	return nil, &wrapError{
		msg: fmt.Sprintf("component %q has no version %q%s; versions in %s: %s",
			e.Name, name, didYouMean(name, known), p.File, strings.Join(known, ", ")),
		err: ErrUnknownVersion,
	}
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
