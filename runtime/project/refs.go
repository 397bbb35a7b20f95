package project

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Reference prefixes: "$.a.b" reads from the root of machinable.yaml,
// "$self.a.b" from the component's own patched config.
const (
	rootRef = "$."
	selfRef = "$self."
)

// resolver replaces the references in one component's patched config.
type resolver struct {
	p       *Project
	e       *entry
	self    map[string]any // the patched config, references unresolved
	applied []applied
}

// walk returns a copy of v with its references replaced. While walking
// the config itself (chain empty) path is the key path of v; inside a
// referenced value it stays the key that holds the reference, because
// that is where the user has to look. chain lists the key and the
// references being followed from it, to report cycles.
func (r *resolver) walk(v any, path string, chain []string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		// Sorted, so that the same broken config always reports the same key.
		for _, k := range slices.Sorted(maps.Keys(x)) {
			item := x[k]
			p := path
			if len(chain) == 0 {
				p = joinPath(path, k)
			}
			resolved, err := r.walk(item, p, chain)
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
	for seg := range strings.SplitSeq(rest, ".") {
		if seg == "" {
			return nil, r.fail(path, "%s: expected $.path or $self.path with keys separated by single dots", what)
		}
		if s, ok := cur.(string); ok && isReference(s) {
			v, err := r.ref(s, path, chain)
			if err != nil {
				return nil, err
			}
			cur = v
		}
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[seg]
			if !ok {
				return nil, r.fail(path, "%s: no key %q in %s (keys: %s)", what, seg, at, keyList(c))
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil, r.fail(path, "%s: no index %q in %s, a list of %d items", what, seg, at, len(c))
			}
			cur = c[i]
		default:
			return nil, r.fail(path, "%s: cannot look up %q in %s, which is %s, not a mapping or list", what, seg, at, describe(cur))
		}
		at += "." + seg
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

// fail reports an error about the reference held by key path: at the line
// where the key was written (the last patch that set it wins), or naming
// the patch when the key came from Go.
func (r *resolver) fail(path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	for i := len(r.applied) - 1; i >= 0; i-- {
		a := r.applied[i]
		if a.version != nil {
			if at, ok := a.version.pos[path]; ok {
				return errorAt(at.file, at.line, "component %q: key %q: %s", r.e.Name, path, msg)
			}
			continue
		}
		if hasPath(a.values, path) {
			return errorAt(r.p.File, 0, "component %q: key %q (set by patch %d): %s", r.e.Name, path, a.index, msg)
		}
	}
	if at, ok := r.e.pos[path]; ok {
		return errorAt(at.file, at.line, "component %q: key %q: %s", r.e.Name, path, msg)
	}
	return errorAt(r.p.File, r.e.Line, "component %q: key %q: %s", r.e.Name, path, msg)
}

// hasPath reports whether the key path exists in v.
func hasPath(v any, path string) bool {
	for seg := range strings.SplitSeq(path, ".") {
		switch c := v.(type) {
		case map[string]any:
			x, ok := c[seg]
			if !ok {
				return false
			}
			v = x
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return false
			}
			v = c[i]
		default:
			return false
		}
	}
	return true
}
