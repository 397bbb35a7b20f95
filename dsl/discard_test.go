package dsl

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"go.starlark.net/starlark"
)

// probeThread runs files whose probe(tag) notes "tag=true" when its call
// was a statement of its own, "tag=false" when its result is used.
func probeThread(t *testing.T, seen *[]string) (*starlark.Thread, starlark.StringDict) {
	t.Helper()
	probe := starlark.NewBuiltin("probe", func(th *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		tag := "value" // probe(probe(...)), sorted(key=probe)
		if s, ok := args[0].(starlark.String); ok {
			tag = string(s)
		}
		*seen = append(*seen, fmt.Sprintf("%s=%v", tag, resultDiscarded(th, nil)))
		return starlark.True, nil
	})
	return &starlark.Thread{Print: func(*starlark.Thread, string) {}}, starlark.StringDict{"probe": probe}
}

// TestResultDiscarded: only a call that is a statement of its own, made
// by Starlark code, counts as discarded; its result cannot be seen.
func TestResultDiscarded(t *testing.T) {
	var seen []string
	thread, predeclared := probeThread(t, &seen)
	file, _ := filepath.Abs("testdata/discard/calls.star")
	if _, err := execFile(thread, file, mustRead(t, file), predeclared); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"statement=true", "assigned=false", "argument=false", "in a list=false",
		"inner=false", "value=true", // probe(probe("inner")): the inner result is the outer one's argument
		"condition=false", "statement in a def=true", "returned=false", "lambda=false",
		"statement through another name=true", "value=false", "value=false",
		"statement in a loop=true", "statement in a loop=true",
	}
	if !slices.Equal(seen, want) {
		t.Errorf("got  %q\nwant %q", seen, want)
	}
}

// TestResultDiscardedChangedFile: a file compiled again under the same
// name with a used result where a discarded call was keeps no site that
// is not discarded in both, whichever version's code runs after.
func TestResultDiscardedChangedFile(t *testing.T) {
	var seen []string
	thread, predeclared := probeThread(t, &seen)
	file := filepath.Join(t.TempDir(), "changed.star")
	v1 := "def f():\n    probe(\"v1\")\n    probe(\"kept\")\n"
	v2 := "def f():\n    y=probe(\"v2\")\n    probe(\"kept\")\n" // the same "(" position as v1's first call
	g1, err := execFile(thread, file, []byte(v1), predeclared)
	if err != nil {
		t.Fatal(err)
	}
	g2, err := execFile(thread, file, []byte(v2), predeclared)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []starlark.StringDict{g1, g2} {
		if _, err := starlark.Call(thread, g["f"], nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"v1=false", "kept=true", "v2=false", "kept=true"}; !slices.Equal(seen, want) {
		t.Errorf("got %q, want %q", seen, want)
	}

	// An answer kept for a call site is not trusted once its file is
	// compiled again: v2 uses the result of the call whose "(" is where
	// v1's discarded one was.
	var last atomic.Pointer[callSite]
	var answers []bool
	ask := starlark.NewBuiltin("ask", func(th *starlark.Thread, _ *starlark.Builtin, _ starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		answers = append(answers, resultDiscarded(th, &last))
		return starlark.None, nil
	})
	file = filepath.Join(t.TempDir(), "cached.star")
	for _, src := range []string{"def f():\n    ask()\n", "def f():\n  x=ask()\n"} {
		g, err := execFile(thread, file, []byte(src), starlark.StringDict{"ask": ask})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := starlark.Call(thread, g["f"], nil, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if want := []bool{true, true, false, false}; !slices.Equal(answers, want) {
		t.Errorf("answers %v, want %v", answers, want)
	}
}

// TestResultDiscardedREPL: code of a file this package did not compile
// (the REPL's input) never counts as discarding.
func TestResultDiscardedREPL(t *testing.T) {
	var seen []string
	thread, predeclared := probeThread(t, &seen)
	if _, err := starlark.ExecFileOptions(fileOptions, thread, "<stdin>", "probe(\"typed\")\n", predeclared); err != nil {
		t.Fatal(err)
	}
	if want := []string{"typed=false"}; !slices.Equal(seen, want) {
		t.Errorf("got %q, want %q", seen, want)
	}
}

func mustRead(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
