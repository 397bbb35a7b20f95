package project

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// srcPos is where a config key was written, for error messages about
// values that are only checked later (references).
type srcPos struct {
	file string
	line int
}

// positions maps a key path ("model.lr", "layers.0") to where it was
// written.
type positions map[string]srcPos

// posError is an error at a place in a file. Callers add what they know
// about the place (the component) with withContext.
type posError struct {
	file string
	line int
	msg  string
}

// Error is "file:line: message", or "file: message" without a line.
func (e *posError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg)
	}
	return fmt.Sprintf("%s: %s", e.file, e.msg)
}

func newPosError(file string, line int, format string, args ...any) *posError {
	return &posError{file: file, line: line, msg: fmt.Sprintf(format, args...)}
}

// withContext puts ctx (like `component "x"`) after the position of a
// posError, so the message still starts with file:line.
func withContext(err error, ctx string) error {
	if pe, ok := err.(*posError); ok {
		return &posError{file: pe.file, line: pe.line, msg: ctx + ": " + pe.msg}
	}
	return fmt.Errorf("%s: %w", ctx, err)
}

// keyPrefix names a key path in a message; the root of a value has none.
// A very long path (a deeply nested value) is shortened in the middle.
func keyPrefix(path string) string {
	if path == "" {
		return ""
	}
	return fmt.Sprintf("key %q: ", shortPath(path))
}

// shortPath keeps the start and the end of a key path longer than 100
// characters.
func shortPath(path string) string {
	if len(path) <= 100 {
		return path
	}
	return path[:60] + "..." + path[len(path)-37:]
}

// joinPath appends a key or list index to a key path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Limits on what a small YAML document can make the decoder build. A
// document is read into a tree of nodes first, whose size follows the
// size of the text; aliases (*name) and includes ($/file) copy nodes, so
// a few lines of nested aliases (a "billion laughs") would expand to
// billions of values.
const (
	// MaxExpandedNodes is the most values that aliases and includes may
	// produce in one machinable.yaml (with everything it includes) or one
	// version string.
	MaxExpandedNodes = 1_000_000
	// MaxDepth is how deeply mappings and lists may nest, includes
	// counted. The YAML parser itself stops at 10,000 levels.
	MaxDepth = 1000
)

// expansion counts the values that aliases, includes, references and
// inheritance produce while one machinable.yaml (or one version string)
// is read, against MaxExpandedNodes.
type expansion struct{ n int }

// expansionLimit is MaxExpandedNodes; tests lower it.
var expansionLimit = MaxExpandedNodes

// add counts n more values and reports whether the budget is exceeded.
func (x *expansion) add(n int) bool {
	x.n += n
	return x.n > expansionLimit
}

// expansionMsg is the refusal of a document that expands too much.
func expansionMsg() string {
	return fmt.Sprintf("the aliases (*name), includes ($/file), references ($.x, $self.x) and inheritance (child^parent) expand to more than %d values: expected a configuration that is not multiplied by nesting them", expansionLimit)
}

// decoder turns yaml.Node trees into plain config values, records where
// each key was written and replaces $/file includes.
type decoder struct {
	inc    *includer    // nil: includes are left as strings
	active []*yaml.Node // nodes being decoded, to refuse an alias to one of them

	expanding int        // aliases and includes being decoded
	exp       *expansion // what they produced; nil: a budget of its own
}

// count adds n values produced by an alias or include to the budget.
func (d *decoder) count(n int, file string, line int, path string) error {
	if d.expanding == 0 {
		return nil
	}
	if d.exp == nil {
		d.exp = &expansion{}
	}
	if d.exp.add(n) {
		return newPosError(file, line, "%s%s", keyPrefix(path), expansionMsg())
	}
	return nil
}

// decode converts n, which was read from file, into a plain value. path is
// the key path of n, used for positions and messages; pos may be nil.
func (d *decoder) decode(n *yaml.Node, file, path string, pos positions) (any, error) {
	switch n.Kind {
	case 0:
		return nil, nil // an empty document
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return d.decode(n.Content[0], file, path, pos)
	case yaml.AliasNode:
		if slices.Contains(d.active, n.Alias) {
			return nil, newPosError(file, n.Line, "%srecursive YAML alias *%s", keyPrefix(path), n.Value)
		}
		d.expanding++
		defer func() { d.expanding-- }()
		return d.decode(n.Alias, file, path, pos)
	}
	if err := d.count(1, file, n.Line, path); err != nil {
		return nil, err
	}
	if n.Kind == yaml.ScalarNode {
		return d.scalar(n, file, path, pos)
	}
	if len(d.active) >= MaxDepth {
		return nil, newPosError(file, n.Line, "%snested deeper than %d levels: expected at most %d levels of mappings and lists", keyPrefix(path), MaxDepth, MaxDepth)
	}
	// Only collections can contain an alias to themselves.
	d.active = append(d.active, n)
	defer func() { d.active = d.active[:len(d.active)-1] }()
	switch n.Kind {
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, item := range n.Content {
			p := joinPath(path, strconv.Itoa(i))
			if pos != nil {
				pos[p] = srcPos{file, item.Line}
			}
			v, err := d.decode(item, file, p, pos)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case yaml.MappingNode:
		return d.mapping(n, file, path, pos)
	}
	return nil, newPosError(file, n.Line, "%sunsupported YAML node", keyPrefix(path))
}

// mapping decodes a YAML mapping. Duplicate keys are errors (yaml.Node
// keeps them silently), and "<<" merge keys work as in YAML 1.1: explicit
// keys win over merged ones, earlier merge sources over later ones.
func (d *decoder) mapping(n *yaml.Node, file, path string, pos positions) (map[string]any, error) {
	out := make(map[string]any, len(n.Content)/2)
	var merges []*yaml.Node
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if isMergeKey(kn) {
			merges = append(merges, vn)
			continue
		}
		key, err := configKey(kn, file, path)
		if err != nil {
			return nil, err
		}
		if first, dup := seen[key]; dup {
			return nil, newPosError(file, kn.Line, "%sduplicate key %q (first at line %d)", keyPrefix(path), key, first)
		}
		seen[key] = kn.Line
	}
	for _, m := range merges {
		if err := d.merge(out, m, file, path, pos); err != nil {
			return nil, err
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if isMergeKey(kn) {
			continue
		}
		key, _ := configKey(kn, file, path)
		p := joinPath(path, key)
		if pos != nil {
			pos[p] = srcPos{file, kn.Line}
		}
		v, err := d.decode(vn, file, p, pos)
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
	return out, nil
}

// merge adds the keys of a "<<" value (a mapping or a list of mappings)
// that out does not have yet.
func (d *decoder) merge(out map[string]any, n *yaml.Node, file, path string, pos positions) error {
	sources := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		sources = n.Content
	}
	for _, s := range sources {
		v, err := d.decode(s, file, path, pos)
		if err != nil {
			return err
		}
		m, ok := v.(map[string]any)
		if !ok {
			return newPosError(file, s.Line, "%sexpected a mapping (or a list of mappings) after <<, got %s", keyPrefix(path), describe(v))
		}
		for k, x := range m {
			if _, exists := out[k]; !exists {
				out[k] = x
			}
		}
	}
	return nil
}

func isMergeKey(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "<<" && n.ShortTag() == "!!merge"
}

// keyString gives the key as written: non-string keys (1, true, 2.5)
// become their text, since config keys are strings.
func keyString(n *yaml.Node, file, path string) (string, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		return "", newPosError(file, n.Line, "%sexpected a scalar mapping key, got a %s", keyPrefix(path), kindName(n.Kind))
	}
	return n.Value, nil
}

// isPlain reports whether n is a plain scalar: not quoted, not a block
// scalar and without an explicit tag, so that its type comes from its text.
func isPlain(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode &&
		n.Style&(yaml.TaggedStyle|yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
}

// scalar decodes a scalar as PyYAML's SafeLoader does (YAML 1.1 rules and
// machinable's float resolver); integers become int64. Strings starting
// with $/ are includes.
func (d *decoder) scalar(n *yaml.Node, file, path string, pos positions) (any, error) {
	tag := n.ShortTag()
	if isPlain(n) {
		tag = ""
	}
	if (tag == "" || tag == "!!str") && d.inc != nil && strings.HasPrefix(n.Value, includePrefix) {
		return d.inc.include(d, n.Value, file, n.Line, path, pos)
	}
	if tag == "!include" && d.inc != nil {
		// 2.x's explicit form: !include configs/data.yaml
		return d.inc.include(d, includePrefix+strings.TrimPrefix(n.Value, includePrefix), file, n.Line, path, pos)
	}
	if tag == "" {
		v, err := resolvePlain(n.Value)
		if err != nil {
			return nil, newPosError(file, n.Line, "%s%v", keyPrefix(path), err)
		}
		return v, nil
	}
	v, ok, err := tagged(tag, n.Value)
	if err != nil {
		return nil, newPosError(file, n.Line, "%s%s: %v", keyPrefix(path), tag, err)
	}
	if ok {
		return v, nil
	}
	// !!str, !!binary, !!timestamp and custom tags: configs hold plain
	// values, so keep the text as written.
	return n.Value, nil
}

// configKey gives a config key as text. A plain key is read as a value
// first, as PyYAML does, and a non-string value becomes the text JSON
// gives it (yes: and true: are "true", 0x10: is "16", ~: is "null"), so
// the key is the one 2.x writes to component.json.
func configKey(n *yaml.Node, file, path string) (string, error) {
	key, err := keyString(n, file, path)
	if err != nil {
		return "", err
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	var v any = key
	if isPlain(n) {
		v, err = resolvePlain(key)
	} else if tv, ok, terr := tagged(n.ShortTag(), key); ok {
		v, err = tv, terr
	}
	if err != nil {
		return key, nil // a number too large for a value is still a key
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return jsonKey(v), nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}

// describe names the kind of a plain value for "expected ..., got ..."
// messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("a %T", v)
}
