package project

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ImportKey is the top-level key of machinable.yaml that lists the
// vendor projects (2.x's "+:").
const ImportKey = "+"

// VendorDir is the directory of a project that holds its vendor
// projects, one directory each.
const VendorDir = "vendor"

// maxVendorDepth bounds vendor projects of vendor projects; directories
// nest, so only a symlink loop could go deeper.
const maxVendorDepth = 16

// Import is a vendor project listed under + in machinable.yaml.
type Import struct {
	// Name is the project's name: its components are +.NAME.component,
	// its files are in vendor/NAME.
	Name string
	// Source is where machinable vendor fetch gets it ("" for none): a
	// git URL (git+https://..., file://..., or any URL git clones) or a
	// local directory.
	Source string
	// Line is the line of the entry in machinable.yaml.
	Line int
}

// Imports returns the vendor projects listed under + in the project's
// machinable.yaml, in file order.
func (p *Project) Imports() []Import { return slices.Clone(p.importList) }

// ReadImports reads the + section of dir/machinable.yaml without loading
// the vendor projects (which may not be there yet).
func ReadImports(dir string) ([]Import, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(abs, FileName)
	doc, err := parseYAMLFile(file)
	if err != nil {
		return nil, err
	}
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == ImportKey {
			return parseImports(file, root.Content[i+1])
		}
	}
	return nil, nil
}

// parseImports reads the + section: a list of names or {name: source}
// mappings (2.x), or a mapping of name: source.
func parseImports(file string, n *yaml.Node) ([]Import, error) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	var out []Import
	seen := map[string]int{}
	add := func(kn, vn *yaml.Node) error {
		name := kn.Value
		if kn.Kind != yaml.ScalarNode || !isIdentifier(strings.ReplaceAll(name, "-", "_")) {
			return errorAt(file, kn.Line, "+: expected a vendor project name (letters, digits, _ and -), got %s", nodeDesc(kn))
		}
		if first, dup := seen[name]; dup {
			return errorAt(file, kn.Line, "+: vendor project %q is already listed at line %d", name, first)
		}
		seen[name] = kn.Line
		imp := Import{Name: name, Line: kn.Line}
		if vn != nil && vn.ShortTag() != "!!null" {
			if vn.Kind != yaml.ScalarNode || vn.ShortTag() != "!!str" {
				return errorAt(file, vn.Line, "+: %s: expected where to fetch it from (a git URL or a directory), got %s", name, nodeDesc(vn))
			}
			imp.Source = vn.Value
		}
		out = append(out, imp)
		return nil
	}
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
		return nil, nil
	case n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			switch {
			case item.Kind == yaml.ScalarNode:
				if err := add(item, nil); err != nil {
					return nil, err
				}
			case item.Kind == yaml.MappingNode && len(item.Content) == 2:
				if err := add(item.Content[0], item.Content[1]); err != nil {
					return nil, err
				}
			default:
				return nil, errorAt(file, item.Line, "+: expected a list item - NAME or - NAME: SOURCE, got %s", nodeDesc(item))
			}
		}
	case n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := add(n.Content[i], n.Content[i+1]); err != nil {
				return nil, err
			}
		}
	default:
		return nil, errorAt(file, n.Line, "+: expected a list of vendor projects (- NAME: SOURCE), got %s", nodeDesc(n))
	}
	return out, nil
}

func nodeDesc(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

// loadImports reads the + section and loads every vendor project from
// vendor/NAME, with its own config, imports and files.
func (p *Project) loadImports(n *yaml.Node) error {
	imps, err := parseImports(p.File, n)
	if err != nil {
		return err
	}
	p.importList = imps
	p.vendors = map[string]*Project{}
	for _, imp := range imps {
		dir := filepath.Join(p.Dir, VendorDir, imp.Name)
		if p.depth >= maxVendorDepth {
			return errorAt(p.File, imp.Line, "+: vendor project %q: more than %d levels of vendor projects (a symlink loop?)", imp.Name, maxVendorDepth)
		}
		if !isFile(filepath.Join(dir, FileName)) {
			hint := "run machinable vendor fetch"
			if imp.Source == "" {
				hint = "place the project there"
			}
			// Not fs.ErrNotExist: that would read as this project missing.
			return errorAt(p.File, imp.Line, "+: vendor project %q: no %s in %s (%s)", imp.Name, FileName, dir, hint)
		}
		vp, err := loadAt(dir, p.depth+1)
		if err != nil {
			return fmt.Errorf("%s:%d: +: vendor project %q: %w", p.File, imp.Line, imp.Name, err)
		}
		p.vendors[imp.Name] = vp
		p.warnings = append(p.warnings, vp.warnings...)
	}
	return nil
}

// vendorEntry finds +.NAME.rest (a component or a mixin, like ns) in the
// vendor project NAME. The entry it returns is resolved already (in the
// vendor project, with its own references and parents); its Module is
// the path of its code from this project (vendor.NAME.module), and the
// _mixins_ of a component name the vendor's mixins (+.NAME.mixin).
func (p *Project) vendorEntry(ns *namespace, name string) (*entry, error) {
	rest, ok := strings.CutPrefix(name, "+.")
	if !ok {
		return nil, fmt.Errorf("%q is not a vendor name (+.PROJECT.NAME)", name)
	}
	vname, inner, _ := strings.Cut(rest, ".")
	vp := p.vendors[vname]
	if vp == nil {
		listed := slices.Sorted(maps.Keys(p.vendors))
		if len(listed) == 0 {
			return nil, fmt.Errorf("%s %q: no vendor projects are listed under + in %s", ns.kind, name, p.File)
		}
		return nil, fmt.Errorf("%s %q: %q is not listed under + in %s%s (listed: %s)", ns.kind, name, vname, p.File, didYouMean(vname, listed), strings.Join(listed, ", "))
	}
	vns := vp.components
	if ns.kind == "mixin" {
		vns = vp.mixins
	}
	ve, err := vns.lookup(inner)
	if err != nil {
		return nil, fmt.Errorf("%s %q: vendor project %s: %w", ns.kind, name, vname, err)
	}
	args := copyMap(ve.args)
	if ns.kind == "component" {
		args = vendorMixins(args, vname)
	}
	prefix := VendorDir + "." + vname + "."
	return &entry{
		Component: Component{Name: name, Module: prefix + ve.Module, Line: ve.Line},
		ns:        ns,
		key:       name,
		args:      args,
		pos:       ve.pos,
		state:     resolved,
	}, nil
}

// vendorMixins makes the _mixins_ of a vendor's component (and of its
// versions) name the vendor's mixins: "data" becomes +.NAME.data, still
// reached as self._data_, as 2.x does.
func vendorMixins(args map[string]any, vname string) map[string]any {
	for k, v := range args {
		switch {
		case k == mixinsKey:
			args[k] = vendorMixinList(v, vname)
		case strings.HasPrefix(k, "~"):
			if m, ok := v.(map[string]any); ok {
				args[k] = vendorMixins(m, vname)
			}
		}
	}
	return args
}

func vendorMixinList(v any, vname string) any {
	items, ok := v.([]any)
	if s, isStr := v.(string); isStr {
		items, ok = []any{s}, true
	}
	if !ok {
		return v // checkMixins reports it
	}
	out := make([]any, len(items))
	for i, item := range items {
		switch x := item.(type) {
		case string:
			if x == defaultsMixin || strings.HasPrefix(x, "+.") {
				out[i] = x
				continue
			}
			out[i] = map[string]any{"name": "+." + vname + "." + x, "attribute": "_" + strings.ReplaceAll(x, ".", "_") + "_"}
		case map[string]any:
			m := maps.Clone(x)
			if n, ok := m["name"].(string); ok && !strings.HasPrefix(n, "+.") {
				m["name"] = "+." + vname + "." + n
				if _, has := m["attribute"]; !has {
					m["attribute"] = "_" + strings.ReplaceAll(n, ".", "_") + "_"
				}
			}
			out[i] = m
		default:
			out[i] = item
		}
	}
	return out
}

// findMixin finds a mixin by any of its names, or a vendor's (+.NAME.x).
func (p *Project) findMixin(name string) *entry {
	if m := p.mixins.find(name); m != nil {
		return m
	}
	if strings.HasPrefix(name, "+.") {
		if m, err := p.vendorEntry(p.mixins, name); err == nil {
			return m
		}
	}
	return nil
}
