package dsl_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/dsl"
)

// badScripts fail in as many layers as can be reached from a script: the
// builtins' argument checks, the plan, resolution, versions, engines,
// storage, component modules and their events.
var badScripts = []string{
	`execute("trivial", seeds=1)`,
	`execute("trivial", seed=1.5)`,
	`execute("trivial", seed="OY1p1")`,
	`execute("trivial", engine="natve")`,
	`execute("trivial", engine="native:x")`,
	`execute("trivial", engine={"type": "native", "cores": 2})`,
	`execute("trivial", engine={"type": "process", "cores": 2})`,
	`execute("trivial", engine="slurm:x")`,
	`execute("trivial", storage="ftp://host/x")`,
	`execute("trivial", storage=1)`,
	`execute(1)`,
	`execute(Experiment())`,
	`execute(Experiment().component("configurd"))`,
	`execute(Experiment().component("configured", "~mnst"))`,
	`execute(Experiment().component("configured", "mnist"))`,
	`execute(Experiment().component("configured", "lr: [1"))`,
	`execute(Experiment().component("configured", "just text"))`,
	`execute(Experiment().component("configured", "~deep:wde"))`,
	`execute(Experiment().component("configured", {"lr": {"x": 1}}))`,
	`execute(Experiment().component("configured", 1))`,
	`execute(Experiment().component("configured", flags=1))`,
	`execute(Experiment().component("configured", resources=1))`,
	`execute(Experiment().component("mixed", "_nope_"))`,
	`execute(Experiment().component("badsyntax"))`,
	`Experiment().repeat(-1)`,
	`Experiment().repeat("x")`,
	`Experiment().repeat(2, mode="x")`,
	`Experiment().split("x")`,
	`Experiment().split(2, mode="x")`,
	`Experiment().components("node", 1)`,
	`Experiment().directory(1)`,
	`Experiment().version(1)`,
	`Experiment().component("trivial").component(1)`,
	`Storage("ftp://x")`,
	`Storage("mem://empty").find("ABCDEF")`,
	`Storage("mem://empty").find("x")`,
	`command(1)`,
	`command(["/nonexistent/prog"], config=1)`,
	`format(1, "q")`,
	`format("x", ".2f")`,
	`random.randint(2, 1)`,
	`random.choice([])`,
	`random.sample([1], 2)`,
	`load("lib/nope.star", "x")`,
	`load("lib/helpers.star", "nope")`,
	`load("/etc/passwd", "x")`,
	`load("../../x.star", "x")`,
	"import os",
	"x = f'{1}'",
	"def f():\n    return 1 // 0\nf()\n",
	"fail('deliberate')",
}

// componentFailures run components that fail; the error stored for them
// is checked the same way.
var componentFailures = []string{
	`execute(Experiment().component("failing"))`,
	`execute(Experiment().component("storer", flags={"MODE": "escape"}))`,
	`execute(Experiment().component("storer", flags={"MODE": "overwrite"}))`,
	`execute(Experiment().component("keys", flags={"ROOT": "config", "READ": "lerning_rate", "INDEX": False}))`,
	`execute("executor")`,
	`execute(Experiment().component("trivial", {"_exec_": ["/nonexistent/prog"]}))`,
}

// TestOnePrefixPerMessage: no error message says its prefix twice in a
// row ("Error in repeat: repeat: ...", "engine process: engine process:
// ...").
func TestOnePrefixPerMessage(t *testing.T) {
	run := func(src string) string {
		file := filepath.Join(fixtureProject(t), "bad.star")
		rep, err := dsl.ExecFile(context.Background(), file, src, newOptions(t, nil))
		if err != nil {
			return dsl.ErrorText(err)
		}
		var msgs []string
		for _, res := range rep.Results {
			for _, c := range res.Failed() {
				msgs = append(msgs, c.Error)
			}
		}
		return strings.Join(msgs, "\n")
	}
	for _, src := range append(append([]string(nil), badScripts...), componentFailures...) {
		got := run(src)
		if got == "" {
			t.Errorf("%s: no error", src)
			continue
		}
		if p := repeatedPrefix(got); p != "" {
			t.Errorf("%s: %q said twice in a row:\n%s", src, p, got)
		}
		t.Logf("%s\n%s", src, got)
	}
}

// repeatedPrefix returns a prefix that a line of msg says twice in a row:
// two ": "-separated parts that start with the same word ("engine
// process: engine process:"), or where the next one starts with the word
// the previous one ends with ("Error in execute: execute:").
func repeatedPrefix(msg string) string {
	for _, line := range strings.Split(msg, "\n") {
		parts := strings.Split(line, ": ")
		for i := 1; i < len(parts); i++ {
			prev, next := strings.Fields(parts[i-1]), strings.Fields(parts[i])
			if len(prev) == 0 || len(next) == 0 {
				continue
			}
			if prev[len(prev)-1] == next[0] || strings.EqualFold(prev[0], next[0]) {
				return parts[i-1] + ": " + parts[i]
			}
		}
	}
	return ""
}

// TestEngineErrorsPrefixedOnce: an engine that fails while it runs
// (sbatch or ssh refusing here) is named once, though both the engine and
// the executor name it.
func TestEngineErrorsPrefixedOnce(t *testing.T) {
	bin := t.TempDir()
	for _, name := range []string{"sbatch", "ssh"} {
		script := "#!/bin/sh\necho \"" + name + ": error: cannot connect\" >&2\nexit 1\n"
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	for engine, want := range map[string]string{
		`{"type": "slurm"}`: "sbatch: error: cannot connect",
		`{"type": "remote", "host": "gpu-box", "directory": "proj"}`: "ssh gpu-box mkdir proj: exit status 1",
	} {
		src := fmt.Sprintf("execute(\"trivial\", engine=%s, storage=%q)", engine, t.TempDir())
		_, err := dsl.ExecFile(context.Background(), filepath.Join(fixtureProject(t), "bad.star"), src, newOptions(t, nil))
		if err == nil {
			t.Fatalf("%s: expected an error", engine)
		}
		got := dsl.ErrorText(err)
		if !strings.Contains(got, want) {
			t.Errorf("%s: not the failing command's error:\n%s", engine, got)
		}
		if p := repeatedPrefix(got); p != "" {
			t.Errorf("%s: %q said twice in a row:\n%s", engine, p, got)
		}
	}
}
