package index

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	good := map[string]Condition{
		"config.lr > 0.1":           {Field: "config.lr", Op: ">", Value: 0.1},
		"flags.REPEAT_NUMBER == 2":  {Field: "flags.REPEAT_NUMBER", Op: "=", Value: int64(2)},
		"status=finished":           {Field: "status", Op: "=", Value: "finished"},
		`config.name = "a b"`:       {Field: "config.name", Op: "=", Value: "a b"},
		`config.name = '1'`:         {Field: "config.name", Op: "=", Value: "1"},
		"config.on != true":         {Field: "config.on", Op: "!=", Value: true},
		"config.x = null":           {Field: "config.x", Op: "=", Value: nil},
		"name ~ train*":             {Field: "name", Op: "~", Value: "train*"},
		"experiment = 123456":       {Field: "experiment", Op: "=", Value: "123456"},
		"config.data-set.n-1 <= -3": {Field: "config.data-set.n-1", Op: "<=", Value: int64(-3)},
	}
	for text, want := range good {
		c, err := Parse(text)
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		if c.Field != want.Field || c.Op != want.Op || c.Value != want.Value {
			t.Errorf("%q: got %+v, want %+v", text, c, want)
		}
	}
	bad := map[string]string{
		"config.lr":                      "expected FIELD OP VALUE",
		"stauts = finished":              "unknown field stauts (did you mean status?)",
		"confg.lr > 1":                   "did you mean config.<key>?",
		"status = finsihed":              "unknown status finsihed (did you mean finished?)",
		"status > finished":              "status compares with = != or ~",
		"config.a b = 1":                 "expected FIELD OP VALUE",
		"config.lr >":                    "no value after >",
		`config.a = "x`:                  "missing closing",
		"seed = abc":                     "seed is an integer",
		"started_at > yesterday":         "expected 2006-01-02",
		"config.x'; DROP TABLE c -- = 1": "expected FIELD OP VALUE",
	}
	for text, want := range bad {
		_, err := Parse(text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", text, err, want)
		}
	}
}

// Values and keys are parameters: text that looks like SQL is just text.
func TestNoSQLFromUsers(t *testing.T) {
	st, _ := newStorage(t, 1, 2)
	ix, err := Open(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`name = "x' OR 1=1 --"`, `config.data.name = "'); DROP TABLE components; --"`} {
		if n := len(search(t, ix, w)); n != 0 {
			t.Errorf("%s: %d matches", w, n)
		}
	}
	if n := len(search(t, ix)); n != 2 {
		t.Fatalf("table damaged: %d rows", n)
	}
}
