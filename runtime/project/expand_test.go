package project

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestExpandEnv checks the expansion of environment variables against
// what machinable 2.x gives (expandvars 0.6.5 with $., $self. and $/
// protected; the expected values were computed with it).
func TestExpandEnv(t *testing.T) {
	env := map[string]string{"FOO": "foo", "EMPTY": "", "NUM": "0.5", "PTR": "FOO", "LONG": "abcdef"}
	lookup := func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
	tests := []struct{ in, want string }{
		{"$FOO", "foo"},
		{"${FOO}", "foo"},
		{"a${FOO}b", "afoob"},
		{"$UNSET", ""},       // unset: empty, as in 2.x
		{"${UNSET}", ""},     //
		{"${UNSET:-d}", "d"}, // default
		{"${UNSET-d}", "d"},  //
		{"${EMPTY:-d}", ""},  // set but empty: no default (expandvars)
		{"${EMPTY-d}", ""},   //
		{"${UNSET:=set}|$UNSET", "set|set"},
		{"${FOO:+alt}", "alt"},
		{"${EMPTY:+alt}", "alt"},
		{"${UNSET:+alt}", ""},
		{"${!PTR}", "foo"},
		{"${LONG:2}", "cdef"},
		{"${LONG:1:3}", "bcd"},
		{"${LONG:-2}", "abcdef"}, // a default, not an offset
		{"${LONG: -2}", "ef"},
		{"${LONG::2}", "ab"},
		{"${LONG:2:}", ""},
		{"${FOO:?oops}", "foo"},
		{"$FOO.bar", "foo.bar"},
		{"$FOO-bar", "foo-bar"},
		{"$1x", ""},
		{"a$ b", "a b"},   // a "$" that starts no name disappears
		{"end$", "end$"},  // except at the very end
		{`"$"`, `""`},     //
		{`\$FOO`, "$FOO"}, // a backslash keeps the "$"
		{`\\$FOO`, `\foo`},
		{`\\\$FOO`, `\$FOO`},
		{`x\\y`, `x\\y`},
		{`x\y`, "xy"}, // a backslash before the last character is dropped
		{`a\nb`, `a\nb`},
		{"$.a.b", "$.a.b"}, // references and includes are protected
		{"$self.x", "$self.x"},
		{"$/x.yaml", "$/x.yaml"},
		{"p $.5", "p $.5"},
		{"$$.x", "$.x"},
		{"ün$FOOü", "ün"}, // names are letters and digits of any script
		{"~REFERENCE~", "$."},
		{"no dollar", "no dollar"},
		{"$$", strconv.Itoa(os.Getpid())},
	}
	for _, tt := range tests {
		got, err := expandEnv("f.yaml", []byte(tt.in), lookup)
		if err != nil {
			t.Errorf("expandEnv(%q): %v", tt.in, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("expandEnv(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}

	errs := []struct{ in, want string }{
		{"a: 1\nb: ${UNSET:?}", `f.yaml:2: environment variable expansion: UNSET: parameter null or not set`},
		{"${UNSET:?custom message}", `f.yaml:1: environment variable expansion: UNSET: custom message`},
		{"${EMPTY:?}", `EMPTY: parameter null or not set`},
		{"x\n${FOO\ny", `f.yaml:2: environment variable expansion: "${FOO": missing '}'`},
		{"${}", `f.yaml:1: environment variable expansion: "${}": bad substitution`},
		{"x ${", `"${": bad substitution`},
		{"${FOO:x}", `FOO: operand expected (error token is "x")`},
		{"${FOO:1:-1}", `FOO: -1: substring expression < 0`},
		{`abc\`, `f.yaml:1: environment variable expansion: a backslash at the end of the text escapes nothing`},
	}
	for _, tt := range errs {
		_, err := expandEnv("f.yaml", []byte(tt.in), lookup)
		assertError(t, err, tt.want)
	}
}

// TestEnvInProject: variables are expanded in machinable.yaml and the
// files it includes, before the YAML is read, so values take their type
// from the expanded text.
func TestEnvInProject(t *testing.T) {
	t.Setenv("MT_LR", "0.5")
	t.Setenv("MT_NAME", "mnist")
	t.Setenv("MT_EMPTY", "")
	t.Setenv("envvarkey", "ENVVARTESTKEY")
	t.Setenv("envvarvalue", "ENVVARTESTVALUE")
	os.Unsetenv("MT_UNSET")
	dir := writeProject(t, map[string]string{
		"machinable.yaml": `${envvarkey:-default}: $envvarvalue
components:
  - env:
      lr: $MT_LR
      name: ${MT_NAME}
      unset: $MT_UNSET
      quoted: "$MT_UNSET"
      with_default: ${MT_UNSET:-fallback}
      empty: ${MT_EMPTY:-fallback}
      path: $MT_NAME/train
      copy: $self.lr
      price: \$5
      data: $/data.yaml
`,
		"data.yaml": "name: $MT_NAME\n",
	})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Config("env", nil)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, m{
		"lr": 0.5, "name": "mnist", "unset": nil, "quoted": "", "with_default": "fallback", "empty": nil,
		"path": "mnist/train", "copy": 0.5, "price": "$5", "data": m{"name": "mnist"},
	})
	// The key of the test project of 2.14.
	v, _ := p.Section("ENVVARTESTKEY")
	assertEqual(t, v, "ENVVARTESTVALUE")

	// An expansion error names the file and line.
	bad := writeProject(t, map[string]string{"machinable.yaml": "components:\n  - a:\n      x: ${MT_UNSET:?set MT_UNSET first}\n"})
	_, err = Load(bad)
	assertError(t, err, filepath.Join(bad, FileName)+`:3: environment variable expansion: MT_UNSET: set MT_UNSET first`)
}
