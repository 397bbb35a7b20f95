package engines

import (
	"fmt"
	"github.com/machinable-go/machinable/internal/fuzzguard"
	"reflect"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// FuzzParseSpec reads an engine argument in both forms, a string ("native:4")
// and a dict (JSON, as Starlark or YAML would give it):
//   - ParseSpec returns a spec or an error, never panics;
//   - the string form: "" is native, "type" has no options, "type:N" has
//     processes = N >= 1 and a non-empty type, and Spec.String() parses
//     back to the same spec;
//   - the dict form: accepted exactly when "type" is a non-empty string;
//     the options are the other keys, and the dict given is not changed;
//   - Redacted hides the value of every secret-looking key at any depth
//     (in lists too), keeps everything else's shape, is idempotent and
//     leaves the spec alone;
//   - building the engine (Registry.New) gives an engine or an error
//     (never runs anything: constructors only check options).
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"", "native", "native:4", "process:2", "dry", "detached", "slurm", "ray", "remote",
		"native:0", "native:-1", "native:x", "native:", ":4", "a:b:3", "native: 4", "native:99999999999999999999",
		"náti ve:1", "\x00:1", "native:+3", "native:0x10"} {
		f.Add(s, []byte(`{"type": "native", "processes": 4}`))
	}
	for _, j := range []string{
		`{"type": "slurm", "partition": "gpu", "sbatch_args": ["--exclusive"], "array": false, "poll": "1s"}`,
		`{"type": "ray", "address": "http://admin:secret@ray:8265", "headers": {"Authorization": "Bearer x"}, "runtime_env": {"env_vars": {"TOKEN": "t"}, "working_dir": "/w"}}`,
		`{"type": "remote", "host": "user@host", "directory": "~/proj", "engine": "native:2", "port": 2222}`,
		`{"type": "detached", "engine": "process:3", "binary": "/usr/bin/machinable"}`,
		`{"type": "ray", "runtime_env": {"pip": [{"index_url": "https://u:pw@pypi/simple", "token": "tok"}]}}`,
		`{"type": "native", "processes": 4.0}`, `{"type": "native", "processes": 1e30}`, `{"type": ""}`,
		`{"type": 3}`, `{}`, `null`, `[1, 2]`, `"native:2"`, `{"type": "native", "type2": {"password": {"a": 1}}}`,
	} {
		f.Add("native", []byte(j))
	}
	reg := NewRegistry()
	f.Fuzz(func(t *testing.T, s string, j []byte) {
		if len(s) > 256 || len(j) > 4096 {
			return
		}
		defer fuzzguard.Start()()
		spec, err := ParseSpec(s)
		if err == nil {
			fuzzCheckStringSpec(t, s, spec)
			fuzzCheckRedacted(t, spec)
			fuzzCheckNew(t, reg, spec)
		}

		v, derr := jsonvalue.Decode(j)
		if derr != nil {
			return
		}
		before := fmt.Sprintf("%#v", v)
		spec, err = ParseSpec(v)
		if after := fmt.Sprintf("%#v", v); after != before {
			t.Fatalf("ParseSpec changed its argument: %s -> %s", before, after)
		}
		m, isMap := v.(map[string]any)
		typ, _ := m["type"].(string)
		switch {
		case v == nil:
			if err != nil || spec.Type != "native" || len(spec.Options) != 0 {
				t.Fatalf("ParseSpec(nil) = %v, %v; want native", spec, err)
			}
			return
		case !isMap:
			if _, isString := v.(string); !isString && err == nil {
				t.Fatalf("ParseSpec(%#v) = %v; want an error for a %T", v, spec, v)
			}
			return
		case typ == "":
			if err == nil {
				t.Fatalf("ParseSpec(%s) = %v; want an error (no type)", j, spec)
			}
			return
		case err != nil:
			t.Fatalf("ParseSpec(%s): %v", j, err)
		}
		want := map[string]any{}
		for k, e := range m {
			if k != "type" {
				want[k] = e
			}
		}
		if spec.Type != typ || !reflect.DeepEqual(spec.Options, want) {
			t.Fatalf("ParseSpec(%s) = %#v; want type %q and options %#v", j, spec, typ, want)
		}
		back := map[string]any{"type": spec.Type}
		for k, e := range spec.Options {
			back[k] = e
		}
		if again, err := ParseSpec(back); err != nil || !reflect.DeepEqual(again, spec) {
			t.Fatalf("ParseSpec(dict of %#v) = %#v, %v", spec, again, err)
		}
		_ = spec.String()
		fuzzCheckRedacted(t, spec)
		fuzzCheckNew(t, reg, spec)
	})
}

func fuzzCheckStringSpec(t *testing.T, s string, spec Spec) {
	typ, arg, hasArg := strings.Cut(s, ":")
	switch {
	case s == "":
		if spec.Type != "native" || len(spec.Options) != 0 {
			t.Fatalf("ParseSpec(\"\") = %#v; want native", spec)
		}
		return
	case spec.Type != typ:
		t.Fatalf("ParseSpec(%q).Type = %q; want %q", s, spec.Type, typ)
	case spec.Type == "":
		t.Fatalf("ParseSpec(%q) = %#v: an engine without a type", s, spec)
	case !hasArg && len(spec.Options) != 0:
		t.Fatalf("ParseSpec(%q) = %#v: options from nowhere", s, spec)
	case hasArg:
		n, ok := spec.Options["processes"].(int64)
		if len(spec.Options) != 1 || !ok || n < 1 || fmt.Sprint(n) != strings.TrimLeft(strings.TrimPrefix(arg, "+"), "0") {
			t.Fatalf("ParseSpec(%q) = %#v; want processes %s", s, spec, arg)
		}
	}
	again, err := ParseSpec(spec.String())
	if err != nil || !reflect.DeepEqual(again, spec) {
		t.Fatalf("ParseSpec(%q) = %#v, whose String() %q parses as %#v, %v", s, spec, spec.String(), again, err)
	}
}

// fuzzSecretKey is the rule Redacted documents.
func fuzzSecretKey(k string) bool {
	lk := strings.ToLower(k)
	for _, s := range secretKeys {
		if strings.Contains(lk, s) {
			return true
		}
	}
	return false
}

func fuzzCheckRedacted(t *testing.T, spec Spec) {
	before := fmt.Sprintf("%#v", spec)
	r := spec.Redacted()
	if after := fmt.Sprintf("%#v", spec); after != before {
		t.Fatalf("Redacted changed the spec: %s -> %s", before, after)
	}
	if r.Type != spec.Type {
		t.Fatalf("Redacted changed the type %q to %q", spec.Type, r.Type)
	}
	if rr := r.Redacted(); !reflect.DeepEqual(rr, r) {
		t.Fatalf("Redacted is not idempotent: %#v -> %#v", r, rr)
	}
	var walk func(path string, orig, red any)
	walk = func(path string, orig, red any) {
		switch o := orig.(type) {
		case map[string]any:
			rm, ok := red.(map[string]any)
			if !ok || len(rm) != len(o) {
				t.Fatalf("Redacted: %s: %#v became %#v", path, orig, red)
			}
			for k, e := range o {
				if fuzzSecretKey(k) {
					if rm[k] != "[redacted]" {
						t.Fatalf("Redacted: %s.%s = %#v; want [redacted] (spec %#v)", path, k, rm[k], spec)
					}
					continue
				}
				walk(path+"."+k, e, rm[k])
			}
		case []any:
			rl, ok := red.([]any)
			if !ok || len(rl) != len(o) {
				t.Fatalf("Redacted: %s: %#v became %#v", path, orig, red)
			}
			for i, e := range o {
				walk(fmt.Sprintf("%s[%d]", path, i), e, rl[i])
			}
		case string:
			if _, ok := red.(string); !ok {
				t.Fatalf("Redacted: %s: string %q became %#v", path, o, red)
			}
		default:
			if !reflect.DeepEqual(orig, red) {
				t.Fatalf("Redacted: %s: %#v became %#v", path, orig, red)
			}
		}
	}
	walk(spec.Type, spec.Options, r.Options)
}

func fuzzCheckNew(t *testing.T, reg *Registry, spec Spec) {
	e, err := reg.New(spec)
	if err != nil {
		if err.Error() == "" {
			t.Fatalf("Registry.New(%#v): empty error", spec)
		}
		return
	}
	if e == nil {
		t.Fatalf("Registry.New(%#v) = nil, nil", spec)
	}
}
