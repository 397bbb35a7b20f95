package dsl_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/dsl"
	"go.starlark.net/starlark"
)

// TestRandomMatchesPython calls every function of the Starlark random
// module for several seeds and compares with python3's random.Random,
// frozen in testdata/random/vectors.json by gen_vectors.py.
func TestRandomMatchesPython(t *testing.T) {
	data, err := os.ReadFile("testdata/random/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Seed  int64 `json:"seed"`
		Draws []any `json:"draws"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	report, err := dsl.ExecFile(context.Background(), "testdata/random/calls.star", nil, dsl.Options{})
	if err != nil {
		t.Fatal(err)
	}
	draws := report.Globals["draws"].(starlark.Callable)
	for _, tc := range cases {
		got, err := starlark.Call(&starlark.Thread{}, draws, starlark.Tuple{starlark.MakeInt64(tc.Seed)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		list := got.(*starlark.List)
		if list.Len() != len(tc.Draws) {
			t.Fatalf("seed %d: %d draws, want %d", tc.Seed, list.Len(), len(tc.Draws))
		}
		for i, want := range tc.Draws {
			if msg := sameDraw(list.Index(i), want); msg != "" {
				t.Errorf("seed %d, call %d: %s", tc.Seed, i, msg)
			}
		}
	}
}

// sameDraw compares a Starlark value with the JSON form of Python's (ints
// as decimal strings, floats exact).
func sameDraw(got starlark.Value, want any) string {
	switch w := want.(type) {
	case float64:
		f, ok := got.(starlark.Float)
		if !ok || float64(f) != w {
			return fmt.Sprintf("got %v, want %v", got, w)
		}
	case string:
		switch g := got.(type) {
		case starlark.Int:
			if g.String() != w {
				return fmt.Sprintf("got %s, want %s", g, w)
			}
		case starlark.String:
			if string(g) != w {
				return fmt.Sprintf("got %s, want %q", g, w)
			}
		default:
			return fmt.Sprintf("got %s, want %q", got.Type(), w)
		}
	case []any:
		l, ok := got.(*starlark.List)
		if !ok || l.Len() != len(w) {
			return fmt.Sprintf("got %v, want %v", got, w)
		}
		for i := range w {
			if msg := sameDraw(l.Index(i), w[i]); msg != "" {
				return fmt.Sprintf("[%d]: %s", i, msg)
			}
		}
	default:
		return fmt.Sprintf("unexpected vector %T", want)
	}
	return ""
}

// TestRandomErrors: empty sequences and bad ranges raise clear errors.
func TestRandomErrors(t *testing.T) {
	cases := map[string]string{
		`random.choice([])`:                                 "cannot choose from an empty sequence",
		`random.randint(5, 1)`:                              "empty range",
		`random.randrange(0)`:                               "empty range",
		`random.sample([1, 2], 3)`:                          "sample larger than population",
		`random.choices([], k=1)`:                           "random.choices",
		`random.getrandbits(-1)`:                            "must be non-negative",
		`random.uniform("a", 1)`:                            "want a number",
		`random.choices([1], weights=[1], cum_weights=[1])`: "random.choices",
	}
	for src, want := range cases {
		_, err := dsl.ExecFile(context.Background(), "r.star", src, dsl.Options{})
		if err == nil || !strings.Contains(dsl.ErrorText(err), want) {
			t.Errorf("%s: got %v, want %q", src, err, want)
		}
	}
}
