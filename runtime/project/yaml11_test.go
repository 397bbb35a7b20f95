package project

import (
	"math"
	"testing"
)

// TestResolvePlain: plain scalars read as PyYAML's SafeLoader with
// machinable's float resolver reads them (expected values computed with
// PyYAML's resolver patterns and constructors).
func TestResolvePlain(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"yes", true}, {"Yes", true}, {"YES", true}, {"no", false}, {"No", false}, {"NO", false},
		{"on", true}, {"On", true}, {"ON", true}, {"off", false}, {"Off", false}, {"OFF", false},
		{"true", true}, {"True", true}, {"TRUE", true}, {"false", false},
		{"y", "y"}, {"n", "n"}, {"yEs", "yEs"}, {"tRUE", "tRUE"},
		{"017", int64(15)}, {"0o17", "0o17"}, {"1_000", int64(1000)}, {"0x1F", int64(31)}, {"-0x1F", int64(-31)},
		{"0b101", int64(5)}, {"08", "08"}, {"00", int64(0)}, {"0_", int64(0)}, {"1__0", int64(10)},
		{"+5", int64(5)}, {"-0", int64(0)}, {"0", int64(0)},
		{"1:30", int64(90)}, {"12:30", int64(750)}, {"190:20:30", int64(685230)}, {"1:60", "1:60"},
		{"9223372036854775807", int64(math.MaxInt64)}, {"-9223372036854775808", int64(math.MinInt64)},
		{"09.5", 9.5}, {"1:30.5", 90.5}, {"1e3", 1000.0}, {"1E-3", 0.001}, {"5e-6", 5e-6}, {"1.5e3", 1500.0},
		{".5e3", ".5e3"}, {".5e+3", 500.0}, {"-.5", "-.5"}, {"+.5", "+.5"}, {".5", 0.5}, {"1.", 1.0},
		{"1.e5", 100000.0}, {"._5", 0.5}, {"-1_0.5", -10.5}, {"0.1", 0.1}, {"3.10", 3.1},
		{".inf", math.Inf(1)}, {"-.inf", math.Inf(-1)}, {"+.INF", math.Inf(1)}, {"1e400", math.Inf(1)},
		{"~", nil}, {"null", nil}, {"Null", nil}, {"NULL", nil}, {"", nil}, {"nULL", "nULL"},
		{"2020-01-01", "2020-01-01"}, {"0xG", "0xG"}, {"1.2.3", "1.2.3"}, {"=", "="}, {"<<x", "<<x"},
	}
	for _, tt := range tests {
		got, err := resolvePlain(tt.in)
		if err != nil {
			t.Errorf("resolvePlain(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("resolvePlain(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
	if v, _ := resolvePlain(".NaN"); !math.IsNaN(v.(float64)) {
		t.Errorf(".NaN gave %v", v)
	}
	for _, in := range []string{"99999999999999999999", "9223372036854775808", "0x1_0000_0000_0000_0000"} {
		if _, err := resolvePlain(in); err == nil {
			t.Errorf("resolvePlain(%q): no error for an integer beyond 64 bits", in)
		}
	}
	if _, err := resolvePlain("._"); err == nil {
		t.Error(`resolvePlain("._"): no error (PyYAML fails to convert it too)`)
	}
}

func TestPyFloatRepr(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{1, "1.0"}, {0.1, "0.1"}, {1e-5, "1e-05"}, {0.0001, "0.0001"}, {1e16, "1e+16"}, {1.5e16, "1.5e+16"},
		{123456789012345, "123456789012345.0"}, {1234567890123456, "1234567890123456.0"}, {-2.5, "-2.5"},
		{1e-300, "1e-300"}, {5e-6, "5e-06"}, {100, "100.0"}, {0.30000000000000004, "0.30000000000000004"},
		{math.Inf(1), "inf"}, {1e22, "1e+22"},
	}
	for _, tt := range tests {
		if got := pyFloatRepr(tt.f); got != tt.want {
			t.Errorf("pyFloatRepr(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

// TestYAML11InProject: values and keys of machinable.yaml as 2.x reads
// them. Quoted scalars stay strings; explicit tags convert; keys that
// PyYAML reads as numbers or booleans become the text JSON gives them.
func TestYAML11InProject(t *testing.T) {
	dir := writeProject(t, map[string]string{"machinable.yaml": `components:
  - a:
      flag: yes
      off_switch: Off
      quoted: "yes"
      single: 'on'
      octal: 017
      new_octal: 0o17
      big: 1_000
      time: 1:30
      small: 1e-3
      scientific: 5e-6
      leading_zero: 08
      when: 2020-01-01
      block: |
        yes
      tagged_int: !!int "017"
      tagged_float: !!float "1"
      tagged_bool: !!bool "ON"
      tagged_str: !!str 1e-3
      keys: {yes: a, 1.50: b, 0x10: c, ~: d, "no": e, 017: f}
`})
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Config("a", nil)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, got, m{
		"flag": true, "off_switch": false, "quoted": "yes", "single": "on",
		"octal": int64(15), "new_octal": "0o17", "big": int64(1000), "time": int64(90),
		"small": 0.001, "scientific": 5e-6, "leading_zero": "08", "when": "2020-01-01", "block": "yes\n",
		"tagged_int": int64(15), "tagged_float": 1.0, "tagged_bool": true, "tagged_str": "1e-3",
		"keys": m{"true": "a", "1.5": "b", "16": "c", "null": "d", "no": "e", "15": "f"},
	})

	for _, tt := range []struct{ src, want string }{
		{"components:\n  - a:\n      x: !!int abc\n", `:3: component "a": key "x": !!int: invalid integer "abc"`},
		{"components:\n  - a:\n      x: !!bool maybe\n", `:3: component "a": key "x": !!bool: invalid boolean "maybe"`},
		{"components:\n  - a:\n      yes: 1\n      true: 2\n", `:4: component "a": duplicate key "true" (first at line 3)`},
	} {
		dir := writeProject(t, map[string]string{"machinable.yaml": tt.src})
		_, err := Load(dir)
		assertError(t, err, tt.want)
	}
}
