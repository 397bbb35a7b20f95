package dsl_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
)

// TestLifecycleDocSamples keeps the life-cycle section of
// docs/components.md true: every module of testdata/lifecycle it shows is
// included verbatim, and each experiment it shows prints what it says.
func TestLifecycleDocSamples(t *testing.T) {
	doc := readFile(t, "../docs/components.md")
	start := strings.Index(doc, "## The life cycle")
	end := strings.Index(doc, "## `self`")
	if start < 0 || end < start {
		t.Fatal("docs/components.md: no life-cycle section")
	}
	section := doc[start:end]
	project, err := filepath.Abs("testdata/lifecycle")
	if err != nil {
		t.Fatal(err)
	}
	modules, _ := filepath.Glob(filepath.Join(project, "*.star"))
	if len(modules) == 0 {
		t.Fatal("no modules in testdata/lifecycle")
	}
	for _, m := range modules {
		if !strings.Contains(section, strings.TrimRight(readFile(t, m), "\n")) {
			t.Errorf("the life-cycle section does not include testdata/lifecycle/%s verbatim", filepath.Base(m))
		}
	}
	for _, tc := range []struct{ script, out string }{
		{`execute(Experiment().components("order", [("order", {"tag": "sub"})]), seed=42)`, ""},
		{`execute("scaled")`, "lr 1.0 scaled True"},
		{`execute("draws", seed=42)`, "2055422843 0.6353788023630677"},
		{`execute(Experiment().components("picky", [("leaf", {"size": 1}), ("leaf", {"size": 5}), ("leaf", {"size": 2})]))`,
			"built size 1 as 0\nbuilt size 2 as 1\non_create [1, 2]"},
		{"run = execute(\"iterate\")\nprint([(r[\"_iteration\"], r[\"loss\"]) for r in run.components[0].records])",
			"[(0, 1.0), (2, 0.3333333333333333)]"},
		{`execute("fragile")`, "on_failure exception Error in fail: diverged\non_finish ExecutionException False"},
		{`execute("seedself")`, "0.32383276483316237 20 b"},
	} {
		if !strings.Contains(section, tc.script) {
			t.Errorf("the life-cycle section does not show %q", tc.script)
		}
		got := runDocSample(t, project, tc.script)
		want := tc.out
		if want == "" { // the trace: the block after the script
			rest := section[strings.Index(section, tc.script):]
			i := strings.Index(rest, "```\n\n```\n")
			if i < 0 {
				t.Fatalf("no output block after %q", tc.script)
			}
			rest = rest[i+len("```\n\n```\n"):]
			want = rest[:strings.Index(rest, "\n```")]
			// "..." stands for the lines around the trace (the summary)
			want = strings.TrimSuffix(strings.TrimPrefix(want, "...\n"), "\n...")
		}
		if got != want {
			t.Errorf("%s printed\n%s\nwant\n%s", tc.script, got, want)
		}
		if !strings.Contains(section, want) {
			t.Errorf("the life-cycle section does not show the output of %q:\n%s", tc.script, want)
		}
	}
}

// runDocSample runs a script in project and returns what components and
// the script printed, without the progress lines.
func runDocSample(t *testing.T, project, script string) string {
	t.Helper()
	var out bytes.Buffer
	reg := runtime.NewRegistry()
	dsl.Register(reg)
	opts := dsl.Options{Executor: executor.New(reg, &out), Stdout: &out, Project: project,
		DefaultStorage: fmt.Sprintf("mem://%s/%d", t.Name(), runCounter.Add(1))}
	if _, err := dsl.ExecFile(context.Background(), filepath.Join(project, "experiment.star"), script, opts); err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if strings.HasPrefix(l, "Experiment ") || strings.HasPrefix(l, "[") && strings.Contains(l, "] ") && !strings.HasPrefix(l, "[(") ||
			strings.HasPrefix(l, "  failed: ") {
			continue
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
