package project

import "testing"

func TestParseYAMLPatch(t *testing.T) {
	tests := []struct {
		src  string
		want m
	}{
		{"lr: 0.1", m{"lr": 0.1}},
		{"{lr: 1, model: {width: 64}, tags: [a, 2]}", m{"lr": int64(1), "model": m{"width": int64(64)}, "tags": []any{"a", int64(2)}}},
		{"1: x\ntrue: y", m{"1": "x", "true": "y"}},
		{"", m{}},
		{"# only a comment\n", m{}},
		{"null", m{}},
		{"ref: $self.lr\ninc: $/x.yaml", m{"ref": "$self.lr", "inc": "$/x.yaml"}},
	}
	for _, tt := range tests {
		got, err := ParseYAMLPatch(tt.src)
		if err != nil {
			t.Errorf("ParseYAMLPatch(%q): %v", tt.src, err)
			continue
		}
		assertEqual(t, got, tt.want)
	}
}

func TestParseYAMLPatchErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"- a\n- b", `version YAML, line 1: expected a mapping of config keys (like {lr: 0.1}), got a list "- a\n- b"`},
		{"just text", `version YAML, line 1: expected a mapping of config keys (like {lr: 0.1}), got a string "just text"`},
		{"42", `version YAML, line 1: expected a mapping of config keys (like {lr: 0.1}), got an integer "42"`},
		{"a: [1,\nb: 2", `version YAML, line 1: column 4: sequence end token ']' not found`},
		{"a: 1\n---\nb: 2", `version YAML, line 2: expected a single YAML document (a mapping of config keys)`},
		{"a: 1\na: 2", `version YAML, line 2: duplicate key "a" (first at line 1)`},
	}
	for _, tt := range tests {
		_, err := ParseYAMLPatch(tt.src)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseYAMLPatch(%q) error = %v, want %s", tt.src, err, tt.want)
		}
	}
}

// TestYAMLPatchInConfig uses a parsed YAML string as a patch, as the
// runtime does for a version string that is not ~name.
func TestYAMLPatchInConfig(t *testing.T) {
	patch, err := ParseYAMLPatch("{width: 8, width_copy: 1}")
	if err != nil {
		t.Fatal(err)
	}
	got, err := load(t, "references").Config("refs", []Patch{{Values: patch}})
	if err != nil {
		t.Fatal(err)
	}
	want := Merge(refsWant(64), m{"width": int64(8), "width_copy": int64(1)})
	assertEqual(t, got, want)
}

func TestParseMethodCall(t *testing.T) {
	tests := []struct {
		s    string
		name string
		args []any
		ok   bool
	}{
		{"base_lr(0.01)", "base_lr", []any{0.01}, true},
		{`schedule(1, "cos", [1,2])`, "schedule", []any{int64(1), "cos", []any{int64(1), int64(2)}}, true},
		{"f()", "f", []any{}, true},
		{"_private(true, null, {a: 1})", "_private", []any{true, nil, m{"a": int64(1)}}, true},
		{"f(a b)", "f", []any{"a b"}, true},
		{"f2(x)", "f2", []any{"x"}, true},
		{"plain text", "", nil, false},
		{"(1)", "", nil, false},
		{"2f(1)", "", nil, false},
		{"a.b(1)", "", nil, false},
		{"f (1)", "", nil, false},
		{"f(1", "", nil, false},
		{"f(1))", "", nil, false},
		{"f(1], [2)", "", nil, false},
		{`f("a)", 'it''s (', "q\"(")`, "f", []any{"a)", "it's (", `q"(`}, true},
		{`f("open)`, "", nil, false},
		{"$self.a", "", nil, false},
		{"", "", nil, false},
	}
	for _, tt := range tests {
		name, args, ok := ParseMethodCall(tt.s)
		if ok != tt.ok || name != tt.name {
			t.Errorf("ParseMethodCall(%q) = %q, %v, %v; want %q, %v, %v", tt.s, name, args, ok, tt.name, tt.args, tt.ok)
			continue
		}
		if ok {
			assertEqual(t, args, tt.args)
		}
	}
}
