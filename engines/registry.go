package engines

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/machinable-go/machinable/internal/suggest"
)

// Spec names an engine and its options, parsed from "native:4" or
// {"type": "native", "processes": 4}.
type Spec struct {
	// Type is the registered engine name: "native", "slurm", ...
	Type string
	// Options are the other keys of the dict form ({"processes": 4} for
	// "native:4"), values as Starlark or YAML gave them (int64, float64,
	// string, bool, []any, map[string]any).
	Options map[string]any
}

// String renders the spec in its short form where it has one.
func (s Spec) String() string {
	if n, ok := s.Options["processes"]; ok && len(s.Options) == 1 {
		return fmt.Sprintf("%s:%v", s.Type, n)
	}
	if len(s.Options) == 0 {
		return s.Type
	}
	keys := make([]string, 0, len(s.Options))
	for k := range s.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, s.Options[k])
	}
	return fmt.Sprintf("%s(%s)", s.Type, strings.Join(parts, ", "))
}

// ParseSpec reads an engine argument: nil (native), a string "type" or
// "type:N", or a map with a "type" key.
func ParseSpec(v any) (Spec, error) {
	switch x := v.(type) {
	case nil:
		return Spec{Type: "native", Options: map[string]any{}}, nil
	case string:
		if x == "" {
			return Spec{Type: "native", Options: map[string]any{}}, nil
		}
		typ, arg, hasArg := strings.Cut(x, ":")
		if typ == "" {
			return Spec{}, fmt.Errorf("engine %q: expected a type before the colon, such as \"native%s\"", x, x)
		}
		spec := Spec{Type: typ, Options: map[string]any{}}
		if hasArg {
			n, err := strconv.Atoi(arg)
			if err != nil || n < 1 {
				return Spec{}, fmt.Errorf("engine %q: expected %s:N with N a positive number of parallel components", x, typ)
			}
			spec.Options["processes"] = int64(n)
		}
		return spec, nil
	case map[string]any:
		typ, ok := x["type"].(string)
		if !ok || typ == "" {
			return Spec{}, fmt.Errorf("engine %v: expected a \"type\" key naming the engine, e.g. {\"type\": \"native\"}", x)
		}
		spec := Spec{Type: typ, Options: map[string]any{}}
		for k, val := range x {
			if k != "type" {
				spec.Options[k] = val
			}
		}
		return spec, nil
	}
	return Spec{}, fmt.Errorf("engine: expected a string such as \"native:4\" or a dict with a \"type\", got %T", v)
}

// Constructor builds an engine from its options.
type Constructor func(spec Spec) (Engine, error)

// Registry maps engine types to constructors.
type Registry struct {
	mu    sync.RWMutex
	types map[string]Constructor
}

// NewRegistry returns a registry with the built-in engines.
func NewRegistry() *Registry {
	r := &Registry{types: map[string]Constructor{}}
	r.Register("native", newNative)
	r.Register("dry", newDry)
	r.Register("process", newProcess)
	r.Register("detached", newDetached)
	r.Register("slurm", newSlurm)
	r.Register("ray", newRay)
	r.Register("remote", newRemote)
	return r
}

// Register adds or replaces an engine type.
func (r *Registry) Register(typ string, c Constructor) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.types[typ] = c
}

// Types lists the registered engine types.
func (r *Registry) Types() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.types))
	for t := range r.types {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// New builds the engine a spec names.
func (r *Registry) New(spec Spec) (Engine, error) {
	r.mu.RLock()
	c, ok := r.types[spec.Type]
	r.mu.RUnlock()
	if !ok {
		known := r.Types()
		msg := fmt.Sprintf("unknown engine %q", spec.Type)
		if near := suggest.Nearest(spec.Type, known); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		return nil, fmt.Errorf("%s; known engines: %s", msg, strings.Join(known, ", "))
	}
	return c(spec)
}

// optionInt reads an integer option.
func optionInt(spec Spec, key string, def int) (int, error) {
	v, ok := spec.Options[key]
	if !ok {
		return def, nil
	}
	switch n := v.(type) {
	case int64:
		return int(n), nil
	case int:
		return n, nil
	case float64:
		if n == float64(int(n)) {
			return int(n), nil
		}
	}
	return 0, fmt.Errorf("engine %s: option %q: expected an integer, got %v", spec.Type, key, v)
}

// checkOptions refuses options an engine does not know.
func checkOptions(spec Spec, known ...string) error {
	for k := range spec.Options {
		found := false
		for _, n := range known {
			found = found || k == n
		}
		if !found {
			hint := ""
			if near := suggest.Nearest(k, known); near != "" {
				hint = fmt.Sprintf("did you mean %q? ", near)
			}
			return fmt.Errorf("engine %s: unknown option %q (%sknown: %s)", spec.Type, k, hint, strings.Join(known, ", "))
		}
	}
	return nil
}

// secretKeys name engine options whose values must not be printed or
// stored (execution.json keeps the engine options).
var secretKeys = []string{"header", "token", "secret", "password", "env_vars", "credential", "key"}

// Redacted returns the spec with secret-looking option values replaced by
// "[redacted]" (headers, env_vars, tokens, passwords in URLs), for
// console lines and execution.json.
func (s Spec) Redacted() Spec {
	return Spec{Type: s.Type, Options: redactMap(s.Options)}
}

func redactMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		lk := strings.ToLower(k)
		secret := false
		for _, s := range secretKeys {
			secret = secret || strings.Contains(lk, s)
		}
		if secret {
			out[k] = "[redacted]"
		} else {
			out[k] = redactValue(v)
		}
	}
	return out
}

// redactValue redacts inside maps and lists (a list of dicts may hold a
// token too) and hides URL passwords in strings.
func redactValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return redactMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = redactValue(e)
		}
		return out
	case string:
		return redactURLPassword(x)
	}
	return v
}

// redactURLPassword hides the password of a scheme://user:pass@host URL.
func redactURLPassword(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	at := strings.Index(rest, "@")
	if at < 0 || strings.ContainsAny(rest[:at], "/?#") {
		return s
	}
	if c := strings.Index(rest[:at], ":"); c >= 0 {
		return s[:i+3] + rest[:c] + ":[redacted]" + rest[at:]
	}
	return s
}
