package dsl_test

import (
	"context"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/machinable-go/machinable/dsl"
)

// TestBadInput runs scripts that must fail and asserts the message names
// the file, line and column and says what was expected.
func TestBadInput(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // regexps that must all match
	}{
		{"syntax error", "x = Experiment(\nexecute(x\n",
			[]string{`bad\.star:3:1: got end of file, want '\)'`}},
		{"unknown component", `execute(Experiment().component("configurd"))`,
			[]string{`bad\.star:1:8: in <toplevel>`, `unknown component "configurd"`, `did you mean "configured"\?`, `known components in .*machinable\.yaml: .*checkpointed.*trivial`}},
		{"unknown version", `execute(Experiment().component("configured", "~mnst"))`,
			[]string{`bad\.star:1:8`, `component "configured" has no version "~mnst"`, `did you mean "~mnist"\?`}},
		{"invalid experiment ID", `execute("trivial", seed="OY1p1")`,
			[]string{`bad\.star:1:8`, `invalid experiment ID "OY1p1"`, `expected 6 characters`}},
		{"bad experiment ID character", `execute("trivial", seed="OY1p1!")`,
			[]string{`invalid experiment ID "OY1p1!"`}},
		{"unknown engine", `execute("trivial", engine="natve")`,
			[]string{`bad\.star:1:8`, `unknown engine "natve" \(did you mean "native"\?\); known engines: detached, dry, native, process, ray, remote, slurm`}},
		{"bad engine count", `execute("trivial", engine="native:x")`,
			[]string{`expected native:N with N a positive number`}},
		{"unknown engine option", `execute("trivial", engine={"type": "native", "cores": 2})`,
			[]string{`engine native: unknown option "cores"`}},
		{"bad storage", `execute("trivial", storage="ftp://host/x")`,
			[]string{`storage "ftp://host/x": unsupported scheme "ftp"`}},
		{"syntax error in a component module", `execute("badsyntax")`,
			[]string{`bad\.star:1:8: in <toplevel>`, `badsyntax\.star:2:1: got newline, want ':'`}},
		{"missing module", `execute("missing_code")`,
			[]string{`unknown component "missing_code"`}},
		{"bad YAML version", `execute(Experiment().component("configured", "lr: [1"))`,
			[]string{`bad\.star:1:8`, `version "lr: \[1"`}},
		{"version not a mapping", `execute(Experiment().component("configured", "just text"))`,
			[]string{`version "just text"`, `mapping`}},
		{"runtime error in script", "def f():\n    return 1 // 0\nf()\n",
			[]string{`bad\.star:3:2: in <toplevel>`, `bad\.star:2:14: in f`, `floored division by zero`}},
		{"bad seed type", `execute("trivial", seed=1.5)`,
			[]string{`seed: expected None, an int or an experiment ID string, got float`}},
		{"absolute load", `load("/etc/passwd", "x")`,
			[]string{`expected a path relative to the project root`}},
		{"load outside the project", `load("../../x.star", "x")`,
			[]string{`outside the project`}},
		{"misspelt keyword of execute", `execute("trivial", seeds=1)`,
			[]string{`bad\.star:1:8: in <toplevel>`, `execute: unexpected keyword argument "seeds" \(did you mean "seed"\?\); it takes experiment, storage, engine, project, seed, code_backup, fail_fast$`}},
		{"misspelt keyword of component", `Experiment().component("trivial", verison="~x")`,
			[]string{`component: unexpected keyword argument "verison" \(did you mean "version"\?\); it takes name, version,`}},
		{"misspelt keyword, swapped letters", `Experiment().component("trivial", flgas={})`,
			[]string{`\(did you mean "flags"\?\)`}},
		{"keyword of a method", `Experiment().split(2, mdoe="x")`,
			[]string{`split: unexpected keyword argument "mdoe" \(did you mean "mode"\?\); it takes k, name, mode$`}},
		{"keyword of a positional-only builtin", `format(1, spce=".2f")`,
			[]string{`format: unexpected keyword argument "spce"; it takes positional arguments only`}},
		{"keyword of a random function", `random.randint(1, 2, sede=1)`,
			[]string{`random\.randint: unexpected keyword argument "sede"; it takes a, b$`}},
		{"misspelt component", `execute(Experiment().component("trivail"))`,
			[]string{`unknown component "trivail" \(did you mean "trivial"\?\)`}},
		{"named version without its ~", `execute(Experiment().component("configured", "mnist"))`,
			[]string{`bad\.star:1:8`, `version "mnist", line 1: .*got a string "mnist"; did you mean "~mnist"\? \(a named version starts with ~\)$`}},
		{"misspelt named version without its ~", `execute(Experiment().component("configured", ["~fast", "deeep"]))`,
			[]string{`version "deeep", line 1: .*; did you mean "~deep"\?`}},
		{"experiment version without its ~", `execute(Experiment().version("fast").component("configured"))`,
			[]string{`did you mean "~fast"\?`}},
		{"attribute of Experiment", `Experiment().componets`,
			[]string{`Experiment has no \.componets field or method \(did you mean \.components\?\)$`}},
		{"attribute of Storage", `Storage("mem://x").fnid`,
			[]string{`Storage has no \.fnid field or method \(did you mean \.find\?\)$`}},
		{"Python's %.4f", `print("loss %.4f" % 0.5)`,
			[]string{`bad\.star:1:19: in <toplevel>`, `unknown conversion %\.`, `\nhint: Starlark's % has no width or precision: use format\(x, "\.4f"\)$`}},
		{"Python's **", `x = 2**10`,
			[]string{`bad\.star:1:8: got '\*\*'`, `\nhint: Starlark has no \*\* operator: use math\.pow\(x, y\), or x \* x$`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := newOptions(t, nil)
			file := filepath.Join(fixtureProject(t), "bad.star")
			_, err := dsl.ExecFile(context.Background(), file, tc.src, opts)
			if err == nil {
				t.Fatal("expected an error")
			}
			got := dsl.ErrorText(err)
			for _, w := range tc.want {
				if !regexp.MustCompile(w).MatchString(got) {
					t.Errorf("error does not match %q:\n%s", w, got)
				}
			}
		})
	}
}
