package dsl_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/dsl"
)

// tempProject writes files (path -> content) into a new directory and
// returns it.
func tempProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runScript runs src as dir/main.star against the project in dir.
func runScript(t *testing.T, ctx context.Context, dir, src string) (*dsl.Report, error) {
	t.Helper()
	opts := newOptions(t, nil)
	opts.Project = dir
	return dsl.ExecFile(ctx, filepath.Join(dir, "main.star"), src, opts)
}

func wantError(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", fragments)
	}
	text := dsl.ErrorText(err)
	for _, f := range fragments {
		if !strings.Contains(text, f) {
			t.Errorf("error does not contain %q:\n%s", f, text)
		}
	}
}

// TestLoadRefusesSymlinksOutOfProject: load() checks where a file really
// is, so a symbolic link (to a file or a directory) inside the project
// cannot reach a file outside it; a link that stays inside is fine.
func TestLoadRefusesSymlinksOutOfProject(t *testing.T) {
	outside := tempProject(t, map[string]string{"evil.star": "x = 'outside'\n", "dir/evil.star": "x = 'outside'\n"})
	dir := tempProject(t, map[string]string{
		"machinable.yaml": "components:\n",
		"real/ok.star":    "x = 'inside'\n",
	})
	for link, target := range map[string]string{
		"evil.star":     filepath.Join(outside, "evil.star"),
		"linked":        filepath.Join(outside, "dir"),
		"alias.star":    "real/ok.star",
		"real/up.star":  "../evil.star", // a chain: link -> link -> outside
		"realdir":       "real",
		"real/rel.star": "../../" + filepath.Base(outside) + "/evil.star",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(outside, "evil.star"), filepath.Join(filepath.Dir(dir), filepath.Base(outside)+".star")); err != nil && !os.IsExist(err) {
		t.Fatal(err)
	}
	for _, tc := range []struct{ src, want string }{
		{`load("evil.star", "x")`, "is a symbolic link to " + filepath.Join(outside, "evil.star") + ", outside the project"},
		{`load("linked/evil.star", "x")`, "outside the project " + dir},
		{`load("real/up.star", "x")`, "real/up.star is a symbolic link to " + filepath.Join(outside, "evil.star")},
		{`load("./real/rel.star", "x")`, "outside the project"},
		{`load("../evil.star", "x")`, "outside the project"},
	} {
		_, err := runScript(t, context.Background(), dir, tc.src)
		wantError(t, err, tc.want, "main.star:1:1")
	}
	for _, src := range []string{
		`load("alias.star", "x")` + "\nif x != 'inside': fail(x)\n",
		`load("realdir/ok.star", "x")` + "\nif x != 'inside': fail(x)\n",
		`load("real/ok.star", "x")` + "\nif x != 'inside': fail(x)\n",
	} {
		if _, err := runScript(t, context.Background(), dir, src); err != nil {
			t.Errorf("%s: %v", src, err)
		}
	}
}

// TestSelfContainingValues: a value that contains itself, or is nested
// deeper than MaxValueDepth, is refused with an error wherever it is
// handed over, instead of overflowing the Go stack (which killed the
// process and every component running in it).
func TestSelfContainingValues(t *testing.T) {
	dir := tempProject(t, map[string]string{
		"machinable.yaml": "components:\n  - cyc:\n      where: record\n  - ok:\n  - method:\n      v: loop_value()\n",
		"cyc.star": `
def cyclic():
    x = [1]
    x.append(x)
    return x

def deep():
    d = 1
    for i in range(1100):
        d = [d]
    return d

def on_execute(self):
    w = self.config.where
    if w == "record":
        self.record["x"] = cyclic()
    elif w == "update":
        self.record.update({"x": cyclic()})
    elif w == "store":
        self.store.write("x", cyclic())
    elif w == "config":
        self.config.x = cyclic()
    elif w == "deep":
        self.record["d"] = deep()
    elif w == "through":
        y = {"a": [1]}
        y["a"].append({"b": y})
        self.record["y"] = y
    elif w == "struct":
        s = struct(a = [])
        s.a.append(s)
        self.store.write("s", s)
`,
		"ok.star":     "def on_execute(self):\n    self.record['fine'] = [[1], {'a': [2]}]\n    self.record.save()\n",
		"method.star": "def config_loop_value(self):\n    x = []\n    x.append(x)\n    return x\n",
	})
	// In components: the component fails with the reason, the others
	// (running next to it under native:2) finish.
	for where, want := range map[string]string{
		"record":  `record["x"]: value contains itself`,
		"update":  "record.update: key \"x\": value contains itself",
		"store":   `store.write("x"): value contains itself`,
		"config":  "config.x: value contains itself",
		"deep":    `record["d"]: value nested deeper than 1000 levels`,
		"struct":  `store.write("s"): field "a": value contains itself`,
		"through": `record["y"]: key "a": key "b": value contains itself`,
	} {
		t.Run(where, func(t *testing.T) {
			src := `run = execute(Experiment().component("cyc", {"where": "` + where + `"}).component("ok").repeat(2), engine="native:2")
print(len(run.failed))
for c in run.components:
    if c.name == "cyc":
        if c.status != "failed": fail("cyc " + c.status)
        print(c.error)
    elif c.status != "finished":
        fail("ok " + c.status + " " + str(c.error))
`
			var out strings.Builder
			opts := newOptions(t, &out)
			opts.Project = dir
			opts.Stdout = &out
			if _, err := dsl.ExecFile(context.Background(), filepath.Join(dir, "main.star"), src, opts); err != nil {
				t.Fatalf("%v\n%s", dsl.ErrorText(err), out.String())
			}
			if !strings.Contains(out.String(), "\n2\n") || !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		})
	}
	// In the script: flags, versions, config method results and
	// version-value functions.
	cyclic := "x = []\nx.append(x)\n"
	for _, tc := range []struct{ name, src, want string }{
		{"flags", cyclic + `Experiment().component("ok", flags={"F": x})`, `flags: key "F": value contains itself`},
		{"resources", cyclic + `Experiment().component("ok", resources={"r": x})`, `resources: key "r": value contains itself`},
		{"version list", cyclic + `Experiment().component("ok", x)`, "version: value contains itself"},
		{"version tuple", "x = []\nt = (x,)\nx.append(t)\n" + `Experiment().component("ok", t)`, "version: value contains itself"},
		{"version dict", cyclic + `Experiment().component("ok", {"a": x})`, `version: key "a": value contains itself`},
		{"experiment version", cyclic + `Experiment().version(a=x)`, `version: key "a": value contains itself`},
		{"deep version", "v = 'a: 1'\nfor i in range(1100):\n    v = [v]\n" + `Experiment().component("ok", v)`, "version: value nested deeper than 1000 levels"},
		{"config method", `execute("method", engine="dry")`, "config_loop_value returned value contains itself"},
		{"version value", "def f(config):\n    y = []\n    y.append(y)\n    return y\n" + `execute(Experiment().component("ok", {"v": f}), engine="dry")`, "value contains itself"},
		{"execute engine", cyclic + `execute("ok", engine={"type": "dry", "x": x})`, `engine: key "x": value contains itself`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runScript(t, context.Background(), dir, tc.src)
			wantError(t, err, tc.want)
		})
	}
}

// TestHugeDrawsRefused: random draws and repeats that would need
// gigabytes are refused at once with the limit; ordinary uses, including
// Python's sample(range(huge), k), still work.
func TestHugeDrawsRefused(t *testing.T) {
	dir := tempProject(t, map[string]string{"machinable.yaml": "components:\n  - ok:\n", "ok.star": ""})
	for _, tc := range []struct{ src, want string }{
		{`random.choices([1, 2], k=1 << 40)`, "random.choices: k=1099511627776: expected at most 10000000 elements per call"},
		{`random.sample(range(1 << 62), 1 << 40)`, "random.sample: k=1099511627776: expected at most 10000000 elements per call"},
		{`random.getrandbits(1 << 40)`, "random.getrandbits: k=1099511627776: expected at most 10000000 bits per call"},
		{`random.choices(range(1 << 40), weights=range(1 << 40))`, "random.choices: weights: range of 1099511627776 elements: expected at most 10000000 elements"},
		{`Experiment().component("ok").repeat(1 << 40)`, "repeat: expected k <= 1000000 (the most components an experiment schedules), got 1099511627776"},
		{`Experiment().component("ok").split(1000001)`, "split: expected k <= 1000000"},
		{`execute(Experiment().component("ok").repeat(10000).split(10000), engine="dry")`, "experiment schedules more than 1000000 components"},
		{`execute(Experiment().component("ok", ([{"a": i} for i in range(1500)], [{"b": i} for i in range(1500)])), engine="dry")`, "experiment schedules more than 1000000 components"},
	} {
		start := time.Now()
		_, err := runScript(t, context.Background(), dir, tc.src)
		wantError(t, err, tc.want, "main.star:1:")
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s took %v", tc.src, d)
		}
	}
	src := `s = random.sample(range(1 << 62), 3)
if len(s) != 3: fail(s)
if len(random.choices([1, 2], k=1000)) != 1000: fail("choices")
if random.getrandbits(4096) < 0: fail("bits")
`
	if _, err := runScript(t, context.Background(), dir, src); err != nil {
		t.Fatal(dsl.ErrorText(err))
	}
}

// TestCancelStopsEveryScriptThread: the context of ExecFile (the first
// Ctrl-C) stops Starlark code on every thread the script run creates: the
// top level of a load()ed file, config methods, version-value functions
// and resources functions (here of a plan built in a loaded file).
func TestCancelStopsEveryScriptThread(t *testing.T) {
	spin := "def spin(*args, **kwargs):\n    while True:\n        pass\n"
	dir := tempProject(t, map[string]string{
		"machinable.yaml": "components:\n  - ok:\n  - method:\n      v: spin()\n",
		"ok.star":         "",
		"method.star":     "def config_spin(self):\n    while True:\n        pass\n",
		"lib/spin.star":   "x = 0\nwhile True:\n    x += 1\n",
		"lib/funcs.star":  spin + "def spin_config(config):\n    while True:\n        pass\n",
		"lib/plan.star":   "load('lib/funcs.star', 'spin')\nE = Experiment().component('ok', resources=spin)\n",
	})
	for _, tc := range []struct{ name, src string }{
		{"loaded file", `load("lib/spin.star", "x")`},
		{"loaded from a loaded file", `load("lib/plan.star", "E")` + "\n" + `load("lib/spin.star", "x")`},
		{"config method", `execute("method", engine="dry")`},
		{"version value", `load("lib/funcs.star", "spin_config")` + "\n" + `execute(Experiment().component("ok", {"v": spin_config}), engine="dry")`},
		{"resources of a loaded plan", `load("lib/plan.star", "E")` + "\n" + `execute(E, engine="dry")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := runScript(t, ctx, dir, tc.src)
				done <- err
			}()
			time.Sleep(200 * time.Millisecond)
			cancel()
			select {
			case err := <-done:
				wantError(t, err, "cancelled")
			case <-time.After(20 * time.Second):
				t.Fatal("still running 20s after the context was cancelled")
			}
		})
	}
}

// TestScriptSeedIDs: execute(seed=...) takes an experiment ID string,
// also written id:ID as on the command line; IDs below 62**5 (a leading
// 0), which no experiment has, are refused at the call.
func TestScriptSeedIDs(t *testing.T) {
	dir := tempProject(t, map[string]string{"machinable.yaml": "components:\n  - ok:\n", "ok.star": ""})
	src := `for seed in ["123456", "id:123456", "ID:8gWVkz"]:
    run = execute("ok", seed=seed, engine="dry")
    if run.experiment_id != seed[-6:]: fail(seed + " gave " + run.experiment_id)
`
	if _, err := runScript(t, context.Background(), dir, src); err != nil {
		t.Fatal(dsl.ErrorText(err))
	}
	for _, seed := range []string{"000000", "id:0abcde"} {
		_, err := runScript(t, context.Background(), dir, `execute("ok", seed="`+seed+`", engine="dry")`)
		wantError(t, err, "main.star:1:8", "execute: seed: invalid experiment ID", "expected a first character from 1-9, A-Z, a-z", "62**5 to 62**6-1")
	}
}
