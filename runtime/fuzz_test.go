package runtime

import (
	"fmt"
	"github.com/machinable-go/machinable/internal/fuzzguard"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/runtime/project"
)

// FuzzVersionString reads any two strings as versions of the version
// language:
//   - VersionString gives a named version exactly for "~..." and
//     "_name_", a YAML version otherwise, keeping the string;
//   - Expand gives one alternative: {Version: s} for a named version, the
//     mapping ParseYAMLPatch reads for a YAML one, or an error, never a
//     panic, within bounded time and heap;
//   - ParseYAMLPatch returns a non-nil mapping or an error; the mapping
//     written back as YAML flow (quoted keys and strings, floats with a
//     point) reads back equal;
//   - a list of versions has the sum of their alternatives, a tuple the
//     product, each the concatenation of one of each in order.
func FuzzVersionString(f *testing.F) {
	for _, s := range []string{"~mnist", "~a:b", "_mixin_", "__", "_x", "{lr: 0.1}", "{lr: 0.1, model: {width: 64}}", "lr: 0.1\nmodel:\n  width: 64\n",
		"", "   ", "~", "[1, 2]", "3", "null", "{a: 1}\n---\n{b: 2}", "{a: 1, a: 2}", "{a: &x [1, *x]}", "{<<: {a: 1}, b: 2}", "{'<<': {a: 1}}",
		"{1.50: x, true: y, null: z}", "{x: 5e-6, y: 1.0e+3, z: .inf, w: 0x1F, v: 1_000, u: yes, t: ~}", "{x: !!binary aGk=}", "{x: !custom 1}",
		"{a: [1, {b: 2}], c: '$/inc.yaml'}", "{\"k\\u00e9\": \"\\ud800\"}", "{a: 99999999999999999999999}", "{a: 2001-12-14}", "\t{a: 1}", "{a: 1"} {
		f.Add(s, "{lr: 0.2}")
	}
	f.Fuzz(func(t *testing.T, s1, s2 string) {
		if len(s1)+len(s2) > 1<<13 {
			return
		}
		defer fuzzguard.Start()()
		alts := [2][][]project.Patch{}
		for i, s := range []string{s1, s2} {
			v := VersionString(s)
			named := len(s) > 0 && s[0] == '~' || len(s) > 2 && s[0] == '_' && s[len(s)-1] == '_'
			switch {
			case named && (v.Kind != VersionNamed || v.Name != s):
				t.Fatalf("VersionString(%q) = %+v; want the named version", s, v)
			case !named && (v.Kind != VersionYAML || v.YAML != s):
				t.Fatalf("VersionString(%q) = %+v; want a YAML version", s, v)
			}
			_ = v.String()
			a, err := v.Expand()
			m, perr := project.ParseYAMLPatch(s)
			switch {
			case named:
				if err != nil || !reflect.DeepEqual(a, [][]project.Patch{{{Version: s}}}) {
					t.Fatalf("Expand(%q) = %v, %v; want the named version", s, a, err)
				}
			case (err == nil) != (perr == nil):
				t.Fatalf("Expand(%q) error %v, ParseYAMLPatch error %v", s, err, perr)
			case err == nil:
				if m == nil {
					t.Fatalf("ParseYAMLPatch(%q) = nil, nil", s)
				}
				if !fuzzSame(a, [][]project.Patch{{{Values: m}}}) {
					t.Fatalf("Expand(%q) = %v; want %v", s, a, m)
				}
				fuzzCheckPatch(t, s, m)
			}
			if err != nil {
				if err.Error() == "" {
					t.Fatalf("Expand(%q): empty error", s)
				}
				return
			}
			alts[i] = a
		}
		v1, v2 := VersionString(s1), VersionString(s2)
		list, err := Iterate(v1, v2).Expand()
		if err != nil || len(list) != len(alts[0])+len(alts[1]) {
			t.Fatalf("[%q, %q]: %d alternatives, %v; want %d", s1, s2, len(list), err, len(alts[0])+len(alts[1]))
		}
		tuple, err := Merge(v1, Iterate(v2, v1)).Expand()
		if err != nil || len(tuple) != len(alts[0])*(len(alts[1])+len(alts[0])) {
			t.Fatalf("(%q, [%q, %q]): %d alternatives, %v", s1, s2, s1, len(tuple), err)
		}
		for _, seq := range tuple {
			if len(seq) != 2 || !fuzzSame(seq[0], alts[0][0][0]) {
				t.Fatalf("(%q, [%q, %q]): alternative %v does not start with %v", s1, s2, s1, seq, alts[0][0][0])
			}
		}
	})
}

// fuzzSame compares values that may hold NaN (which DeepEqual never
// finds equal).
func fuzzSame(a, b any) bool {
	return reflect.DeepEqual(a, b) || fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b)
}

// fuzzCheckPatch writes a patch back as YAML and reads it again.
func fuzzCheckPatch(t *testing.T, src string, m map[string]any) {
	y, ok := fuzzYAMLFlow(m)
	if !ok {
		return
	}
	back, err := project.ParseYAMLPatch(y)
	if err != nil || !fuzzSame(back, m) {
		t.Fatalf("ParseYAMLPatch(%q) = %#v; written back as %s it reads %#v, %v", src, m, y, back, err)
	}
}

// fuzzYAMLFlow writes a value as a YAML flow collection whose scalars mean
// the same under YAML 1.1 (PyYAML) rules: strings and keys double-quoted,
// floats with a point. ok is false for values it cannot write.
func fuzzYAMLFlow(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "null", true
	case bool:
		return strconv.FormatBool(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case *big.Int:
		return x.String(), true
	case float64:
		switch {
		case math.IsNaN(x):
			return ".nan", true
		case math.IsInf(x, 1):
			return ".inf", true
		case math.IsInf(x, -1):
			return "-.inf", true
		}
		s := strconv.FormatFloat(x, 'e', -1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		return mant + "e" + exp, true
	case string:
		return strconv.Quote(x), !strings.ContainsRune(x, '\uFFFD')
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			s, ok := fuzzYAMLFlow(e)
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
			vs, ok := fuzzYAMLFlow(x[k])
			if !ok || strings.ContainsRune(k, '\uFFFD') {
				return "", false
			}
			parts[i] = strconv.Quote(k) + ": " + vs
		}
		return "{" + strings.Join(parts, ", ") + "}", true
	}
	return "", false
}
