// Package settings reads the user's machinable settings file
// (~/.machinable/settings.yaml, or the file $MACHINABLE_SETTINGS names):
// the defaults machinable 2.x takes from it when neither the command
// line nor the script gives a value (storage, engine, project, code
// backup), the local copies of vendor projects (imports) and whether a
// version may set keys the component's config does not have
// (schema_validation).
//
// Only the command line reads the user's file (Load); the Go API takes a
// *Settings explicitly (executor.Executor.Settings), so an embedding
// program never picks up a file it did not ask for.
package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/machinable-go/machinable/internal/suggest"
	"go.yaml.in/yaml/v3"
)

// EnvVar names a settings file to read instead of the default one.
const EnvVar = "MACHINABLE_SETTINGS"

// Settings are the values of a settings file. The zero value (and nil)
// are the defaults: nothing set.
type Settings struct {
	// File is the file the settings were read from, "" for none.
	File string
	// DefaultStorage is the storage URL of runs that name none
	// (default_storage: URL, or 2.14's {url: URL}); "" is mem://.
	// A relative path is relative to the working directory.
	DefaultStorage string
	// DefaultEngine is the engine of runs that name none: a string
	// ("native:4") or a map with "type" and the engine's options.
	DefaultEngine any
	// DefaultProject is the project directory of runs that name none.
	DefaultProject string
	// DefaultCodeBackup is the code backup of runs whose project and
	// execute() do not say otherwise: nil, a bool, or a map with
	// enabled, exclude, max_file_size.
	DefaultCodeBackup any
	// Imports maps a vendor project name to a local directory holding
	// it (imports: {name: path}), used instead of its + source.
	Imports map[string]string
	// SchemaValidation makes a version that sets a key the component's
	// config does not have an error instead of a warning.
	SchemaValidation bool
	// NativeProcesses is engines.native.processes: the processes of the
	// native engine when it is named without a count; 0 is unset.
	NativeProcesses int
	// Warnings are what the file holds that has no effect, each naming
	// the file and line (unknown keys with the nearest known one).
	Warnings []string
}

// topKeys are the keys a settings file may hold. database, tmp_directory
// and default_index are 2.x settings without effect here; cache only
// holds imports (this reads vendor projects every time, so it has none).
var topKeys = []string{
	"cache", "database", "default_code_backup", "default_engine", "default_index",
	"default_project", "default_storage", "engines", "imports", "schema_validation", "tmp_directory",
}

// DefaultFile is ~/.machinable/settings.yaml, or $MACHINABLE_SETTINGS.
func DefaultFile() (string, error) {
	if f := os.Getenv(EnvVar); f != "" {
		return filepath.Abs(expandHome(f))
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("settings: no home directory: %w", err)
	}
	return filepath.Join(home, ".machinable", "settings.yaml"), nil
}

// Load reads the user's settings file (DefaultFile). A missing default
// file is no settings; a file $MACHINABLE_SETTINGS names must exist.
func Load() (*Settings, error) {
	file, err := DefaultFile()
	if err != nil {
		return nil, err
	}
	s, err := LoadFile(file)
	if errors.Is(err, fs.ErrNotExist) && os.Getenv(EnvVar) == "" {
		return &Settings{}, nil
	}
	return s, err
}

// LoadFile reads and checks one settings file. Wrong types are errors
// naming file:line; unknown keys are warnings with the nearest known key.
func LoadFile(file string) (*Settings, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("settings file %s: %w", file, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("settings file %s: %w", file, err)
	}
	return Parse(file, data)
}

// Parse reads settings from data; file names it in messages and is what
// relative paths are relative to.
func Parse(file string, data []byte) (*Settings, error) {
	s := &Settings{File: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: invalid YAML: %v", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return s, nil // an empty file sets nothing
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errAt(file, root, "expected a mapping of settings (default_storage: ..., imports: ...), got %s", describe(root))
	}
	p := parser{file: file, s: s}
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		kn, vn := root.Content[i], root.Content[i+1]
		key := kn.Value
		if first, dup := seen[key]; dup {
			return nil, errAt(file, kn, "duplicate key %q (first at line %d)", key, first)
		}
		seen[key] = kn.Line
		if err := p.top(key, kn, vn); err != nil {
			return nil, err
		}
	}
	return s, nil
}

type parser struct {
	file string
	s    *Settings
}

func (p *parser) warnUnknown(kn *yaml.Node, where, key string, known []string) {
	msg := fmt.Sprintf("%s:%d: unknown setting %q%s has no effect", p.file, kn.Line, key, where)
	if near := suggest.Nearest(key, known); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	}
	p.s.Warnings = append(p.s.Warnings, msg)
}

func (p *parser) top(key string, kn, vn *yaml.Node) error {
	s := p.s
	switch key {
	case "default_storage":
		if vn.Kind == yaml.MappingNode { // 2.14: {url: ...}
			var url string
			err := p.mapping(vn, "default_storage", map[string]func(k, v *yaml.Node) error{
				"url": func(_, v *yaml.Node) error { return p.str(v, "default_storage.url", &url) },
			})
			if err != nil {
				return err
			}
			s.DefaultStorage = p.path(url)
			return nil
		}
		var url string
		if err := p.str(vn, key, &url); err != nil {
			return err
		}
		s.DefaultStorage = p.path(url)
	case "default_engine":
		switch {
		case isNull(vn):
		case vn.Kind == yaml.ScalarNode && vn.ShortTag() == "!!str":
			s.DefaultEngine = vn.Value
		case vn.Kind == yaml.MappingNode:
			var m map[string]any
			if err := vn.Decode(&m); err != nil {
				return errAt(p.file, vn, "default_engine: %v", err)
			}
			if t, ok := m["type"].(string); !ok || t == "" {
				return errAt(p.file, vn, "default_engine: a mapping needs type: ENGINE (native, process, slurm, ...) and the engine's options")
			}
			s.DefaultEngine = m
		default:
			return errAt(p.file, vn, "default_engine: expected an engine (\"native:4\") or a mapping with type: and options, got %s", describe(vn))
		}
	case "default_project":
		var dir string
		if err := p.str(vn, key, &dir); err != nil {
			return err
		}
		s.DefaultProject = p.path(dir)
	case "default_code_backup":
		switch {
		case isNull(vn):
		case vn.ShortTag() == "!!bool":
			var b bool
			_ = vn.Decode(&b)
			s.DefaultCodeBackup = b
		case vn.Kind == yaml.MappingNode:
			m := map[string]any{}
			err := p.mapping(vn, key, map[string]func(k, v *yaml.Node) error{
				"enabled": func(_, v *yaml.Node) error {
					if isNull(v) {
						return nil
					}
					if v.ShortTag() != "!!bool" {
						return errAt(p.file, v, "default_code_backup.enabled: expected true or false, got %s", describe(v))
					}
					var b bool
					_ = v.Decode(&b)
					m["enabled"] = b
					return nil
				},
				"exclude": func(_, v *yaml.Node) error {
					if isNull(v) {
						return nil
					}
					var list []string
					if v.Kind != yaml.SequenceNode || v.Decode(&list) != nil {
						return errAt(p.file, v, "default_code_backup.exclude: expected a list of patterns, got %s", describe(v))
					}
					ex := make([]any, len(list))
					for i, x := range list {
						ex[i] = x
					}
					m["exclude"] = ex
					return nil
				},
				"max_file_size": func(_, v *yaml.Node) error {
					if isNull(v) {
						return nil
					}
					var n int64
					if v.ShortTag() != "!!int" || v.Decode(&n) != nil || n < 0 {
						return errAt(p.file, v, "default_code_backup.max_file_size: expected a number of bytes >= 0, got %s", describe(v))
					}
					m["max_file_size"] = n
					return nil
				},
			})
			if err != nil {
				return err
			}
			s.DefaultCodeBackup = m
		default:
			return errAt(p.file, vn, "default_code_backup: expected true, false or a mapping (enabled:, exclude:), got %s", describe(vn))
		}
	case "imports":
		if isNull(vn) {
			return nil
		}
		if vn.Kind != yaml.MappingNode {
			return errAt(p.file, vn, "imports: expected a mapping of project name: directory, got %s", describe(vn))
		}
		s.Imports = map[string]string{}
		for i := 0; i+1 < len(vn.Content); i += 2 {
			name := vn.Content[i].Value
			var dir string
			if err := p.str(vn.Content[i+1], "imports."+name, &dir); err != nil {
				return err
			}
			if dir == "" {
				return errAt(p.file, vn.Content[i+1], "imports.%s: expected a directory", name)
			}
			s.Imports[name] = p.path(dir)
		}
	case "schema_validation":
		if isNull(vn) {
			return nil
		}
		if vn.ShortTag() != "!!bool" {
			return errAt(p.file, vn, "schema_validation: expected true or false, got %s", describe(vn))
		}
		_ = vn.Decode(&s.SchemaValidation)
	case "engines":
		return p.mapping(vn, key, map[string]func(k, v *yaml.Node) error{
			"native": func(_, v *yaml.Node) error {
				return p.mapping(v, "engines.native", map[string]func(k, v *yaml.Node) error{
					"processes": func(_, v *yaml.Node) error {
						if isNull(v) {
							return nil
						}
						var n int
						if v.ShortTag() != "!!int" || v.Decode(&n) != nil || n < 1 {
							return errAt(p.file, v, "engines.native.processes: expected a number of processes >= 1, got %s", describe(v))
						}
						s.NativeProcesses = n
						return nil
					},
				})
			},
		})
	case "cache":
		return p.mapping(vn, key, map[string]func(k, v *yaml.Node) error{
			"imports": func(_, v *yaml.Node) error {
				if !isNull(v) && v.ShortTag() != "!!bool" {
					return errAt(p.file, v, "cache.imports: expected true or false, got %s", describe(v))
				}
				return nil // vendor projects are read every time: nothing to cache
			},
		})
	case "database", "tmp_directory", "default_index":
		// 2.x settings without effect here; a 2.x file is read unchanged.
	default:
		p.warnUnknown(kn, "", key, topKeys)
	}
	return nil
}

// mapping checks that n is a mapping (or null) and calls the handler of
// each key; other keys are warnings.
func (p *parser) mapping(n *yaml.Node, what string, handlers map[string]func(k, v *yaml.Node) error) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return errAt(p.file, n, "%s: expected a mapping (%s), got %s", what, strings.Join(slices.Sorted(maps.Keys(handlers)), ", "), describe(n))
	}
	known := slices.Sorted(maps.Keys(handlers))
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		h, ok := handlers[kn.Value]
		if !ok {
			p.warnUnknown(kn, " in "+what, kn.Value, known)
			continue
		}
		if err := h(kn, vn); err != nil {
			return err
		}
	}
	return nil
}

// str reads a string (or null, which leaves *out alone).
func (p *parser) str(n *yaml.Node, what string, out *string) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return errAt(p.file, n, "%s: expected a string, got %s", what, describe(n))
	}
	*out = n.Value
	return nil
}

// path makes a local path written in the file absolute: ~ is the home
// directory, and a relative path is relative to the working directory,
// as in 2.x (default_storage: ./results gives each project its own
// results). URLs stay as written.
func (p *parser) path(v string) string {
	if v == "" || strings.Contains(v, "://") {
		return v
	}
	abs, err := filepath.Abs(expandHome(v))
	if err != nil {
		return v
	}
	return abs
}

func expandHome(v string) string {
	if v == "~" || strings.HasPrefix(v, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, v[1:])
		}
	}
	return v
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!bool":
			return n.Value
		case "!!null":
			return "nothing"
		}
		return n.Value
	}
	return "an alias"
}

func errAt(file string, n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d: "+format, append([]any{file, n.Line}, args...)...)
}
