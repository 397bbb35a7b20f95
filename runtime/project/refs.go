package project

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Reference prefixes: "$.a.b" reads from the root of machinable.yaml,
// "$self.a.b" from the component's own config. Only a string that starts
// with one of them is a reference.
const (
	rootRef = "$."
	selfRef = "$self."
)

// resolver replaces the references in one entry's config when the file
// is loaded: self is the config after inheritance (the parent's values
// are resolved already, the entry's own values not yet).
type resolver struct {
	p    *Project
	e    *entry
	self map[string]any
}

// walk returns a copy of v with its references replaced. While walking
// the config itself (chain empty) path is the key path of v; inside a
// referenced value it stays the key that holds the reference, because
// that is where the user has to look. chain lists the key and the
// references being followed from it, to report cycles.
func (r *resolver) walk(v any, path string, chain []string) (any, error) {
	// Values inside a referenced value are copies: nested references
	// multiply them, so they count against MaxExpandedNodes.
	if len(chain) > 0 && r.p.exp != nil && r.p.exp.add(1) {
		return nil, r.fail(path, "%s", expansionMsg())
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		// Sorted, so that the same broken config always reports the same key.
		for _, k := range slices.Sorted(maps.Keys(x)) {
			p := path
			if len(chain) == 0 {
				p = joinPath(path, k)
			}
			resolved, err := r.walk(x[k], p, chain)
			if err != nil {
				return nil, err
			}
			out[k] = resolved
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			p := path
			if len(chain) == 0 {
				p = joinPath(path, strconv.Itoa(i))
			}
			resolved, err := r.walk(item, p, chain)
			if err != nil {
				return nil, err
			}
			out[i] = resolved
		}
		return out, nil
	case string:
		if isReference(x) {
			if len(chain) == 0 {
				// The key itself starts the chain, so "a: $self.a" is a
				// cycle and messages read $self.a -> $self.b -> $self.a.
				chain = []string{selfRef + path}
			}
			return r.ref(x, path, chain)
		}
	}
	return v, nil
}

// isReference reports whether s is a $.path or $self.path reference.
func isReference(s string) bool {
	return strings.HasPrefix(s, rootRef) || strings.HasPrefix(s, selfRef)
}

// ref resolves one reference: it looks up the target and resolves the
// references inside the target in turn.
func (r *resolver) ref(ref, path string, chain []string) (any, error) {
	if slices.Contains(chain, ref) {
		return nil, r.fail(path, "reference cycle %s", strings.Join(append(chain, ref), " -> "))
	}
	chain = append(slices.Clip(chain), ref)
	target, err := r.lookup(ref, path, chain)
	if err != nil {
		return nil, err
	}
	return r.walk(target, path, chain)
}

// refStep is one step of a reference path: a key after a dot, or a key
// or index in brackets.
type refStep struct {
	key     string
	bracket bool
}

// steps takes the path of a reference apart: keys separated by dots and
// keys in brackets ($.x[0], $self.x[$.y], $.x[$.y[0]]). A bracket that
// holds a reference stands for its value, as text (2.x formats it with
// Python's str()).
func (r *resolver) steps(ref, rest, path string, chain []string, what string) ([]refStep, error) {
	malformed := func() error {
		return r.fail(path, "%s: expected $.path or $self.path with keys separated by single dots, or in brackets ([0], [$.key])", what)
	}
	var steps []refStep
	segment := func(i int) (int, error) {
		j := i
		for j < len(rest) && !strings.ContainsRune(".[]", rune(rest[j])) {
			j++
		}
		if j == i {
			return 0, malformed()
		}
		steps = append(steps, refStep{key: rest[i:j]})
		return j, nil
	}
	bracket := func(i int) (int, error) {
		depth := 0
		for j := i; j < len(rest); j++ {
			switch rest[j] {
			case '[':
				depth++
			case ']':
				depth--
				if depth > 0 {
					continue
				}
				inner := rest[i+1 : j]
				key := inner
				switch {
				case isReference(inner):
					v, err := r.ref(inner, path, chain)
					if err != nil {
						return 0, err
					}
					switch v.(type) {
					case map[string]any, []any:
						return 0, r.fail(path, "%s: the key in brackets %q is %s, not a key or index", what, inner, describe(v))
					}
					key = pyRepr(v)
				case inner == "" || strings.ContainsAny(inner, "[]"):
					return 0, malformed()
				}
				steps = append(steps, refStep{key: key, bracket: true})
				return j + 1, nil
			}
		}
		return 0, malformed()
	}
	i, err := 0, error(nil)
	if strings.HasPrefix(rest, "[") {
		i, err = bracket(0)
	} else {
		i, err = segment(0)
	}
	for err == nil && i < len(rest) {
		switch rest[i] {
		case '.':
			i, err = segment(i + 1)
		case '[':
			i, err = bracket(i)
		default:
			err = malformed()
		}
	}
	return steps, err
}

// lookup finds the value a reference points to, following references it
// meets on the way ($self.a.x where a is "$self.b").
func (r *resolver) lookup(ref, path string, chain []string) (any, error) {
	// Name the references followed to get here, when there were any.
	what := fmt.Sprintf("reference %q", ref)
	if len(chain) > 2 {
		what += fmt.Sprintf(" (via %s)", strings.Join(chain[1:len(chain)-1], " -> "))
	}
	var cur any = r.p.root
	at, rest := "$", strings.TrimPrefix(ref, rootRef)
	if strings.HasPrefix(ref, selfRef) {
		cur, at, rest = r.self, "$self", strings.TrimPrefix(ref, selfRef)
	}
	steps, err := r.steps(ref, rest, path, chain, what)
	if err != nil {
		return nil, err
	}
	for _, st := range steps {
		if s, ok := cur.(string); ok && isReference(s) {
			v, err := r.ref(s, path, chain)
			if err != nil {
				return nil, err
			}
			cur = v
		}
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[st.key]
			if !ok {
				return nil, r.fail(path, "%s: no key %q in %s (keys: %s)", what, st.key, at, keyList(c))
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(st.key)
			if err != nil || i < 0 || i >= len(c) || strings.HasPrefix(st.key, "+") {
				return nil, r.fail(path, "%s: no index %q in %s, a list of %d items", what, st.key, at, len(c))
			}
			cur = c[i]
		default:
			return nil, r.fail(path, "%s: cannot look up %q in %s, which is %s, not a mapping or list", what, st.key, at, describe(cur))
		}
		if st.bracket {
			at += "[" + st.key + "]"
		} else {
			at += "." + st.key
		}
	}
	return cur, nil
}

// keyList lists the keys of m for "no key" messages, shortened when long.
func keyList(m map[string]any) string {
	if len(m) == 0 {
		return "none"
	}
	keys := slices.Sorted(maps.Keys(m))
	if len(keys) > 12 {
		keys = append(keys[:12], "...")
	}
	return strings.Join(keys, ", ")
}

// fail reports an error about the reference held by key path, at the
// line where the key was written (in machinable.yaml or an included
// file).
func (r *resolver) fail(path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if at, ok := r.e.pos[path]; ok {
		return errorAt(at.file, at.line, "%s: key %q: %s", r.e.what(), path, msg)
	}
	return errorAt(r.p.File, r.e.Line, "%s: key %q: %s", r.e.what(), path, msg)
}
