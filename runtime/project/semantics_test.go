package project

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// loadSrc loads a project made of one machinable.yaml.
func loadSrc(t *testing.T, src string) *Project {
	t.Helper()
	p, err := Load(writeProject(t, map[string]string{"machinable.yaml": src}))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// loadErr loads a project that must fail and returns the error and the
// path of its machinable.yaml.
func loadErr(t *testing.T, src string) (error, string) {
	t.Helper()
	dir := writeProject(t, map[string]string{"machinable.yaml": src})
	_, err := Load(dir)
	return err, filepath.Join(dir, FileName)
}

func mustConfig(t *testing.T, p *Project, name string, patches ...Patch) m {
	t.Helper()
	c, err := p.Config(name, patches)
	if err != nil {
		t.Fatalf("Config(%s): %v", name, err)
	}
	return c
}

// TestReferencesBeforeVersions: references are resolved when the file is
// loaded, so versions do not change what they gave; $self. in a version
// is the component's own config; a child inherits its parent's resolved
// values and its own references see the merged config.
func TestReferencesBeforeVersions(t *testing.T) {
	p := loadSrc(t, `shared:
  lr: 0.05
components:
  - base:
      lr: 0.1
      copy: $self.lr
      from_root: $.shared.lr
      ~fast: {lr: 0.7, again: $self.lr}
  - child^base:
      lr: 0.2
      mine: $self.lr
      inherited_copy: $self.copy
`)
	tests := []struct {
		name    string
		patches []Patch
		want    m
	}{
		{"base", nil, m{"lr": 0.1, "copy": 0.1, "from_root": 0.05}},
		{"base", []Patch{ver("~fast")}, m{"lr": 0.7, "copy": 0.1, "again": 0.1, "from_root": 0.05, "~fast": m{"lr": 0.7, "again": 0.1}}},
		{"base", []Patch{vals(m{"lr": 0.9})}, m{"lr": 0.9, "copy": 0.1, "from_root": 0.05}},
		{"child", nil, m{"lr": 0.2, "copy": 0.1, "mine": 0.2, "inherited_copy": 0.1, "from_root": 0.05}},
		{"child", []Patch{ver("~fast")}, m{"lr": 0.7, "copy": 0.1, "again": 0.1, "mine": 0.2, "inherited_copy": 0.1, "from_root": 0.05, "~fast": m{"lr": 0.7, "again": 0.1}}},
	}
	for _, tt := range tests {
		assertEqual(t, mustConfig(t, p, tt.name, tt.patches...), tt.want)
	}
}

// TestBracketReferences ports test_parse_reference of 2.x.
func TestBracketReferences(t *testing.T) {
	p := loadSrc(t, `test: 1
me:
  nested: 2
  deep: {structure: 3, with: {nested: 4, to: check}}
key: nested
hello: {world: with}
list: [great, stuff, beautiful]
numbers: {"1": one}
components:
  - me:
      nested: 2
      deep: {structure: 3, with: {nested: 4, to: check}}
      r1: $self.nested
      r2: $.test
      r3: $.me[$.key]
      r4: $.list[$self.nested]
      r5: $.list[$.me[nested]]
      r6: $.list[$.me[$.key]]
      r7: $self.deep[$.hello[world]][$.key]
      r8: $self.deep[$.hello[world]].to
      r9: $.list[0]
      r10: $.numbers[$.test]
      r11: $.list.1
`)
	c := mustConfig(t, p, "me")
	for k, want := range map[string]any{
		"r1": int64(2), "r2": int64(1), "r3": int64(2), "r4": "beautiful", "r5": "beautiful", "r6": "beautiful",
		"r7": int64(4), "r8": "check", "r9": "great", "r10": "one", "r11": "stuff",
	} {
		assertEqual(t, c[k], want)
	}
}

// TestFlatKeys: dotted keys are unflattened in machinable.yaml and in
// patches, unless _unflatten is false; only top-level keys, as in 2.x.
func TestFlatKeys(t *testing.T) {
	p := loadSrc(t, `components:
  - a:
      model.width: 64
      model.depth: 2
      opt: {sched.kind: cos}
      copy: $self.model.width
      ~wide:
        model.width: 128
  - keep:
      _unflatten: false
      a.b: 1
`)
	assertEqual(t, mustConfig(t, p, "a"), m{"model": m{"width": int64(64), "depth": int64(2)}, "opt": m{"sched.kind": "cos"}, "copy": int64(64)})
	assertEqual(t, mustConfig(t, p, "a", ver("~wide"))["model"], m{"width": int64(128), "depth": int64(2)})
	assertEqual(t, mustConfig(t, p, "a", vals(m{"model.depth": 4}))["model"], m{"width": int64(64), "depth": int64(4)})
	assertEqual(t, mustConfig(t, p, "a", vals(m{"x.y": 1, "_unflatten": false}))["x.y"], int64(1))
	assertEqual(t, mustConfig(t, p, "keep"), m{"_unflatten": false, "a.b": int64(1)})

	u, err := Unflatten(m{"a.b": 1, "a": m{"c": 2}, "d": 3})
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, u, m{"a": m{"b": int64(1), "c": int64(2)}, "d": int64(3)})
	u, _ = Unflatten(m{"a.b": 1, "_unflatten": false})
	assertEqual(t, u, m{"a.b": int64(1), "_unflatten": false})
	_, err = Unflatten(m{"a": 1, "a.b": 2})
	assertError(t, err, `dotted key "a.b": "a" is an integer (1), not a mapping`)

	for _, tt := range []struct{ src, want string }{
		{"components:\n  - a:\n      x: 1\n      x.y: 2\n", `:4: component "a": dotted key "x.y": "x" is an integer (1), not a mapping`},
		{"components:\n  - a:\n      x: {y: 1}\n      x.y: 2\n", `:4: component "a": dotted key "x.y": "x.y" is set twice`},
		{"components:\n  - a:\n      x..y: 2\n", `:3: component "a": dotted key "x..y": expected names separated by single dots`},
	} {
		err, file := loadErr(t, tt.src)
		assertError(t, err, file+tt.want)
	}
}

// TestReservedKeys: 2.x's internal names are refused, _evaluate only
// below the top; method names of 2.x's config objects give a warning.
func TestReservedKeys(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"components:\n  - a:\n      _map: 1\n", `:3: component "a": key "_map": "_map" is reserved by machinable anywhere in a config`},
		{"components:\n  - a:\n      x:\n        _dynamic: 1\n", `:4: component "a": key "x._dynamic": "_dynamic" is reserved`},
		{"components:\n  - a:\n      l: [{_evaluated: 1}]\n", `:3: component "a": key "l.0._evaluated": "_evaluated" is reserved`},
		{"components:\n  - a:\n      x: {_evaluate: false}\n", `:3: component "a": key "x._evaluate": "_evaluate" is reserved by machinable below the top level of a component or version`},
		{"mixins:\n  - m:\n      ~v: {x: {_map: 1}}\n", `:3: mixin "m": key "~v.x._map": "_map" is reserved`},
	} {
		err, file := loadErr(t, tt.src)
		assertError(t, err, file+tt.want)
	}

	p := loadSrc(t, `_evaluate: false
components:
  - off:
  - on:
      _evaluate: true
      ~lazy: {_evaluate: false}
      copy: 1
`)
	assertEqual(t, mustConfig(t, p, "off"), m{"_evaluate": false})
	if Evaluate(mustConfig(t, p, "off")) || !Evaluate(mustConfig(t, p, "on")) || Evaluate(mustConfig(t, p, "on", ver("~lazy"))) || !Evaluate(m{}) {
		t.Error("Evaluate does not follow _evaluate")
	}
	assertEqual(t, mustConfig(t, p, "on")["_evaluate"], true)
	assertEqual(t, mustConfig(t, p, "on", ver("~lazy"))["_evaluate"], false)
	if w := p.Warnings(); len(w) != 1 || !strings.Contains(w[0], `machinable.yaml:7: component "on": key "copy": "copy" is also a method name`) {
		t.Errorf("warnings = %q", w)
	}
	// Without a top-level _evaluate the configs are left alone.
	assertEqual(t, mustConfig(t, loadSrc(t, "components:\n  - a:\n"), "a"), m{})
}

// TestUpdateDict: 2.x's update_dict.
func TestUpdateDict(t *testing.T) {
	tests := []struct {
		name              string
		base, patch, want m
		err               string
	}{
		{"maps merge", m{"a": m{"x": 1, "y": 2}}, m{"a": m{"y": 3}}, m{"a": m{"x": 1, "y": 3}}, ""},
		{"lists replace", m{"l": []any{1, 2, 3}}, m{"l": []any{7}}, m{"l": []any{7}}, ""},
		{"None replaces", m{"a": m{"x": 1}}, m{"a": nil}, m{"a": nil}, ""},
		{"mapping onto None", m{"a": nil}, m{"a": m{"x": 1}}, m{"a": m{"x": 1}}, ""},
		{"mapping onto missing", m{}, m{"a": m{"x": 1}}, m{"a": m{"x": 1}}, ""},
		{"empty mapping onto scalar", m{"a": 5}, m{"a": m{}}, m{"a": 5}, ""},
		{"scalar onto mapping", m{"a": m{"x": 1}}, m{"a": "flat"}, m{"a": "flat"}, ""},
		{"mapping onto scalar", m{"a": m{"b": 5}}, m{"a": m{"b": m{"c": 1}}}, nil, `key "a.b": cannot merge a mapping into an integer (5)`},
		{"mapping onto list", m{"a": []any{1}}, m{"a": m{"c": 1}}, nil, `key "a": cannot merge a mapping into a list`},
	}
	for _, tt := range tests {
		got, err := UpdateDict(tt.base, tt.patch)
		if tt.err != "" {
			assertError(t, err, tt.err)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		assertEqual(t, got, normalize(tt.want)) // Go ints become int64
	}

	// Patches accumulate into one update first (2.0): a None in an
	// earlier patch does not clear the defaults under a later mapping.
	p := loadSrc(t, "components:\n  - a:\n      opt: {lr: 1, momentum: 0.9}\n")
	assertEqual(t, mustConfig(t, p, "a", vals(m{"opt": nil}), vals(m{"opt": m{"lr": 2}}))["opt"], m{"lr": int64(2), "momentum": 0.9})
	assertEqual(t, mustConfig(t, p, "a", vals(m{"opt": nil}))["opt"], nil)

	// Inheritance merges the same way: an error at Load.
	err, file := loadErr(t, "components:\n  - base:\n      a: 5\n  - child^base:\n      a: {x: 1}\n")
	assertError(t, err, file+`:5: component "child^base": key "a": cannot merge a mapping into an integer (5) inherited from "base"`)
}

// TestGroupsAndAliases: 2.0's parse_module_list.
func TestGroupsAndAliases(t *testing.T) {
	p := loadSrc(t, `components:
  - optimization:
      lr: 0.1
  - base:
      where: top
  - long.name^base=short:
      tag: 2.x order
components:models:
  - baseline:
      width: 32
  - vision.resnet=resnet^baseline:
      depth: 50
  - models.explicit:
  - x^optimization:
  - ^baseline=wide:
      width: 64
  - base:
      where: group
  - child^base:
components:models=more:
  - extra:
components:data:
  - baseline:
`)
	tests := []struct {
		lookup string
		want   Component
	}{
		{"baseline", Component{Name: "models.baseline", Module: "models.baseline", Line: 9}},
		{"data.baseline", Component{Name: "data.baseline", Module: "data.baseline", Line: 23}},
		{"models.resnet", Component{Name: "models.vision.resnet", Module: "models.vision.resnet", Alias: "resnet", Parent: "models.baseline", Line: 11}},
		{"resnet", Component{Name: "models.vision.resnet", Module: "models.vision.resnet", Alias: "resnet", Parent: "models.baseline", Line: 11}},
		{"vision.resnet", Component{Name: "models.vision.resnet", Module: "models.vision.resnet", Alias: "resnet", Parent: "models.baseline", Line: 11}},
		{"models.explicit", Component{Name: "models.explicit", Module: "models.explicit", Line: 13}},
		{"x", Component{Name: "models.x", Module: "models.x", Parent: "optimization", Line: 14}},
		{"wide", Component{Name: "models.wide", Module: "models.baseline", Parent: "models.baseline", Line: 15}},
		{"extra", Component{Name: "models.extra", Module: "models.extra", Line: 21}},
		{"short", Component{Name: "long.name", Module: "long.name", Alias: "short", Parent: "base", Line: 6}},
		// A parent in the group wins over one outside it (2.14).
		{"models.child", Component{Name: "models.child", Module: "models.child", Parent: "models.base", Line: 19}},
		{"base", Component{Name: "base", Module: "base", Line: 4}},
	}
	for _, tt := range tests {
		c, err := p.Component(tt.lookup)
		if err != nil {
			t.Errorf("%s: %v", tt.lookup, err)
			continue
		}
		assertEqual(t, *c, tt.want)
	}
	assertEqual(t, mustConfig(t, p, "wide"), m{"width": int64(64)})
	assertEqual(t, mustConfig(t, p, "models.child"), m{"where": "group"})

	for _, tt := range []struct{ src, want string }{
		{"components:models=m:\n  - a:\ncomponents:data=m:\n  - b:\n", `:3: section "components:data=m": alias "m" is already used by the components section at line 1`},
		{"components:models:\n  - a:\ncomponents:data=models:\n  - b:\n", `:3: section "components:data=models": alias "models" is already used`},
		{"components:models=my-alias:\n  - a:\n", `:1: invalid section alias "my-alias"`},
		{"components:models:\n  - a=b:\n  - c=b:\n", `:3: component "c=b": alias "models.b" is already declared at line 2`},
	} {
		err, file := loadErr(t, tt.src)
		assertError(t, err, file+tt.want)
	}
}

// TestMixins: the mixins: sections and _mixins_ lists.
func TestMixins(t *testing.T) {
	p := loadSrc(t, `components:
  - models.baseline:
      width: 32
  - a:
      _mixins_: mnist
      size: 1
  - b:
      _mixins_: [{name: data.mnist, attribute: _d_}, refmix]
  - c:
      lr: 0.1
      ~with_mixin:
        _mixins_: [base_as_mixin, "^"]
mixins:
  - refmix:
      x: 1
      y: $self.x
  - models.baseline=base_as_mixin:
      from_mixin: true
mixins:data:
  - mnist:
      size: 60000
      name: mnist
      ~small: {size: 100}
  - fashion^mnist:
      name: fashion
`)
	assertEqual(t, mustConfig(t, p, "a"), m{"size": int64(1), "name": "mnist", "_mixins_": []any{m{"name": "mnist", "origin": "data.mnist", "attribute": "_mnist_"}}})
	// A mixin's versions are the component's too.
	assertEqual(t, mustConfig(t, p, "a", ver("~small"))["size"], int64(100))
	assertEqual(t, mustConfig(t, p, "b"), m{"size": int64(60000), "name": "mnist", "x": int64(1), "y": int64(1),
		"_mixins_": []any{m{"name": "data.mnist", "origin": "data.mnist", "attribute": "_d_"}, m{"name": "refmix", "origin": "refmix", "attribute": "_refmix_"}}})
	// A version that lists mixins (an extension of 2.9.3's dict form).
	c := mustConfig(t, p, "c", ver("~with_mixin"))
	assertEqual(t, c["from_mixin"], true)
	assertEqual(t, c["_mixins_"], []any{m{"name": "base_as_mixin", "origin": "models.baseline", "attribute": "_base_as_mixin_"}})
	assertEqual(t, mustConfig(t, p, "c", vals(m{"_mixins_": "fashion"}))["name"], "fashion")
	vs, _ := p.Versions("a")
	assertEqual(t, vs, []string{"~small"})

	mx, err := p.Mixin("fashion")
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, *mx, Component{Name: "data.fashion", Module: "data.fashion", Parent: "data.mnist", Line: 24})
	mx, _ = p.Mixin("base_as_mixin")
	assertEqual(t, mx.Module, "models.baseline")
	assertEqual(t, p.MixinNames(), []string{"base_as_mixin", "data.fashion", "data.mnist", "fashion", "mnist", "models.baseline", "refmix"})
	_, err = p.Mixin("mnst")
	assertError(t, err, `unknown mixin "mnst" (did you mean "mnist"?); known mixins in `+p.File+`: base_as_mixin, data.fashion, data.mnist, models.baseline, refmix`)
	if !errors.Is(err, ErrUnknownMixin) {
		t.Errorf("%v does not wrap ErrUnknownMixin", err)
	}
	// Components and mixins are separate.
	if _, err := p.Component("refmix"); err == nil {
		t.Error("a mixin was found as a component")
	}

	_, err = p.Config("a", []Patch{vals(m{"_mixins_": []any{"nope"}})})
	assertError(t, err, `component "a": patch 1: _mixins_: unknown mixin "nope"; known mixins: base_as_mixin, data.fashion, data.mnist, models.baseline, refmix`)

	for _, tt := range []struct{ src, want string }{
		{"mixins:\n  - data:\ncomponents:\n  - a:\n      x: 1\n      _mixins_:\n        - dta\n",
			`:6: component "a": key "_mixins_": unknown mixin "dta" (did you mean "data"?); known mixins: data`},
		{"components:\n  - a:\n      _mixins_: [x]\n", `:3: component "a": key "_mixins_": unknown mixin "x"; no mixins are declared (add a mixins: section)`},
		{"components:\n  - a:\n      _mixins_: 5\n", `:3: component "a": key "_mixins_": expected a mixin name or a list of them, got an integer`},
		{"mixins:\n  - m:\ncomponents:\n  - a:\n      _mixins_: [{attribute: x}]\n", `:5: component "a": key "_mixins_": item 1: expected a mapping with a name`},
		{"mixins:\n  - m:\ncomponents:\n  - a:\n      _mixins_: [\"^\"]\n", `:5: component "a": key "_mixins_": "^" stands for the component's own mixins only in a version's _mixins_`},
		{"mixins:\n  - m:\ncomponents:\n  - a:\n      ~v:\n        _mixins_: [n]\n", `:6: component "a": key "~v._mixins_": unknown mixin "n"`},
		{"mixins:\n  - m:\ncomponents:\n  - a:\n      _mixins_: [+.vendor.m]\n", `:5: component "a": key "_mixins_": mixin "+.vendor.m": no vendor projects are listed under + in `},
	} {
		err, file := loadErr(t, tt.src)
		assertError(t, err, file+tt.want)
		if strings.Contains(tt.want, "unknown mixin") && !errors.Is(err, ErrUnknownMixin) {
			t.Errorf("%v does not wrap ErrUnknownMixin", err)
		}
	}
}

func TestParseMethodCallKw(t *testing.T) {
	tests := []struct {
		s      string
		name   string
		args   []any
		kwargs []KeyValue
		ok     bool
	}{
		{"base_lr(0.01)", "base_lr", []any{0.01}, nil, true},
		{"f(1, works=True)", "f", []any{int64(1)}, []KeyValue{{"works", true}}, true},
		{"f(a=1, b='x', c=None)", "f", []any{}, []KeyValue{{"a", int64(1)}, {"b", "x"}, {"c", nil}}, true},
		{"arghello('world')", "arghello", []any{"world"}, nil, true},
		{`f("a)", 'it''s (', "q\"(")`, "f", []any{"a)", "its (", `q"(`}, nil, true},
		{`f('it\'s', r'\d+', u"x", """tri"ple""")`, "f", []any{"it's", `\d+`, "x", `tri"ple`}, nil, true},
		{`f('\x41\n\u00e9\101')`, "f", []any{"A\né" + "A"}, nil, true},
		{"f(True, False, None)", "f", []any{true, false, nil}, nil, true},
		{"f(-1, +2, 1e-3, 1_000, 0x1F, 0o17, 0b11, .5, 1., -.5)", "f", []any{int64(-1), int64(2), 0.001, int64(1000), int64(31), int64(15), int64(3), 0.5, 1.0, -0.5}, nil, true},
		{"f([1, (2, 3), (4,), ()], {'k': [None]},)", "f", []any{[]any{int64(1), []any{int64(2), int64(3)}, []any{int64(4)}, []any{}}, m{"k": []any{nil}}}, nil, true},
		{"f((5))", "f", []any{int64(5)}, nil, true},
		{"f (1)", "f", []any{int64(1)}, nil, true}, // 2.x allows one blank
		{"f()", "f", []any{}, nil, true},
		// Not Python literals: read as YAML, as ParseMethodCall does.
		{"_private(true, null, {a: 1})", "_private", []any{true, nil, m{"a": int64(1)}}, nil, true},
		{"f(a b)", "f", []any{"a b"}, nil, true},
		{"f(017)", "f", []any{int64(15)}, nil, true},
		{"plain text", "", nil, nil, false},
		{"(1)", "", nil, nil, false},
		{"a.b(1)", "", nil, nil, false},
		{"f  (1)", "", nil, nil, false},
		{"f(1", "", nil, nil, false},
		{"f(1))", "", nil, nil, false},
		{"f(1, k=2, 3)", "", nil, nil, false},
		{"f(k=1, k=2)", "", nil, nil, false},
		{"$self.a", "", nil, nil, false},
		{"", "", nil, nil, false},
	}
	for _, tt := range tests {
		name, args, kwargs, ok := ParseMethodCallKw(tt.s)
		if ok != tt.ok || name != tt.name {
			t.Errorf("ParseMethodCallKw(%q) = %q, %v, %v, %v; want %q, %v, %v, %v", tt.s, name, args, kwargs, ok, tt.name, tt.args, tt.kwargs, tt.ok)
			continue
		}
		if ok {
			assertEqual(t, args, tt.args)
			assertEqual(t, kwargs, tt.kwargs)
		}
	}
}
