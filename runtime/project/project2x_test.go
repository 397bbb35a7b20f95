package project

import (
	"errors"
	"testing"
)

// The tests below port cases of machinable 2.x's own tests
// (tests/config/config_interface_test.py, config_loader_test.py and
// project/project_test.py at v2.0.0 and v2.14.0) to the project in
// testdata/project2x, a copy of 2.x's test project without its vendor
// parts.

func ver(name string) Patch        { return Patch{Version: name} }
func vals(values m) Patch          { return Patch{Values: values} }
func seq(patches ...Patch) []Patch { return patches }

// config2x resolves name in the ported project.
func config2x(t *testing.T, name string, patches ...Patch) m {
	t.Helper()
	c, err := load(t, "project2x").Config(name, patches)
	if err != nil {
		t.Fatalf("Config(%s, %v): %v", name, patches, err)
	}
	return c
}

// test_config_loader_from_file and test_parse_config.
func TestProject2xLoader(t *testing.T) {
	p := load(t, "project2x")
	v, _ := p.Section("outsource")
	assertEqual(t, v, m{"hello": "success"})
	v, _ = p.Section("scientific")
	assertEqual(t, v, 5e-6)
	assertEqual(t, config2x(t, "childexp")["a"], int64(2))
	assertEqual(t, config2x(t, "cool")["bla"], "blub")
	// Inheritance across sections: the parent in the group first, then by
	// its full name.
	assertEqual(t, config2x(t, "workers.inheritance_from_other_section")["alpha"], int64(0))
	assertEqual(t, config2x(t, "inheritance_from_outer_section")["id"], int64(-1))
	c, err := p.Component("observations")
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, c.Name, "nodes.observations")
}

// test_config_versioning (2.0 and 2.14).
func TestProject2xVersioning(t *testing.T) {
	tests := []struct {
		name      string
		component string
		patches   []Patch
		want      m // keys to check
	}{
		{"dict", "thenode", seq(vals(m{"alpha": -1})), m{"alpha": int64(-1)}},
		{"two dicts", "thenode", seq(vals(m{"a": 1}), vals(m{"a": 2, "b": 3})), m{"a": int64(2), "b": int64(3)}},
		{"one", "thenode", seq(ver("~one")), m{"alpha": int64(1)}},
		{"two on thechildren", "thechildren", seq(ver("~two")), m{"alpha": int64(2)}},
		{"three one two", "thenode", seq(ver("~three"), ver("~one"), ver("~two")), m{"alpha": int64(2), "beta": m{"test": true}}},
		// 2.0: a later ~name is also looked up in the versions applied.
		{"nested", "thenode", seq(ver("~three"), ver("~nested")),
			m{"works": true, "nested": true, "alpha": int64(4), "beta": "nested"}},
		{"top-level only", "thenode", seq(ver("~two"), ver("~nested")), m{"alpha": int64(2), "nested": true}},
		{"nested twice", "thenode", seq(ver("~three"), ver("~nested"), ver("~nestednested")),
			m{"works": true, "alpha": int64(5), "q": int64(-1), "beta": "overwritten", "added": "value"}},
		// 2.9.1+: a path of nested versions.
		{"path", "thenode", seq(ver("~three:nested")),
			m{"unaffected": "value", "nested": nil, "alpha": int64(4), "beta": "nested", "works": false}},
		{"longer path", "thenode", seq(ver("~three:nested:nestednested")),
			m{"unaffected": "value", "works": false, "alpha": int64(5), "beta": "overwritten", "added": "value"}},
		// A mixin's config as a version.
		{"mixin", "thenode", seq(ver("_trait_")), m{"alpha": int64(0), "key": m{"mixing": "will be", "very": "powerful"}}},
		{"inherited mixin", "thechildren", seq(ver("_extended_")), m{"alpha": int64(0), "key": m{"mixing": "is", "very": "powerful", "overwritten": "cool"}}},
		// None in a tuple is ignored.
		{"zero patches", "thenode", seq(Patch{}, vals(m{"alpha": -1}), Patch{}), m{"alpha": int64(-1)}},
		// 2.0 keeps the versions applied by name, and only those.
		{"applied versions stay", "thenode", seq(ver("~three"), ver("~nested")),
			m{"~three": m{"alpha": int64(3), "unaffected": "value",
				"~nested": m{"works": false, "alpha": int64(4), "beta": "nested",
					"~nestednested": m{"beta": "overwritten", "alpha": int64(5), "added": "value"}},
				"~second_nested": m{"should_not_be": "selected"}},
				"~nested": m{"nested": true, "works": false, "alpha": int64(4), "beta": "nested",
					"~nestednested": m{"beta": "overwritten", "alpha": int64(5), "added": "value"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config2x(t, tt.component, tt.patches...)
			for k, want := range tt.want {
				assertEqual(t, c[k], want)
			}
			if tt.name == "path" {
				if _, ok := c["should_not_be"]; ok {
					t.Error("~three:nested took keys of ~three:second_nested")
				}
			}
			for k := range c {
				applied := false
				for _, pt := range tt.patches {
					applied = applied || pt.Version == k
				}
				if k[0] == '~' && !applied {
					t.Errorf("version %s stayed in the config without being applied", k)
				}
			}
		})
	}

	// Unknown versions are errors, also after a version applied (2.0
	// ignored "~typo" there).
	p := load(t, "project2x")
	for _, patches := range [][]Patch{seq(ver("~non-existent")), seq(ver("~one"), ver("~typo")), seq(ver("~three:nope"))} {
		_, err := p.Config("thenode", patches)
		if !errors.Is(err, ErrUnknownVersion) {
			t.Errorf("%v: error %v does not wrap ErrUnknownVersion", patches, err)
		}
	}
	_, err := p.Config("thenode", seq(ver("~one"), ver("~nestd")))
	assertError(t, err, `component "thenode" has no version "~nestd" (did you mean "~nested"?); versions in `+p.File+`: ~nested, ~nestednested, ~one, ~three, ~two`)
	_, err = p.Config("thenode", seq(ver("~three:nestd")))
	assertError(t, err, `component "thenode" has no version "~three:nestd": "~three" holds no version "~nestd" (did you mean "~nested"?); versions there: ~nested, ~second_nested`)

	// What ConfigInfo tells about the versions applied.
	r, err := p.ConfigInfo("thenode", seq(vals(m{"a": 1}), ver("~three:nested"), ver("_trait_"), ver("~two")))
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, r.Versions, []string{"~three:nested", "_trait_", "~two"})
	assertEqual(t, r.Versioning, []string{"three:nested", "two"})
	assertEqual(t, r.Config["~two"], m{"alpha": int64(2)})
	if _, ok := r.Config["~three"]; ok {
		t.Error("~three stayed, applied only through ~three:nested")
	}

	// A mapping merged onto a value an earlier version set is an error.
	_, err = p.Config("thenode", seq(ver("~three:nested"), ver("~one")))
	assertError(t, err, `component "thenode": version "~one": key "beta": cannot merge a mapping into a string ("nested") set by an earlier version`)
}

// test_config_mixin_handler (2.0) and test_config_mixins (2.14).
func TestProject2xMixins(t *testing.T) {
	c := config2x(t, "mixexp")
	assertEqual(t, c["hello"], "there")                  // preserved the config
	assertEqual(t, c["key"].(m)["extension"], "enabled") // extended key update
	assertEqual(t, c["key"].(m)["overwritten"], "cool")  // mixin
	assertEqual(t, c["key"].(m)["mixing"], "is")         // mixin inheritance
	assertEqual(t, c["elephant"], "at_home")
	assertEqual(t, c[mixinsKey], []any{
		m{"name": "elephant_mixin", "origin": "elephant_mixin", "attribute": "_elephant_mixin_"},
		m{"name": "extended", "origin": "extended", "attribute": "_extended_"},
	})

	versionMixin := m{"_mixins_": []any{"version_mixin"}}
	tests := []struct {
		name      string
		component string
		patches   []Patch
		want      m
		absent    string
	}{
		{"replaced", "mixexp", seq(ver("~test"), vals(versionMixin)), m{"mixed_in": true, "foo": int64(1)}, "elephant"},
		{"with the defaults", "mixexp", seq(ver("~test"), vals(m{"_mixins_": []any{"^", "version_mixin"}})),
			m{"elephant": "at_home", "mixed_in": true, "foo": int64(1)}, ""},
		{"on a component without mixins", "thenode", seq(ver("~test"), vals(versionMixin)), m{"mixed_in": true, "foo": int64(1)}, ""},
		{"path into a mixin's version", "thenode", seq(ver("~test:nest"), vals(m{"_mixins_": []any{"^", "version_mixin"}})),
			m{"mixed_in": nil, "foo": int64(1), "ba": int64(2)}, ""},
		{"overriding mixin merges into versions", "thenode", seq(ver("~three:nested"), vals(m{"_mixins_": []any{"version_mixin", "^"}})),
			m{"alpha": int64(4), "added": "blocker", "unaffected": "value", "beta": "override"}, ""},
		{"dict before the version", "thenode", seq(vals(m{"_mixins_": []any{"trait", "version_mixin"}}), ver("~three:nested")),
			m{"alpha": int64(4), "added": "blocker", "unaffected": "value", "beta": "override"}, ""},
		{"overrides: true", "thenode", seq(vals(m{"_mixins_": []any{m{"name": "version_mixin", "overrides": true}}}), ver("~three:nested")),
			m{"alpha": int64(4), "added": "blocker", "unaffected": "value", "beta": "override"}, ""},
		{"overrides: false", "thenode", seq(vals(m{"_mixins_": []any{m{"name": "trait", "overrides": false}, m{"name": "mixin_module", "overrides": false}, "version_mixin", "^"}}), ver("~three:nested")),
			m{"key": m{"mixing": nil, "very": nil}, "hello": "there"}, ""},
		{"inherited _mixins_", "export_model", nil, m{"hello": "there", "exported": true, "bla": "blub"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config2x(t, tt.component, tt.patches...)
			for k, want := range tt.want {
				assertEqual(t, c[k], want)
			}
			if _, ok := c[tt.absent]; tt.absent != "" && ok {
				t.Errorf("%s is still in the config", tt.absent)
			}
		})
	}

	r, err := load(t, "project2x").ConfigInfo("mixexp", seq(ver("~test"), vals(versionMixin)))
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, r.Mixins, []MixinRef{{Name: "version_mixin", Origin: "version_mixin", Module: "version_mixin", Attribute: "_version_mixin_"}})
	assertEqual(t, r.Config[mixinsKey], []any{m{"name": "version_mixin", "origin": "version_mixin", "attribute": "_version_mixin_"}})
}

// test_unflatten_arguments (2.14).
func TestProject2xUnflatten(t *testing.T) {
	c := config2x(t, "flattened_notation")
	assertEqual(t, c["flat"].(m)["nested"], true)
	assertEqual(t, c["inherited"], m{"flat": "value"})
	assertEqual(t, c["flat"].(m)["can"], m{"be": m{"useful": true}})
	assertEqual(t, c["flat"].(m)["can_also_save_space"], " ")

	c = config2x(t, "flattened_notation", vals(m{"flat.merge": "merged", "more.nested.values": "here", "flat.can_also_save_space": "overwritten"}))
	assertEqual(t, c["flat"].(m)["can"], m{"be": m{"useful": true}})
	assertEqual(t, c["flat"].(m)["can_also_save_space"], "overwritten")
	assertEqual(t, c["flat"].(m)["merge"], "merged")
	assertEqual(t, c["more"], m{"nested": m{"values": "here"}})

	c = config2x(t, "flattened_notation", ver("~flat_version"))
	assertEqual(t, c["flat"].(m)["can"], m{"be": m{"useful": true}})
	assertEqual(t, c["flat"].(m)["nested"], false)
	assertEqual(t, c["flat"].(m)["version"], int64(2))
}

// The config methods of the test project: arguments are Python literals.
func TestProject2xConfigMethods(t *testing.T) {
	c := config2x(t, "configmethods")
	type call struct {
		name   string
		args   []any
		kwargs []KeyValue
	}
	for key, want := range map[string]call{
		"method":        {"hello", []any{}, nil},
		"argmethod":     {"arghello", []any{"world"}, nil},
		"global_method": {"global_conf", []any{}, []KeyValue{{"works", true}}},
	} {
		name, args, kwargs, ok := ParseMethodCallKw(c[key].(string))
		if !ok {
			t.Errorf("%s: %q is not a call", key, c[key])
			continue
		}
		assertEqual(t, call{name, args, kwargs}, want)
	}
}
