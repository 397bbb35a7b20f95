package runtime

import (
	"reflect"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/runtime/project"
)

func vals(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func pv(kv ...any) project.Patch { return project.Patch{Values: vals(kv...)} }

func pn(name string) project.Patch { return project.Patch{Version: name} }

func TestVersionExpand(t *testing.T) {
	a, b, c, d := Patch(vals("a", 1)), Patch(vals("b", 2)), Patch(vals("c", 3)), Patch(vals("d", 4))
	cases := []struct {
		name string
		v    Version
		want [][]project.Patch
	}{
		{"None", Version{}, [][]project.Patch{nil}},
		{"dict", a, [][]project.Patch{{pv("a", 1)}}},
		{"empty dict", Patch(map[string]any{}), [][]project.Patch{{{Values: map[string]any{}}}}},
		{"~name", Named("alexnet"), [][]project.Patch{{pn("~alexnet")}}},
		{"~name keeps its tilde", Named("~alexnet"), [][]project.Patch{{pn("~alexnet")}}},
		{"string ~name", VersionString("~mnist"), [][]project.Patch{{pn("~mnist")}}},
		{"YAML string", VersionString("lr: 0.5\nnet: {width: 64}"), [][]project.Patch{{{Values: vals("lr", 0.5, "net", vals("width", int64(64)))}}}},
		{"empty YAML string", VersionString(""), [][]project.Patch{{{Values: map[string]any{}}}}},
		{"tuple", Merge(Named("alexnet"), Patch(vals("lr", 0.5))), [][]project.Patch{{pn("~alexnet"), pv("lr", 0.5)}}},
		{"tuple with None", Merge(Version{}, a), [][]project.Patch{{pv("a", 1)}}},
		{"empty tuple", Merge(), [][]project.Patch{nil}},
		{"list", Iterate(a, b, c), [][]project.Patch{{pv("a", 1)}, {pv("b", 2)}, {pv("c", 3)}}},
		{"list with None", Iterate(Version{}, Named("big")), [][]project.Patch{nil, {pn("~big")}}},
		{"empty list", Iterate(), nil},
		{"list inside tuple", Merge(Named("base"), Iterate(a, b)), [][]project.Patch{
			{pn("~base"), pv("a", 1)},
			{pn("~base"), pv("b", 2)},
		}},
		{"two lists inside tuple: cross product, last varies fastest", Merge(Iterate(a, b), Iterate(c, d)), [][]project.Patch{
			{pv("a", 1), pv("c", 3)},
			{pv("a", 1), pv("d", 4)},
			{pv("b", 2), pv("c", 3)},
			{pv("b", 2), pv("d", 4)},
		}},
		{"nested lists flatten", Iterate(a, Iterate(b, Iterate(c)), d), [][]project.Patch{
			{pv("a", 1)}, {pv("b", 2)}, {pv("c", 3)}, {pv("d", 4)},
		}},
		{"tuple inside list", Iterate(Merge(a, b), c), [][]project.Patch{
			{pv("a", 1), pv("b", 2)}, {pv("c", 3)},
		}},
		{"list of tuples with lists", Iterate(Merge(Named("x"), Iterate(a, b)), Merge(c, Iterate(d))), [][]project.Patch{
			{pn("~x"), pv("a", 1)}, {pn("~x"), pv("b", 2)}, {pv("c", 3), pv("d", 4)},
		}},
		{"empty list inside tuple", Merge(a, Iterate()), [][]project.Patch{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.v.Expand()
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Expand(%s) =\n  %#v\nwant\n  %#v", tc.v, got, tc.want)
			}
		})
	}
}

// TestVersionExpandCopies checks that alternatives sharing a prefix do not
// share backing arrays: changing one must not change another.
func TestVersionExpandCopies(t *testing.T) {
	alts, err := Merge(Patch(vals("a", 1)), Iterate(Patch(vals("b", 2)), Patch(vals("c", 3)))).Expand()
	if err != nil {
		t.Fatal(err)
	}
	alts[0][0] = pn("~changed")
	if want := []project.Patch{pv("a", 1), pv("c", 3)}; !reflect.DeepEqual(alts[1], want) {
		t.Fatalf("second alternative changed: %#v", alts[1])
	}
}

func TestVersionExpandErrors(t *testing.T) {
	cases := []struct {
		name string
		v    Version
		want string
	}{
		{"bad YAML", VersionString("a: ["), `version "a: ["`},
		{"YAML list", VersionString("[1, 2]"), "expected a mapping of config keys"},
		{"YAML scalar", VersionString("5"), "expected a mapping of config keys"},
		{"bad YAML inside list", Iterate(Patch(vals("a", 1)), VersionString("- x")), "expected a mapping of config keys"},
		{"bad YAML inside tuple", Merge(VersionString("{")), `version "{"`},
		{"unknown kind", Version{Kind: "bogus"}, `unknown version kind "bogus"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.v.Expand()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Expand = %v, %v; want an error containing %q", got, err, tc.want)
			}
		})
	}
}

func TestVersionString(t *testing.T) {
	cases := []struct {
		v    Version
		want string
	}{
		{Version{}, "None"},
		{Named("alexnet"), `"~alexnet"`},
		{VersionString("~mnist"), `"~mnist"`},
		{VersionString("lr: 0.5"), `"lr: 0.5"`},
		{Merge(Named("a")), `("~a",)`},
		{Merge(Named("a"), Version{}), `("~a", None)`},
		{Merge(), "()"},
		{Iterate(), "[]"},
		{Iterate(Named("a")), `["~a"]`},
		{Iterate(Version{}, Named("b"), VersionString("x: 1")), `[None, "~b", "x: 1"]`},
		{Merge(Named("base"), Iterate(Named("a"), Named("b"))), `("~base", ["~a", "~b"])`},
		{Iterate(Merge(Named("a")), Iterate(Version{})), `[("~a",), [None]]`},
	}
	for _, tc := range cases {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("String() = %s, want %s", got, tc.want)
		}
	}
	// A dict shows its keys and values; the exact notation is not pinned.
	s := Iterate(Patch(vals("lr", 0.5)), Named("a")).String()
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, `, "~a"]`) || !strings.Contains(s, "lr") || !strings.Contains(s, "0.5") {
		t.Errorf("String() of a list with a dict = %s", s)
	}
}

func TestVersionHelpers(t *testing.T) {
	if !(Version{}).IsDefault() {
		t.Error("zero version is not default")
	}
	for _, v := range []Version{Patch(nil), Named("a"), VersionString("a: 1"), Merge(), Iterate()} {
		if v.IsDefault() {
			t.Errorf("%#v reported as default", v)
		}
	}
	if v := VersionString("~x"); v.Kind != VersionNamed || v.Name != "~x" {
		t.Errorf("VersionString(~x) = %#v", v)
	}
	if v := VersionString("x: 1"); v.Kind != VersionYAML || v.YAML != "x: 1" {
		t.Errorf("VersionString(x: 1) = %#v", v)
	}
	if v := Named(""); v.Name != "~" {
		t.Errorf("Named(\"\") = %#v", v)
	}
}
