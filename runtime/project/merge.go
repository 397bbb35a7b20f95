package project

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// mergeConflict is a non-empty mapping merged onto a value that is
// neither a mapping nor null, which 2.x's update_dict refuses.
type mergeConflict struct {
	path string // the key path, dotted
	have any    // the value the mapping met
}

// onto describes the value the mapping met: `an integer (5)`.
func (c *mergeConflict) onto() string {
	return describeValue(c.have)
}

func (c *mergeConflict) Error() string {
	return fmt.Sprintf("key %q: cannot merge a mapping into %s", c.path, c.onto())
}

// describeValue is describe with a short rendering of scalars.
func describeValue(v any) string {
	switch v.(type) {
	case map[string]any, []any, nil:
		return describe(v)
	}
	text, err := json.Marshal(v)
	if err != nil || len(text) > 40 {
		return describe(v)
	}
	return fmt.Sprintf("%s (%s)", describe(v), text)
}

// updateInto merges src into dst in place, as 2.x's update_dict: a
// mapping merges key by key into a mapping (or replaces null, or fills a
// missing key); any other value (lists and null included) replaces what
// was there. A non-empty mapping cannot go onto a scalar or a list; an
// empty one leaves it alone. src must be owned by the caller: its maps
// and lists are moved into dst. path is the key path of dst, for errors.
func updateInto(dst, src map[string]any, path string) *mergeConflict {
	// Sorted, so that the same conflict is always reported first.
	for _, k := range slices.Sorted(maps.Keys(src)) {
		v := src[k]
		sm, isMap := v.(map[string]any)
		if !isMap {
			dst[k] = v
			continue
		}
		switch cur := dst[k].(type) {
		case map[string]any:
			if c := updateInto(cur, sm, joinPath(path, k)); c != nil {
				return c
			}
		case nil:
			dst[k] = sm
		default:
			if len(sm) > 0 {
				return &mergeConflict{path: joinPath(path, k), have: cur}
			}
		}
	}
	return nil
}

// UpdateDict merges patch into a copy of base the way machinable 2.x
// merges versions (update_dict): mappings merge key by key, recursively;
// lists, null and other values replace. Merging a non-empty mapping onto
// a value that is not a mapping (nor null) is an error naming the key.
// Values from Go are converted to the plain config types, as in patches.
// Neither input is modified and the result shares nothing with them.
func UpdateDict(base, patch map[string]any) (map[string]any, error) {
	out, _ := normalize(base).(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	src, _ := normalize(patch).(map[string]any)
	if c := updateInto(out, src, ""); c != nil {
		return nil, c
	}
	return out, nil
}

// truthy is Python's truth value of a config value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return true
}

// wantsUnflatten reports whether the dotted keys of m are to be split:
// unless m sets _unflatten to a false value, as in 2.x.
func wantsUnflatten(m map[string]any) bool {
	v, ok := m["_unflatten"]
	return !ok || truthy(v)
}

// flatError is a dotted key that cannot be unflattened.
type flatError struct {
	key string // the dotted key as written
	msg string
}

func (e *flatError) Error() string { return fmt.Sprintf("dotted key %q: %s", e.key, e.msg) }

// unflatten splits the dotted top-level keys of m ("a.b.c": 1 becomes
// a: {b: {c: 1}}), as 2.2+ does for a component's config and for each
// version. Nested keys are left as they are, as in 2.x. A dotted key
// merges into a mapping written under its first part; setting the same
// key twice, or below a value that is not a mapping, is an error. m is
// consumed.
func unflatten(m map[string]any) (map[string]any, *flatError) {
	var dotted []string
	out := make(map[string]any, len(m))
	for k, v := range m {
		if strings.Contains(k, ".") {
			dotted = append(dotted, k)
			continue
		}
		out[k] = v
	}
	if len(dotted) == 0 {
		return m, nil
	}
	slices.Sort(dotted)
	for _, k := range dotted {
		parts := strings.Split(k, ".")
		if slices.Contains(parts, "") {
			return nil, &flatError{k, "expected names separated by single dots"}
		}
		cur := out
		for i, part := range parts[:len(parts)-1] {
			next, ok := cur[part]
			if !ok {
				next = map[string]any{}
				cur[part] = next
			}
			nm, isMap := next.(map[string]any)
			if !isMap {
				return nil, &flatError{k, fmt.Sprintf("%q is %s, not a mapping", strings.Join(parts[:i+1], "."), describeValue(next))}
			}
			cur = nm
		}
		last := parts[len(parts)-1]
		if _, dup := cur[last]; dup {
			return nil, &flatError{k, fmt.Sprintf("%q is set twice", k)}
		}
		cur[last] = m[k]
	}
	return out, nil
}

// Evaluate reports whether the config methods of a resolved config are to
// be evaluated: unless its _evaluate is a false value (false, 0, null, ""),
// as in 2.x. Config carries a top-level _evaluate of machinable.yaml into
// every component config that does not set its own.
func Evaluate(config map[string]any) bool {
	v, ok := config["_evaluate"]
	return !ok || truthy(v)
}

// Unflatten returns a copy of values with its dotted top-level keys split
// into nested mappings ("model.width": 64 becomes model: {width: 64}), as
// Config does for every patch, unless values sets _unflatten to a false
// value. For patches of components that machinable.yaml does not declare.
func Unflatten(values map[string]any) (map[string]any, error) {
	m, _ := normalize(values).(map[string]any)
	if m == nil {
		return map[string]any{}, nil
	}
	if !wantsUnflatten(m) {
		return m, nil
	}
	out, err := unflatten(m)
	if err != nil {
		return nil, err
	}
	return out, nil
}
