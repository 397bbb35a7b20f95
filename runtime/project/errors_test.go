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
			`:3: component "bad name": invalid name "bad name": expected NAME[=ALIAS][^PARENT]`},
		{"invalid alias",
			"components:\n  - a=:\n",
			`:2: component "a=": invalid alias "": expected NAME[=ALIAS][^PARENT]`},
		{"alias after parent",
			"components:\n  - base:\n  - a^base=b:\n",
			`:3: component "a^base=b": invalid parent "base=b": expected NAME[=ALIAS][^PARENT]`},
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
			"components:\n  - a:\n      ~: {lr: 1}\n",
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

// TestReferenceErrors asserts reference errors: the file and line of the
// key holding the reference (or the patch that set it), the component,
// the key and what was missing.
func TestReferenceErrors(t *testing.T) {
	p := load(t, "references")
	file := p.File
	includes := load(t, "includes")
	tests := []struct {
		name      string
		p         *Project
		component string
		patches   []Patch
		want      string
	}{
		{"cycle", p, "broken", nil,
			file + `:25: component "broken": key "a": reference cycle $self.a -> $self.b -> $self.a`},
		{"missing self key", p, "broken", []Patch{{Version: "~missing"}, {Values: m{"a": 1, "b": 2}}},
			file + `:28: component "broken": key "missing": reference "$self.nope": no key "nope" in $self (keys: a, b, missing)`},
		{"missing root key", p, "broken", []Patch{{Version: "~root_missing"}, {Values: m{"a": 1, "b": 2}}},
			file + `:29: component "broken": key "missing": reference "$.shared.lrr": no key "lrr" in $.shared (keys: list, lr, nested, width_of_component)`},
		{"index out of range", p, "broken", []Patch{{Version: "~index"}, {Values: m{"a": 1, "b": 2}}},
			file + `:30: component "broken": key "missing": reference "$.shared.list.7": no index "7" in $.shared.list, a list of 3 items`},
		{"lookup in a scalar", p, "broken", []Patch{{Version: "~scalar"}, {Values: m{"a": 1, "b": 2}}},
			file + `:31: component "broken": key "missing": reference "$.shared.lr.x": cannot look up "x" in $.shared.lr, which is a number, not a mapping or list`},
		{"refers to itself", p, "broken", []Patch{{Version: "~self_loop"}, {Values: m{"a": 1, "b": 2}}},
			file + `:32: component "broken": key "missing": reference cycle $self.missing -> $self.missing`},
		{"cycle through a mapping", p, "broken", []Patch{{Values: m{"a": 1, "b": 2, "m": m{"x": "$self.m"}}}},
			file + `: component "broken": key "m.x" (set by patch 1): reference cycle $self.m.x -> $self.m -> $self.m`},
		{"cycle in a list", p, "broken", []Patch{{Values: m{"a": 1, "b": 2, "l": []any{"$self.l.1", "$self.l.0"}}}},
			file + `: component "broken": key "l.0" (set by patch 1): reference cycle $self.l.0 -> $self.l.1 -> $self.l.0`},
		{"malformed", p, "broken", []Patch{{Version: "~malformed"}, {Values: m{"a": 1, "b": 2}}},
			file + `:33: component "broken": key "missing": reference "$.shared..lr": expected $.path or $self.path with keys separated by single dots`},
		{"set by a patch", p, "refs", []Patch{{Version: "~wide"}, {Values: m{"deep": m{"er": "$self.gone"}}}},
			file + `: component "refs": key "deep.er" (set by patch 2): reference "$self.gone": no key "gone" in $self (keys: `},
		{"followed reference names the way", p, "broken", []Patch{{Values: m{"a": 1, "b": 2, "x": "$.shared.width_of_component"}}},
			file + `: component "broken": key "x" (set by patch 1): reference "$self.width" (via $.shared.width_of_component): no key "width" in $self (keys: a, b, missing, x)`},
		{"inside an include", includes, "bad_ref_in_include", nil,
			filepath.Join(includes.Dir, "configs", "badref.yaml") + `:2: component "bad_ref_in_include": key "sub.bad": reference "$self.nope": no key "nope" in $self (keys: sub)`},
		{"both version and values", p, "refs", []Patch{{Version: "~wide", Values: m{}}},
			`component "refs": patch 1: expected either a version ("~wide") or values, not both`},
		{"include in patch missing", includes, "whole", []Patch{{Values: m{"d": "$/configs/nope.yaml"}}},
			`component "whole": patch 1: key "d": include "$/configs/nope.yaml": no such file ` + filepath.Join(includes.Dir, "configs", "nope.yaml")},
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
