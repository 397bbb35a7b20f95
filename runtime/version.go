package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/machinable-go/machinable/internal/suggest"

	"github.com/machinable-go/machinable/internal/jsonvalue"

	"github.com/machinable-go/machinable/runtime/project"
	"github.com/machinable-go/machinable/tune"
)

// VersionKind names the forms of the version language (SPEC §3.1).
type VersionKind string

const (
	// VersionDefault is None: the defaults from machinable.yaml.
	VersionDefault VersionKind = ""
	// VersionPatch is a dict merged deeply into the config.
	VersionPatch VersionKind = "patch"
	// VersionNamed is "~name" or "~a:b", a named version from
	// machinable.yaml, or "_mixin_", the config of a mixin.
	VersionNamed VersionKind = "named"
	// VersionYAML is any other string, parsed as a YAML mapping.
	VersionYAML VersionKind = "yaml"
	// VersionMerge is a tuple: each element applied in order.
	VersionMerge VersionKind = "merge"
	// VersionIterate is a list: one component per element.
	VersionIterate VersionKind = "iterate"
)

// Version is one term of the version language. The zero value means
// "defaults only".
type Version struct {
	Kind   VersionKind    `json:"kind,omitempty"`   // the form, and so which field below is used
	Values map[string]any `json:"values,omitempty"` // VersionPatch: the dict
	Name   string         `json:"name,omitempty"`   // VersionNamed: "~name", tilde included
	YAML   string         `json:"yaml,omitempty"`   // VersionYAML: the document
	Items  []Version      `json:"items,omitempty"`  // VersionMerge and VersionIterate
}

// Patch returns a dict version.
func Patch(values map[string]any) Version { return Version{Kind: VersionPatch, Values: values} }

// Named returns a "~name" version; the tilde is added when missing.
func Named(name string) Version {
	if len(name) == 0 || name[0] != '~' {
		name = "~" + name
	}
	return Version{Kind: VersionNamed, Name: name}
}

// VersionString interprets a string the way the version language does:
// "~name" (or "~a:b") is a named version, "_name_" the config of mixin
// name, anything else a YAML document.
func VersionString(s string) Version {
	if len(s) > 0 && s[0] == '~' || len(s) > 2 && s[0] == '_' && s[len(s)-1] == '_' {
		return Version{Kind: VersionNamed, Name: s}
	}
	return Version{Kind: VersionYAML, YAML: s}
}

// Merge returns a tuple version: the items applied in order.
func Merge(items ...Version) Version { return Version{Kind: VersionMerge, Items: items} }

// Iterate returns a list version: one alternative per item.
func Iterate(items ...Version) Version { return Version{Kind: VersionIterate, Items: items} }

// IsDefault reports whether v adds nothing to the defaults.
func (v Version) IsDefault() bool { return v.Kind == VersionDefault }

// Expand turns a version into its alternatives: each alternative is the
// sequence of patches to apply in order. A list multiplies the
// alternatives, a tuple concatenates them as a cross product.
func (v Version) Expand() ([][]project.Patch, error) {
	switch v.Kind {
	case VersionDefault:
		return [][]project.Patch{nil}, nil
	case VersionPatch:
		return [][]project.Patch{{{Values: v.Values}}}, nil
	case VersionNamed:
		return [][]project.Patch{{{Version: v.Name}}}, nil
	case VersionYAML:
		values, err := project.ParseYAMLPatch(v.YAML)
		if err != nil {
			return nil, &yamlVersionError{yaml: v.YAML, err: err}
		}
		return [][]project.Patch{{{Values: values}}}, nil
	case VersionMerge:
		out := [][]project.Patch{nil}
		for _, item := range v.Items {
			alts, err := item.Expand()
			if err != nil {
				return nil, err
			}
			out = crossPatches(out, alts)
		}
		return out, nil
	case VersionIterate:
		var out [][]project.Patch
		for _, item := range v.Items {
			alts, err := item.Expand()
			if err != nil {
				return nil, err
			}
			out = append(out, alts...)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown version kind %q", v.Kind)
}

// yamlVersionError is a version string that is not a YAML mapping; the
// resolver, which knows the component, suggests a named version for a
// bare word ("mnist" for "~mnist").
type yamlVersionError struct {
	yaml string
	err  error
}

// Error names the version once: the parser's "version YAML, line 1: ..."
// reads "version "x", line 1: ...".
func (e *yamlVersionError) Error() string {
	msg := e.err.Error()
	if rest, ok := strings.CutPrefix(msg, "version YAML"); ok {
		return fmt.Sprintf("version %q%s", e.yaml, rest)
	}
	return fmt.Sprintf("version %q: %s", e.yaml, msg)
}
func (e *yamlVersionError) Unwrap() error { return e.err }

// namedVersionHint suggests the named version a bare word in err may have
// meant: "; did you mean "~mnist"? (a named version starts with ~)", or "".
func namedVersionHint(err error, p *project.Project, component string) string {
	var ye *yamlVersionError
	if p == nil || !errors.As(err, &ye) {
		return ""
	}
	word := strings.TrimSpace(ye.yaml)
	if word == "" || strings.ContainsAny(word, ":{}[],#\n\"' ") {
		return ""
	}
	known, verr := p.Versions(component)
	if verr != nil {
		return ""
	}
	if n := suggest.Nearest("~"+word, known); n != "" {
		return fmt.Sprintf("; did you mean %q? (a named version starts with ~)", n)
	}
	return ""
}

// crossPatches appends every alternative of b to every alternative of a.
func crossPatches(a, b [][]project.Patch) [][]project.Patch {
	out := make([][]project.Patch, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			seq := make([]project.Patch, 0, len(x)+len(y))
			seq = append(append(seq, x...), y...)
			out = append(out, seq)
		}
	}
	return out
}

// String renders the version in the script's notation.
func (v Version) String() string {
	switch v.Kind {
	case VersionDefault:
		return "None"
	case VersionPatch:
		b, err := appendPatchText(nil, v.Values)
		if err != nil {
			return fmt.Sprint(v.Values)
		}
		return string(b)
	case VersionNamed:
		return fmt.Sprintf("%q", v.Name)
	case VersionYAML:
		return fmt.Sprintf("%q", v.YAML)
	case VersionMerge, VersionIterate:
		open, close := "(", ")"
		if v.Kind == VersionIterate {
			open, close = "[", "]"
		}
		s := open
		for i, item := range v.Items {
			if i > 0 {
				s += ", "
			}
			s += item.String()
		}
		if v.Kind == VersionMerge && len(v.Items) == 1 {
			s += ","
		}
		return s + close
	}
	return string(v.Kind)
}

// appendPatchText writes a patch as compact JSON, but for search spaces,
// which are written as the calls that make them (tune.uniform(0, 1)):
// what a script wrote, not how a plan stores it.
func appendPatchText(b []byte, v any) ([]byte, error) {
	if call, ok := tune.Call(v); ok {
		return append(b, call...), nil
	}
	switch x := v.(type) {
	case map[string]any:
		b = append(b, '{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				b = append(b, ',')
			}
			key, err := json.Marshal(k)
			if err != nil {
				return b, err
			}
			b = append(append(b, key...), ':')
			if b, err = appendPatchText(b, x[k]); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, item := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendPatchText(b, item); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	}
	data, err := json.Marshal(jsonvalue.KeepFloats(v))
	return append(b, data...), err
}
