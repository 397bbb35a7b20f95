package project

import (
	"path/filepath"
	"testing"
)

// TestLoadErrors asserts the message of every error Load reports about a
// broken machinable.yaml: file, line, key and what was expected.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // after "<dir>/machinable.yaml"
	}{
		{"yaml syntax names the offending line",
			"components:\n  - a:\n      lr: [1, 2\n  - b:\n",
			`:4: column 3: ',' or ']' must be specified`},
		{"a tab in the indentation",
			"components:\n  - a:\n      lr: 1\n\t  - b:\n",
			`:4: column 1: found character '\t' that cannot start any token`},
		{"a stray bracket",
			"components:\n  - a:\n      lr: [1, 2]]\n",
			`:3: column 17: value is not allowed in this context`},
		{"top level not a mapping",
			"- a\n- b\n",
			`:1: expected a mapping at the top level (components: and other sections), got a list`},
		{"duplicate top-level key",
			"components:\n  - a:\nshared: 1\ncomponents:\n  - b:\n",
			`:4: duplicate top-level key "components" (first at line 1)`},
		{"components not a list",
			"components: 5\n",
			`:1: "components": expected a list of components (- name: {config}) or a mapping of name: config, got a scalar`},
		{"group not a list",
			"components:models: text\n",
			`:1: "components:models": expected a list of components`},
		{"invalid group",
			"components:my models:\n  - a:\n",
			`:1: invalid group "my models": expected components:GROUP`},
		{"list item with several keys",
			"components:\n  - a:\n    lr: 1\n",
			`:2: "components": expected one component per list item (- name: {config}), got 2 keys: a, lr (is the config indented under the name?)`},
		{"list item not a mapping",
			"components:\n  - [a, b]\n",
			`:2: "components": expected a list item of the form - name: {config}, got a list`},
		{"config not a mapping",
			"components:\n  - a: [1, 2]\n",
			`:2: component "a": expected a mapping of config keys, got a list`},
		{"invalid name",
			"components:\n  - a:\n  - bad name:\n",
			`:3: component "bad name": invalid name "bad name": expected NAME[^PARENT][=ALIAS]`},
		{"invalid alias",
			"components:\n  - a=:\n",
			`:2: component "a=": invalid alias "": expected NAME[^PARENT][=ALIAS]`},
		{"two parents",
			"components:\n  - base:\n  - a^base^b:\n",
			`:3: component "a^base^b": expected NAME[^PARENT][=ALIAS] with dotted names of letters, digits, _ and -, with at most one ^ and one =`},
		{"no name without alias",
			"components:\n  - base:\n  - ^base:\n",
			`:3: component "^base": a component without a name reuses its parent's code and needs an alias to be found by: ^base=ALIAS`},
		{"duplicate name",
			"components:\n  - a:\n  - b:\n  - a:\n",
			`:4: component "a": name "a" is already declared at line 2`},
		{"duplicate name across forms",
			"components:\n  - a^b:\n  - b:\n  - a=c:\n",
			`:4: component "a=c": name "a" is already declared at line 2`},
		{"duplicate alias",
			"components:\n  - long.a=s:\n  - long.b=s:\n",
			`:3: component "long.b=s": alias "s" is already declared at line 2`},
		{"alias equal to another name",
			"components:\n  - s:\n  - long.b=s:\n",
			`:3: component "long.b=s": alias "s" is already declared at line 2`},
		{"grouped name clashes with full name",
			"components:\n  - models.a:\ncomponents:models:\n  - a:\n",
			`:4: component "a": name "models.a" is already declared at line 2`},
		{"unknown parent",
			"components:\n  - x:\n  - z^y:\n",
			`:3: component "z^y": unknown parent component "y"`},
		{"unknown parent suggestion",
			"components:\n  - baseline:\n  - child^baselin:\n",
			`:3: component "child^baselin": unknown parent component "baselin" (did you mean "baseline"?)`},
		{"inheritance cycle",
			"components:\n  - a^b:\n  - b^c:\n  - c^a:\n",
			`:2: component "a^b": inheritance cycle a -> b -> c -> a`},
		{"inherits itself",
			"components:\n  - a^a:\n",
			`:2: component "a^a": inheritance cycle a -> a`},
		{"version not a mapping",
			"components:\n  - a:\n      lr: 1\n      ~fast: 3\n",
			`:4: component "a": version "~fast": expected a mapping of config keys, got an integer`},
		{"version without name",
			"components:\n  - a:\n      \"~\": {lr: 1}\n",
			`:3: component "a": expected a version name after ~ (like ~mnist)`},
		{"duplicate config key",
			"components:\n  - a:\n      lr: 1\n      model:\n        w: 1\n        w: 2\n",
			`:6: component "a": key "model": duplicate key "w" (first at line 5)`},
		{"integer too large",
			"components:\n  - a:\n      n: 99999999999999999999\n",
			`:3: component "a": key "n": integer 99999999999999999999 does not fit into 64 bits`},
		{"complex key",
			"components:\n  - a:\n      ? [1, 2]\n      : x\n",
			`:3: component "a": expected a scalar mapping key, got a list`},
		{"merge key not a mapping",
			"components:\n  - a:\n      <<: 3\n",
			`:3: component "a": expected a mapping (or a list of mappings) after <<, got an integer`},
		{"recursive alias",
			"shared: &s\n  self: *s\ncomponents:\n",
			`:2: key "shared.self": recursive YAML alias *s`},
		{"include error in another section",
			"shared:\n  data: $/nope.yaml\ncomponents:\n  - a:\n",
			`:2: key "shared.data": include "$/nope.yaml": no such file `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeProject(t, map[string]string{"machinable.yaml": tt.src})
			_, err := Load(dir)
			assertError(t, err, filepath.Join(dir, FileName)+tt.want)
		})
	}
}

// TestIncludeErrors uses fixture projects with included files.
func TestIncludeErrors(t *testing.T) {
	tests := []struct {
		fixture string
		want    []string
	}{
		{"include_missing", []string{
			`machinable.yaml:3: component "a": key "data": include "$/configs/missing.yaml": no such file `,
			filepath.Join("include_missing", "configs", "missing.yaml"),
		}},
		{"include_badyaml", []string{
			`machinable.yaml:4: component "a": key "data": include "$/configs/bad.yaml": `,
			filepath.Join("include_badyaml", "configs", "bad.yaml") + ":2: column 1: non-map value is specified",
		}},
		{"include_badjson", []string{
			`machinable.yaml:2: component "a": include "$/configs/bad.json": `,
			filepath.Join("include_badjson", "configs", "bad.json") + ":4: invalid character '}'",
		}},
		{"include_badjson2", []string{
			`machinable.yaml:3: component "a": key "x": include "$/configs/two.json": `,
			filepath.Join("include_badjson2", "configs", "two.json") + ":2: expected a single JSON value",
		}},
		{"include_cycle", []string{
			filepath.Join("include_cycle", "configs", "two.yaml") + `:1: key "x.two.back": include "$/configs/one.yaml": include cycle: configs/one.yaml -> configs/two.yaml -> configs/one.yaml`,
			`machinable.yaml:3: component "a": key "x": include "$/configs/one.yaml": `,
		}},
		{"include_ext", []string{
			`machinable.yaml:3: component "a": key "x": include "$/configs/data.txt": expected a path to a .yaml, .yml or .json file after $/`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", tt.fixture))
			assertError(t, err, tt.want...)
		})
	}
}

// TestReferenceErrors asserts reference errors, reported by Load: the
// file and line of the key holding the reference, the component, the key
// and what was missing.
func TestReferenceErrors(t *testing.T) {
	const shared = "shared:\n  lr: 0.1\n  list: [a, b, c]\n  nested: {x: {y: 42}}\n  width_of_component: $self.width\n  key: x\ncomponents:\n  - broken:\n"
	tests := []struct {
		name string
		src  string // after shared: the config of "broken", from line 9
		want string // after "<dir>/machinable.yaml"
	}{
		{"cycle", "      a: $self.b\n      b: $self.a\n",
			`:9: component "broken": key "a": reference cycle $self.a -> $self.b -> $self.a`},
		{"missing self key", "      a: 1\n      missing: $self.nope\n",
			`:10: component "broken": key "missing": reference "$self.nope": no key "nope" in $self (keys: a, missing)`},
		{"missing root key", "      missing: $.shared.lrr\n",
			`:9: component "broken": key "missing": reference "$.shared.lrr": no key "lrr" in $.shared (keys: key, list, lr, nested, width_of_component)`},
		{"index out of range", "      missing: $.shared.list.7\n",
			`:9: component "broken": key "missing": reference "$.shared.list.7": no index "7" in $.shared.list, a list of 3 items`},
		{"bracket index out of range", "      missing: $.shared.list[3]\n",
			`:9: component "broken": key "missing": reference "$.shared.list[3]": no index "3" in $.shared.list, a list of 3 items`},
		{"bracket key not an index", "      missing: $.shared.list[$.shared.key]\n",
			`:9: component "broken": key "missing": reference "$.shared.list[$.shared.key]": no index "x" in $.shared.list, a list of 3 items`},
		{"bracket holding a mapping", "      missing: $.shared.nested[$.shared.nested]\n",
			`:9: component "broken": key "missing": reference "$.shared.nested[$.shared.nested]": the key in brackets "$.shared.nested" is a mapping, not a key or index`},
		{"broken reference in brackets", "      missing: $.shared.nested[$.shared.nope]\n",
			`:9: component "broken": key "missing": reference "$.shared.nope" (via $.shared.nested[$.shared.nope]): no key "nope" in $.shared`},
		{"lookup in a scalar", "      missing: $.shared.lr.x\n",
			`:9: component "broken": key "missing": reference "$.shared.lr.x": cannot look up "x" in $.shared.lr, which is a number, not a mapping or list`},
		{"refers to itself", "      missing: $self.missing\n",
			`:9: component "broken": key "missing": reference cycle $self.missing -> $self.missing`},
		{"cycle through a mapping", "      m:\n        x: $self.m\n",
			`:10: component "broken": key "m.x": reference cycle $self.m.x -> $self.m -> $self.m`},
		{"cycle in a list", "      l: [$self.l.1, $self.l.0]\n",
			`:9: component "broken": key "l.0": reference cycle $self.l.0 -> $self.l.1 -> $self.l.0`},
		{"cycle through brackets", "      a: $self.l[$self.a]\n      l: [1]\n",
			`:9: component "broken": key "a": reference cycle $self.a -> $self.l[$self.a] -> $self.a`},
		{"malformed", "      missing: $.shared..lr\n",
			`:9: component "broken": key "missing": reference "$.shared..lr": expected $.path or $self.path with keys separated by single dots, or in brackets ([0], [$.key])`},
		{"unclosed bracket", "      missing: $.shared.list[0\n",
			`:9: component "broken": key "missing": reference "$.shared.list[0": expected $.path or $self.path`},
		{"in a version", "      lr: 1\n      ~v:\n        x: $self.nope\n",
			`:11: component "broken": key "~v.x": reference "$self.nope": no key "nope" in $self (keys: lr, ~v)`},
		{"followed reference names the way", "      x: $.shared.width_of_component\n",
			`:9: component "broken": key "x": reference "$self.width" (via $.shared.width_of_component): no key "width" in $self (keys: x)`},
		{"in a child", "      lr: 1\n  - child^broken:\n      y: $self.nope\n",
			`:11: component "child^broken": key "y": reference "$self.nope": no key "nope" in $self (keys: lr, y)`},
		{"in a mixin", "      lr: 1\nmixins:\n  - m:\n      y: $self.nope\n",
			`:12: mixin "m": key "y": reference "$self.nope": no key "nope" in $self (keys: y)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeProject(t, map[string]string{"machinable.yaml": shared + tt.src})
			_, err := Load(dir)
			assertError(t, err, filepath.Join(dir, FileName)+tt.want)
		})
	}

	// Inside an included file: the line there.
	_, err := Load(filepath.Join("testdata", "include_badref"))
	assertError(t, err, filepath.Join("testdata", "include_badref", "configs", "badref.yaml")+`:2: component "bad_ref_in_include": key "sub.bad": reference "$self.nope": no key "nope" in $self (keys: sub)`)
}

// TestConfigErrors asserts errors of Config about patches.
func TestConfigErrors(t *testing.T) {
	p := load(t, "references")
	includes := load(t, "includes")
	tests := []struct {
		name      string
		p         *Project
		component string
		patches   []Patch
		want      string
	}{
		{"both version and values", p, "refs", []Patch{{Version: "~wide", Values: m{}}},
			`component "refs": patch 1: expected either a version ("~wide") or values, not both`},
		{"include in patch missing", includes, "whole", []Patch{{Values: m{"d": "$/configs/nope.yaml"}}},
			`component "whole": patch 1: key "d": include "$/configs/nope.yaml": no such file ` + filepath.Join(includes.Dir, "configs", "nope.yaml")},
		{"mapping onto a scalar", p, "refs", []Patch{{Values: m{"width": m{"x": 1}}}},
			`component "refs": the versions set key "width" to a mapping, but the config holds an integer (64) there`},
		{"mapping onto a list", p, "refs", []Patch{{Values: m{"block": m{"x": m{"y": m{"z": 1}}}}}},
			`component "refs": the versions set key "block.x.y" to a mapping, but the config holds an integer (42) there`},
		{"mapping onto an earlier patch", p, "refs", []Patch{{Values: m{"a": 1}}, {Values: m{"a": m{"b": 2}}}},
			`component "refs": patch 2: key "a": cannot merge a mapping into an integer (1) set by an earlier version`},
		{"dotted key onto a scalar", p, "refs", []Patch{{Values: m{"width.x": 1}}},
			`component "refs": the versions set key "width" to a mapping, but the config holds an integer (64) there`},
		{"dotted key twice", p, "refs", []Patch{{Values: m{"a.b": 1, "a": m{"b": 2}}}},
			`component "refs": patch 1: dotted key "a.b": "a.b" is set twice`},
		{"unknown mixin as version", p, "refs", []Patch{{Version: "_nope_"}},
			`component "refs": version "_nope_": unknown mixin "nope"; no mixins are declared (add a mixins: section)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.p.Config(tt.component, tt.patches)
			assertError(t, err, tt.want)
		})
	}
}

// TestMisspeltComponentsKey: a near miss of "components" is an error, not
// a silently ignored data section; other top-level keys stay data.
func TestMisspeltComponentsKey(t *testing.T) {
	for _, key := range []string{"compnents", "component", "componets:models"} {
		dir := writeProject(t, map[string]string{"machinable.yaml": "shared: {lr: 1}\n" + key + ":\n  - a:\n"})
		_, err := Load(dir)
		assertError(t, err, "machinable.yaml:2:", `top-level key "`+key+`": did you mean "components"?`)
	}
	dir := writeProject(t, map[string]string{"machinable.yaml": "settings: {x: 1}\ncomponents:\n  - a:\n"})
	if _, err := Load(dir); err != nil {
		t.Errorf("free-form key refused: %v", err)
	}
}
