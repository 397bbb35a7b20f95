package project

import (
	"fmt"
	"github.com/machinable-go/machinable/internal/fuzzguard"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/machinable-go/machinable/internal/treesnap"
)

// FuzzLoad loads a project whose machinable.yaml is the first input and
// whose inc.yaml and inc.json (for $/inc.yaml, !include inc.yaml and
// $/inc.json) are the second:
//   - Load returns a project or an error, never panics, within bounded
//     time and heap (aliases, includes and references included) and
//     without writing anything;
//   - of a loaded project, every listed name resolves (Component,
//     Versions), and Config of every component, alone and with each of
//     its versions, is a value or an error, the same on every call, and a
//     fresh copy: changing one result does not change the next.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"basic", "groups", "includes", "inheritance", "mapping", "project2x", "references"} {
		if b, err := os.ReadFile(filepath.Join("testdata", dir, FileName)); err == nil {
			f.Add(b, []byte("name: included\nlist: [1, 2]\n"))
		}
	}
	for _, y := range []string{
		"components:\n  - a:\n      x: $/inc.yaml\n      y: $/inc.json\n      z: !include inc.yaml\n",
		"components:\n  - a:\n      lr: 0.1\n      ~v: {lr: 0.2, ~w: {lr: 0.3}}\n  - b^a:\n      lr: $self.x\n      x: 1\n",
		"components:\n  - a:\n      p: $self.q\n      q: $self.p\n",
		"components:\n  - a:\n      p: $.root\nroot: $.root\n",
		"a: &a [1, 2]\nb: &b [*a, *a]\nc: &c [*b, *b]\ncomponents:\n  - x:\n      v: *c\n",
		"a: &a {x: 1}\ncomponents:\n  - x:\n      <<: *a\n      y: 2\n",
		"a: &a [*a]\n", "components: [", "components:\n  - a: 1\n", "components: {a: b}\n", "mixins:\n  - m:\n      k: 1\ncomponents:\n  - c:\n      _mixins_: [m]\n",
		"components:\n  - a:\n      x: $/inc.yaml\n", "components:\n  - a:\n      x: $/../inc.yaml\n", "components:\n  - a:\n      x: $/machinable.yaml\n",
		"", "null", "\t", "---\n---\n", "components:\n  - a:\n      f: method(1, k=2)\n",
	} {
		f.Add([]byte(y), []byte("name: inc\nback: $/inc.yaml\n"))
		f.Add([]byte(y), []byte(`{"k": [1, 2.5, "x"]}`))
	}
	// Refusals come sooner with a lower expansion limit, as in the
	// package's tests (a million values take a minute under -race).
	old := expansionLimit
	expansionLimit = 20000
	f.Cleanup(func() { expansionLimit = old })
	root := f.TempDir()
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, main, inc []byte) {
		if len(main)+len(inc) > 1<<14 {
			return
		}
		defer fuzzguard.Start()()
		dir := filepath.Join(root, fmt.Sprintf("p%d", n.Add(1)))
		defer os.RemoveAll(dir)
		for name, data := range map[string][]byte{FileName: main, "inc.yaml": inc, "inc.json": inc} {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		before, err := treesnap.Take(root)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Load(dir)
		after, serr := treesnap.Take(root)
		if serr != nil {
			t.Fatal(serr)
		}
		if d := before.Diff(after); len(d) > 0 {
			t.Fatalf("Load wrote: %v", d)
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("Load: empty error")
			}
			return
		}
		names := p.Names()
		if !sort.StringsAreSorted(names) {
			t.Fatalf("Names() not sorted: %q", names)
		}
		for _, name := range names {
			if _, err := p.Component(name); err != nil {
				t.Fatalf("Component(%q) of a listed name: %v", name, err)
			}
			versions, err := p.Versions(name)
			if err != nil {
				t.Fatalf("Versions(%q) of a listed name: %v", name, err)
			}
			fuzzCheckConfig(t, p, name, nil)
			for _, v := range versions {
				fuzzCheckConfig(t, p, name, []Patch{{Version: v}})
			}
		}
		for _, name := range p.MixinNames() {
			if _, err := p.Mixin(name); err != nil {
				t.Fatalf("Mixin(%q) of a listed name: %v", name, err)
			}
		}
		_ = p.Warnings()
		if v, ok := p.Section("name"); ok {
			_ = fmt.Sprint(v)
		}
	})
}

// fuzzCheckConfig resolves a config twice and changes the first result.
func fuzzCheckConfig(t *testing.T, p *Project, name string, patches []Patch) {
	c1, err1 := p.Config(name, patches)
	s1 := fmt.Sprintf("%v", c1)
	if c1 != nil {
		c1["\x00fuzz"] = true
		for _, v := range c1 {
			if m, ok := v.(map[string]any); ok {
				m["\x00fuzz"] = true
			}
		}
	}
	c2, err2 := p.Config(name, patches)
	if s2 := fmt.Sprintf("%v", c2); s1 != s2 || (err1 == nil) != (err2 == nil) {
		t.Fatalf("Config(%q, %v) changed between calls (or after changing its result): %s, %v then %s, %v", name, patches, s1, err1, s2, err2)
	}
}

// FuzzParseMethodCallKw reads any string as a config method call:
//   - it is a call or not, never a panic, within bounded time;
//   - a call has an identifier as name, written at the start of the
//     string, then at most one blank, "(", and ")" at the end;
//   - the arguments round-trip: written back as Python literals (repr),
//     the call parses to the same name, arguments and keyword arguments;
//   - without keyword arguments, ParseMethodCall agrees on the name.
func FuzzParseMethodCallKw(f *testing.F) {
	for _, s := range []string{"base_lr(0.01)", "f(1, works=True)", "f(a=1, b='x', c=None)", "arghello('world')", `f("a)", 'it''s (', "q\"(")`,
		`f('it\'s', r'\d+', u"x", """tri"ple""")`, `f('\x41\n\u00e9\101')`, "f(True, False, None)", "f(-1, +2, 1e-3, 1_000, 0x1F, 0o17, 0b11, .5, 1., -.5)",
		"f([1, (2, 3), (4,), ()], {'k': [None]},)", "f((5))", "f (1)", "f()", "_private(true, null, {a: 1})", "f(a b)", "f(017)", "plain text", "(1)",
		"a.b(1)", "f  (1)", "f(1", "f(1))", "f(1, k=2, 3)", "f(k=1, k=2)", "$self.a", "", "f(" + strings.Repeat("[", 200) + strings.Repeat("]", 200) + ")",
		"f(99999999999999999999999)", "f(1e999)", "f(-0.0)", "f('\\N{DASH}')", "f(b'x')", "f({1: 2})", "f(*a)", "f(**k)", "f(x=)", "f(=1)",
		"f(\"\\ud800\")", "f('''a\nb''')", "f(1 if 2 else 3)", "f(a=[1,{'b':(2,)}])", "é(1)", "f\t(1)", "1f(2)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		defer fuzzguard.Start()()
		name, args, kwargs, ok := ParseMethodCallKw(s)
		if !ok {
			if name != "" || args != nil || kwargs != nil {
				t.Fatalf("ParseMethodCallKw(%q) = %q, %v, %v but not ok", s, name, args, kwargs)
			}
			return
		}
		if name == "" || !fuzzIsIdent(name) || !strings.HasPrefix(s, name) || !strings.HasSuffix(s, ")") {
			t.Fatalf("ParseMethodCallKw(%q): name %q is not an identifier at the start of a call", s, name)
		}
		if rest := s[len(name):]; !strings.HasPrefix(rest, "(") && !(len(rest) > 1 && strings.IndexByte(" \t\n\r\f\v", rest[0]) >= 0 && rest[1] == '(') {
			t.Fatalf("ParseMethodCallKw(%q) = %q: not followed by ( or one blank and (", s, name)
		}
		if len(kwargs) == 0 {
			if n2, _, ok2 := ParseMethodCall(s); ok2 && n2 != name {
				t.Fatalf("ParseMethodCall(%q) names %q, ParseMethodCallKw %q", s, n2, name)
			}
		}
		src, ok := fuzzPyCall(name, args, kwargs)
		if !ok {
			return // a value without a Python literal (nan, inf, invalid UTF-8)
		}
		n2, args2, kwargs2, ok2 := ParseMethodCallKw(src)
		if !ok2 || n2 != name || !reflect.DeepEqual(args2, args) || !reflect.DeepEqual(kwargs2, kwargs) {
			t.Fatalf("ParseMethodCallKw(%q) = %q, %#v, %#v; written back as %q it reads %q, %#v, %#v, %v", s, name, args, kwargs, src, n2, args2, kwargs2, ok2)
		}
	})
}

func fuzzIsIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// fuzzPyCall writes a call with Python literals; ok is false for values that
// have none.
func fuzzPyCall(name string, args []any, kwargs []KeyValue) (string, bool) {
	var parts []string
	for _, a := range args {
		s, ok := fuzzPyLiteral(a)
		if !ok {
			return "", false
		}
		parts = append(parts, s)
	}
	for _, kv := range kwargs {
		s, ok := fuzzPyLiteral(kv.Value)
		if !ok {
			return "", false
		}
		parts = append(parts, kv.Key+"="+s)
	}
	return name + "(" + strings.Join(parts, ", ") + ")", true
}

func fuzzPyLiteral(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "None", true
	case bool:
		if x {
			return "True", true
		}
		return "False", true
	case int64:
		return strconv.FormatInt(x, 10), true
	case *big.Int:
		return x.String(), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", false
		}
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s, true
	case string:
		if !utf8.ValidString(x) {
			return "", false
		}
		return strconv.Quote(x), true
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			s, ok := fuzzPyLiteral(e)
			if !ok {
				return "", false
			}
			parts[i] = s
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			ks, _ := fuzzPyLiteral(k)
			vs, ok := fuzzPyLiteral(x[k])
			if !ok || !utf8.ValidString(k) {
				return "", false
			}
			parts[i] = ks + ": " + vs
		}
		return "{" + strings.Join(parts, ", ") + "}", true
	}
	return "", false
}
