package project

import (
	"fmt"
	"regexp"
	"strings"
)

// componentKey is a component key of machinable.yaml taken apart:
// NAME[^PARENT][=ALIAS] (2.x's order) or NAME[=ALIAS][^PARENT], e.g.
// "long.module.name^base=short". NAME may be empty when a parent is given
// ("^base=fast"): the component then reuses the parent's code.
type componentKey struct {
	name, alias, parent string
}

// namePattern is a dotted module path; parts may hold letters, digits,
// "_" and "-" (the module file is NAME with dots as directories).
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)

const keySyntax = "NAME[^PARENT][=ALIAS] with dotted names of letters, digits, _ and -"

func parseComponentKey(key string) (componentKey, error) {
	var k componentKey
	if strings.Count(key, "^") > 1 || strings.Count(key, "=") > 1 {
		return k, fmt.Errorf("expected %s, with at most one ^ and one =", keySyntax)
	}
	rest := key
	caret, eq := strings.IndexByte(rest, '^'), strings.IndexByte(rest, '=')
	if eq >= 0 && caret > eq {
		// NAME=ALIAS^PARENT
		rest, k.parent = rest[:caret], rest[caret+1:]
		rest, k.alias = rest[:eq], rest[eq+1:]
	} else {
		// NAME^PARENT=ALIAS, as 2.x splits it: the alias first.
		if eq >= 0 {
			rest, k.alias = rest[:eq], rest[eq+1:]
		}
		if caret >= 0 {
			rest, k.parent = rest[:caret], rest[caret+1:]
		}
	}
	if caret >= 0 && !namePattern.MatchString(strings.TrimPrefix(k.parent, "+.")) {
		return k, fmt.Errorf("invalid parent %q: expected %s", k.parent, keySyntax)
	}
	if eq >= 0 && !namePattern.MatchString(k.alias) {
		return k, fmt.Errorf("invalid alias %q: expected %s", k.alias, keySyntax)
	}
	k.name = rest
	if k.name == "" && k.parent != "" {
		if k.alias == "" {
			return k, fmt.Errorf("a component without a name reuses its parent's code and needs an alias to be found by: ^%s=ALIAS", k.parent)
		}
		return k, nil
	}
	if !namePattern.MatchString(strings.TrimPrefix(k.name, "+.")) {
		return k, fmt.Errorf("invalid name %q: expected %s", k.name, keySyntax)
	}
	return k, nil
}

// section is a top-level key that declares components or mixins:
// "components", "components:GROUP" or "components:GROUP=ALIAS" (and the
// same with "mixins").
type section struct {
	ns    *namespace
	group string // "" outside groups
	alias string // names the section among its kind: GROUP, or the ALIAS given
	// auto is the prefix that names may drop: the group, or "mixins" in
	// the plain mixins: section (2.x lets "mixins.x" be found as "x").
	auto string
}

// parseSectionKey recognizes a components or mixins section key; ok is
// false for any other top-level key.
func (p *Project) parseSectionKey(key string) (s section, ok bool, err error) {
	for _, ns := range []*namespace{p.components, p.mixins} {
		if key == ns.plural {
			s = section{ns: ns, alias: ns.plural}
			if ns == p.mixins {
				s.auto = ns.plural
			}
			return s, true, nil
		}
		rest, found := strings.CutPrefix(key, ns.plural+":")
		if !found {
			continue
		}
		group, alias, hasAlias := strings.Cut(rest, "=")
		if !namePattern.MatchString(group) {
			return s, true, fmt.Errorf("invalid group %q: expected %s:GROUP with a dotted name of letters, digits, _ and -", group, ns.plural)
		}
		if !hasAlias {
			alias = group
		} else if !isIdentifier(alias) {
			return s, true, fmt.Errorf("invalid section alias %q: expected %s:GROUP=ALIAS with ALIAS a name of letters, digits and _", alias, ns.plural)
		}
		return section{ns: ns, group: group, alias: alias, auto: group}, true, nil
	}
	return s, false, nil
}

// scoped puts the group prefix in front of name, unless it is there
// already (2.x's auto_scope).
func scoped(name, group string) string {
	if group == "" || strings.HasPrefix(name, group+".") || strings.HasPrefix(name, "+.") {
		return name
	}
	return group + "." + name
}
