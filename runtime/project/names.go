package project

import (
	"fmt"
	"regexp"
	"strings"
)

// componentKey is a component key of machinable.yaml taken apart:
// NAME[=ALIAS][^PARENT], e.g. "long.module.name=short^base".
type componentKey struct {
	name, alias, parent string
}

// namePattern is a dotted module path; parts may hold letters, digits,
// "_" and "-" (the module file is NAME with dots as directories).
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)

const keySyntax = "NAME[=ALIAS][^PARENT] with dotted names of letters, digits, _ and -"

func parseComponentKey(key string) (componentKey, error) {
	var k componentKey
	rest := key
	if i := strings.IndexByte(rest, '^'); i >= 0 {
		rest, k.parent = rest[:i], rest[i+1:]
		if !namePattern.MatchString(k.parent) {
			return k, fmt.Errorf("invalid parent %q: expected %s", k.parent, keySyntax)
		}
	}
	if i := strings.IndexByte(rest, '='); i >= 0 {
		rest, k.alias = rest[:i], rest[i+1:]
		if !namePattern.MatchString(k.alias) {
			return k, fmt.Errorf("invalid alias %q: expected %s", k.alias, keySyntax)
		}
	}
	k.name = rest
	if !namePattern.MatchString(k.name) {
		return k, fmt.Errorf("invalid name %q: expected %s", k.name, keySyntax)
	}
	return k, nil
}

// groupPrefix returns the GROUP of a "components:GROUP" section key and
// whether key is a components section at all.
func groupPrefix(key string) (group string, ok bool, err error) {
	if key == "components" {
		return "", true, nil
	}
	group, ok = strings.CutPrefix(key, "components:")
	if !ok {
		return "", false, nil
	}
	if !namePattern.MatchString(group) {
		return "", true, fmt.Errorf("invalid group %q: expected components:GROUP with a dotted name of letters, digits, _ and -", group)
	}
	return group, true, nil
}
