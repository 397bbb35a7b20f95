package dsl_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/dsl"
)

// pythonHabits are scripts written with a Python habit: the error keeps
// Starlark's file:line:col and message and ends with the hint that names
// the Starlark way.
var pythonHabits = []struct {
	name, src string
	where     string // regexp: file:line:col and Starlark's message
	hint      string // the hint, literally
}{
	{"import", "import os\n", `bad\.star:1:1: got import, want primary expression`, `Starlark has no import: load("lib/file.star", "name")`},
	{"from import", "x = 1\nfrom os import path\n", `bad\.star:2:1: got from, want`, `Starlark has no import: load(`},
	{"class", "class Model:\n    pass\n", `bad\.star:1:1: got class, want`, `Starlark has no classes: write functions, and keep data in dicts or struct(name=value)`},
	{"try", "try:\n    x = 1\nexcept Exception:\n    pass\n", `bad\.star:1:1: got try, want`, `Starlark has no try/except: check before you act`},
	{"raise", "def f():\n    raise ValueError('x')\n", `bad\.star:2:5: got raise, want`, `Starlark has no raise: fail("message") stops with an error`},
	{"f-string", "x = 1\ny = f\"{x}\"\n", `bad\.star:2:11: got string literal, want newline`, `Starlark has no f-strings: use "lr={}".format(lr), "lr=%s" % lr`},
	{"f-string in a call", "lr = 1\nprint(f'lr={lr}')\n", `bad\.star:2:17: got string literal, want ','`, `Starlark has no f-strings`},
	{"with", "with open('x') as f:\n    pass\n", `bad\.star:1:1: got with, want`, `Starlark has no with statement`},
	{"is None", "x = None\ny = x is None\n", `bad\.star:2:9: got is, want newline`, `Starlark has no is operator: compare with == and != (x == None, x != None)`},
	{"is not in if", "x = None\nif x is not None:\n    pass\n", `bad\.star:2:8: got is, want ':'`, `Starlark has no is operator`},
	{"global", "n = 0\ndef f():\n    global n\n    n = 1\n", `bad\.star:3:5: got global, want`, `Starlark has no global or nonlocal`},
	{"yield", "def f():\n    yield 1\n", `bad\.star:2:5: got yield, want`, `Starlark has no generators: build a list and return it`},
	{"del", "x = [1]\ndel x[0]\n", `bad\.star:2:1: got del, want`, `Starlark has no del: use d.pop(key) or xs.pop(i)`},
	{"assert statement", "x = 1\nassert x == 1\n", `bad\.star:2:9: got identifier, want newline`, `Starlark has no assert statement: write if not cond: fail("message")`},
	{"decorator", "@cache\ndef f():\n    pass\n", `bad\.star:1:1: unexpected input character '@'`, `Starlark has no decorators`},
	{"generator expression", "xs = [1]\nn = max(x for x in xs)\n", `bad\.star:2:14: got for, want ','`, `Starlark has no generator expressions: use a list comprehension`},
	{"dict unpacking", "a = {}\nb = {**a}\n", `bad\.star:2:6: got '\*\*'`, `Starlark has no {**a, **b}: use dict(a, **b)`},
	{"set literal", "s = {1, 2}\n", `bad\.star:1:8: got ',', want ':'`, `for a set, Starlark has no {1, 2} literal: write set([1, 2])`},
	{"isinstance", "x = isinstance(1, int)\n", `bad\.star:1:5: undefined: isinstance`, `Starlark has no isinstance: compare type(x) == "dict"`},
	{"map", "x = map(str, [1])\n", `bad\.star:1:5: undefined: map`, `Starlark has no map: use a list comprehension`},
	{"list.sort", "xs = [2, 1]\nxs.sort()\n", `bad\.star:2:3: in <toplevel>\nError: list has no \.sort field or method`, `Starlark lists have no sort method: xs = sorted(xs)`},
	{"collection method on a plucked list", "xs = [0.5, 0.2]\nbest = xs.max()\n", `bad\.star:2:10: in <toplevel>\nError: list has no \.max field or method`, `pluck, map, zip and section return lists, not collections: call the collection's method with the key (cs.max("config.lr"))`},
	{"dict attribute", "d = {\"lr\": 1}\nx = d.lr\n", `bad\.star:2:6: in <toplevel>\nError: dict has no \.lr field or method`, `a dict's keys are not attributes: use d["lr"] or d.get("lr")`},
	{"format spec", "x = '{:.4f}'.format(0.5)\n", `bad\.star:1:20: in <toplevel>`, `Starlark's str.format has no format spec: use format(x, ".4f")`},
}

func TestPythonHabits(t *testing.T) {
	for _, tc := range pythonHabits {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(fixtureProject(t), "bad.star")
			_, err := dsl.ExecFile(context.Background(), file, tc.src, newOptions(t, nil))
			if err == nil {
				t.Fatal("expected an error")
			}
			got := dsl.ErrorText(err)
			if !regexp.MustCompile(tc.where).MatchString(got) {
				t.Errorf("error does not match %q:\n%s", tc.where, got)
			}
			i := strings.LastIndex(got, "\nhint: ")
			if i < 0 || !strings.HasPrefix(got[i+len("\nhint: "):], tc.hint) {
				t.Errorf("error does not end with the hint %q:\n%s", tc.hint, got)
			}
			if strings.Count(got, "hint:") != 1 {
				t.Errorf("more than one hint:\n%s", got)
			}
		})
	}
}

// TestNoHintForOtherErrors: a message that is ambiguous on its own gets no
// hint unless the source line shows the habit.
func TestNoHintForOtherErrors(t *testing.T) {
	for _, src := range []string{
		"x = 'a' 'b'\n",         // got string literal, want newline, no f-string
		"x = (1 2)\n",           // got int literal, want ')'
		"d = {'a' 1}\n",         // got int literal, want ':'
		"assert = 1\nx = 1 1\n", // assert used as a name
		"x = 1 if True\n",       // got newline, want else
	} {
		file := filepath.Join(fixtureProject(t), "bad.star")
		_, err := dsl.ExecFile(context.Background(), file, src, newOptions(t, nil))
		if err == nil {
			t.Fatalf("%q: expected an error", src)
		}
		if got := dsl.ErrorText(err); strings.Contains(got, "hint:") {
			t.Errorf("%q: unexpected hint:\n%s", src, got)
		}
	}
}

// TestPythonHabitsInModules: component modules, load()ed files and the
// REPL get the hints too, where the source line is read from the file.
func TestPythonHabitsInModules(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("machinable.yaml", "components:\n  - fstring:\n")
	write("fstring.star", "def on_execute(self):\n    print(f\"lr={self.config.lr}\")\n")
	write("lib/cls.star", "class Helper:\n    pass\n")
	opts := newOptions(t, nil)
	opts.Project = dir

	_, err := dsl.ExecFile(context.Background(), filepath.Join(dir, "run.star"), `execute("fstring")`, opts)
	if err == nil {
		t.Fatal("expected an error")
	}
	got := dsl.ErrorText(err)
	for _, w := range []string{`fstring\.star:2:33: got string literal, want ','`, `\nhint: Starlark has no f-strings`} {
		if !regexp.MustCompile(w).MatchString(got) {
			t.Errorf("component module: error does not match %q:\n%s", w, got)
		}
	}

	_, err = dsl.ExecFile(context.Background(), filepath.Join(dir, "run.star"), `load("lib/cls.star", "Helper")`, opts)
	if err == nil {
		t.Fatal("expected an error")
	}
	got = dsl.ErrorText(err)
	for _, w := range []string{`run\.star:1:1: in <toplevel>`, `cls\.star:1:1: got class, want`, `\nhint: Starlark has no classes`} {
		if !regexp.MustCompile(w).MatchString(got) {
			t.Errorf("load(): error does not match %q:\n%s", w, got)
		}
	}

	var out bytes.Buffer
	failed, err := dsl.REPL(context.Background(), dsl.REPLOptions{Options: opts, Dir: dir,
		In: strings.NewReader("x = None\ny = x is None\nz = f'{x}'\nprint('after')\n"), Out: &out})
	if err != nil || failed != 2 {
		t.Fatalf("REPL: failed=%d err=%v\n%s", failed, err, out.String())
	}
	for _, w := range []string{`<stdin>:1:9: invalid syntax\nhint: Starlark has no is operator`, `<stdin>:1:11: invalid syntax\nhint: Starlark has no f-strings`, `(?m)^after$`} {
		if !regexp.MustCompile(w).MatchString(out.String()) {
			t.Errorf("REPL: output does not match %q:\n%s", w, out.String())
		}
	}
}

// TestUnknownEventWarning: a module defining an on_* function that is no
// life-cycle event runs, with one warning naming file:line:col and the
// nearest event, said once however often the component runs.
func TestUnknownEventWarning(t *testing.T) {
	var console bytes.Buffer
	opts := newOptions(t, &console)
	file := filepath.Join(fixtureProject(t), "run.star")
	src := "for _ in range(2):\n    r = execute(\"misspelt\")\n    if r.components[0].status != \"finished\":\n        fail(r.components[0].error)\n"
	if _, err := dsl.ExecFile(context.Background(), file, src, opts); err != nil {
		t.Fatal(dsl.ErrorText(err))
	}
	want := "warning: " + filepath.Join(fixtureProject(t), "misspelt.star") + ":1:5: on_exceute is not a life-cycle event: machinable never calls it (did you mean on_execute?)\n"
	if n := strings.Count(console.String(), want); n != 1 {
		t.Errorf("want the warning once, got %d times:\n%s", n, console.String())
	}
	if n := strings.Count(console.String(), "warning:"); n != 1 {
		t.Errorf("want one warning, got %d:\n%s", n, console.String())
	}
}
