package project

import (
	"bytes"
	"encoding/json"
	"errors"
	goccyparser "github.com/goccy/go-yaml/parser"
	goccytoken "github.com/goccy/go-yaml/token"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// includePrefix starts a string value that stands for the content of a
// file relative to the project directory.
const includePrefix = "$/"

// includer reads included files relative to the project directory and
// keeps the chain of files being included to refuse cycles.
type includer struct {
	dir     string
	dirReal string                // dir with its symbolic links resolved, once needed
	nodes   map[string]*yaml.Node // parsed YAML files by absolute path
	json    map[string]any        // read JSON files by absolute path
	stack   []string              // files being read, outermost first
	inside  map[string]bool       // files found inside the project, links resolved
}

func newIncluder(dir, file string) *includer {
	return &includer{dir: dir, nodes: map[string]*yaml.Node{}, stack: []string{file}, inside: map[string]bool{}, json: map[string]any{}}
}

// include replaces the string ref ("$/configs/data.yaml"), written in file
// at line, by the parsed content of the file it names. Errors name the
// including place first and then what went wrong inside.
func (in *includer) include(d *decoder, ref, file string, line int, path string, pos positions) (any, error) {
	fail := func(format string, args ...any) error {
		return newPosError(file, line, "%sinclude %q: "+format, append([]any{keyPrefix(path), ref}, args...)...)
	}
	rel := strings.TrimPrefix(ref, includePrefix)
	ext := strings.ToLower(filepath.Ext(rel))
	if ext != ".yaml" && ext != ".yml" && ext != ".json" {
		return nil, fail("expected a path to a .yaml, .yml or .json file after %s", includePrefix)
	}
	target := filepath.Join(in.dir, filepath.FromSlash(rel))
	if !within(in.dir, target) {
		return nil, fail("%s is outside the project %s: expected a path inside it", target, in.dir)
	}
	// A symbolic link inside the project may point out of it: the file
	// is checked where it really is. A missing file is reported below.
	if in.inside[target] {
		// checked before
	} else if real, err := filepath.EvalSymlinks(target); err == nil {
		root, err := in.realDir()
		if err != nil {
			return nil, fail("project %s: %v", in.dir, err)
		}
		if real, err = filepath.Abs(real); err != nil {
			return nil, fail("%v", err)
		}
		if !within(root, real) {
			return nil, fail("%s is a symbolic link to %s, outside the project %s: expected a file inside the project", target, real, in.dir)
		}
		in.inside[target] = true
	}
	if i := slices.Index(in.stack, target); i >= 0 {
		chain := make([]string, 0, len(in.stack)-i+1)
		for _, f := range append(in.stack[i:], target) {
			chain = append(chain, in.rel(f))
		}
		return nil, fail("include cycle: %s", strings.Join(chain, " -> "))
	}
	in.stack = append(in.stack, target)
	defer func() { in.stack = in.stack[:len(in.stack)-1] }()

	// What an include produces counts against MaxExpandedNodes, as an
	// alias does: a file included many times, by files included many
	// times, multiplies.
	d.expanding++
	defer func() { d.expanding-- }()
	var v any
	var err error
	if ext == ".json" {
		v, err = in.jsonValue(target)
		if err == nil {
			if n, deep := jsonSize(v, 0); deep {
				err = newPosError(target, 0, "nested deeper than %d levels: expected at most %d levels of objects and arrays", MaxDepth, MaxDepth)
			} else {
				err = d.count(n, file, line, path)
			}
		}
		if err == nil {
			v, err = in.expand(d, v, target, path, pos)
		}
	} else {
		var n *yaml.Node
		n, err = in.yamlNode(target)
		if err == nil {
			v, err = d.decode(n, target, path, pos)
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fail("no such file %s", target)
	}
	if err != nil {
		return nil, fail("%v", err)
	}
	return v, nil
}

// expand replaces includes inside a plain value (JSON content, patches
// from Go), which has no line numbers.
func (in *includer) expand(d *decoder, v any, file, path string, pos positions) (any, error) {
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, includePrefix) {
			return in.include(d, x, file, 0, path, pos)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			e, err := in.expand(d, x[k], file, joinPath(path, k), pos)
			if err != nil {
				return nil, err
			}
			x[k] = e
		}
	case []any:
		for i, item := range x {
			e, err := in.expand(d, item, file, joinPath(path, strconv.Itoa(i)), pos)
			if err != nil {
				return nil, err
			}
			x[i] = e
		}
	}
	return v, nil
}

// yamlNode parses a YAML file once; a file included twice is read once.
func (in *includer) yamlNode(path string) (*yaml.Node, error) {
	if n, ok := in.nodes[path]; ok {
		return n, nil
	}
	n, err := parseYAMLFile(path)
	if err != nil {
		return nil, err
	}
	in.nodes[path] = n
	return n, nil
}

// jsonValue reads a JSON file once and gives a copy of its value for each
// include, which expand may change.
func (in *includer) jsonValue(path string) (any, error) {
	if v, ok := in.json[path]; ok {
		return DeepCopy(v), nil
	}
	v, err := readJSON(path)
	if err != nil {
		return nil, err
	}
	in.json[path] = v
	return DeepCopy(v), nil
}

// realDir is the project directory with its symbolic links resolved, so
// it compares with resolved file paths.
func (in *includer) realDir() (string, error) {
	if in.dirReal == "" {
		r, err := filepath.EvalSymlinks(in.dir)
		if err == nil {
			r, err = filepath.Abs(r)
		}
		if err != nil {
			return "", err
		}
		in.dirReal = r
	}
	return in.dirReal, nil
}

// within reports whether path p lies inside directory dir.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// jsonSize counts the values of a decoded JSON document and reports
// whether it nests deeper than MaxDepth.
func jsonSize(v any, depth int) (int, bool) {
	n := 1
	switch x := v.(type) {
	case map[string]any:
		if depth >= MaxDepth {
			return n, true
		}
		for _, e := range x {
			m, deep := jsonSize(e, depth+1)
			if deep {
				return n, true
			}
			n += m
		}
	case []any:
		if depth >= MaxDepth {
			return n, true
		}
		for _, e := range x {
			m, deep := jsonSize(e, depth+1)
			if deep {
				return n, true
			}
			n += m
		}
	}
	return n, false
}

func (in *includer) rel(path string) string {
	if r, err := filepath.Rel(in.dir, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}

// readExpanded reads a file of the project and expands the environment
// variables in it, as 2.x does for machinable.yaml and what it includes.
func readExpanded(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return expandEnv(path, data, os.LookupEnv)
}

// parseYAMLFile reads and parses a YAML file (environment variables
// expanded), turning the YAML library's "yaml: line N: ..." into
// "file:N: ...".
func parseYAMLFile(path string) (*yaml.Node, error) {
	data, err := readExpanded(path)
	if err != nil {
		return nil, err
	}
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return nil, yamlError(path, data, err)
	}
	return &n, nil
}

var (
	yamlLine  = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlDepth = regexp.MustCompile(`^yaml: (?:line (\d+): )?exceeded max depth of (\d+)$`)
)

// yamlError turns a parse error of src into "file:line: message". The
// parser's own line is off by one for many errors (it reports a context
// line, 0-based), so the position comes from a second parser that points
// at the offending token, when it finds the error too.
func yamlError(file string, src []byte, err error) *posError {
	if m := yamlDepth.FindStringSubmatch(err.Error()); m != nil {
		// The second parser takes time and memory quadratic in the depth
		// (gigabytes for 50,000 levels): not for this error.
		line, _ := strconv.Atoi(m[1])
		return newPosError(file, line, "nested deeper than %s levels: expected at most %d levels of mappings and lists", m[2], MaxDepth)
	}
	if _, perr := goccyparser.ParseBytes(src, 0); perr != nil {
		if e, ok := perr.(interface {
			GetToken() *goccytoken.Token
			GetMessage() string
		}); ok && e.GetToken() != nil && e.GetToken().Position != nil {
			pos := e.GetToken().Position
			msg := strings.ReplaceAll(e.GetMessage(), "\t", `\t`) // a tab, visible
			return newPosError(file, pos.Line, "column %d: %s", pos.Column, msg)
		}
	}
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return newPosError(file, line, "%s", m[2])
	}
	return newPosError(file, 0, "%s", strings.TrimPrefix(msg, "yaml: "))
}

// readJSON reads a JSON file (environment variables expanded) into plain
// values; numbers without a fraction become int64 like YAML integers.
func readJSON(path string) (any, error) {
	data, err := readExpanded(path)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonError(path, data, err)
	}
	var extra any
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, newPosError(path, lineAt(data, dec.InputOffset()), "expected a single JSON value")
	}
	return jsonValue(v), nil
}

func jsonError(path string, data []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return newPosError(path, lineAt(data, syn.Offset), "%v", err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return newPosError(path, lineAt(data, int64(len(data))), "unexpected end of JSON input")
	}
	return newPosError(path, 0, "%v", err)
}

func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, item := range x {
			x[k] = jsonValue(item)
		}
	case []any:
		for i, item := range x {
			x[i] = jsonValue(item)
		}
	}
	return v
}
