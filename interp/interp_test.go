package interp_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/machinable-go/machinable/engines"
	"github.com/machinable-go/machinable/interp"
	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
)

// uniqueStorage gives every test its own in-memory storage: mem:// is
// shared within the process, and equal seeds would resume each other.
func uniqueStorage(t *testing.T) string {
	return "mem://interp-test-" + strings.ReplaceAll(t.Name(), "/", "-")
}

func TestCancelStopsLongScript(t *testing.T) {
	it := interp.New(interp.WithQuiet())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := it.ExecSource(ctx, "forever.star", "while True:\n    pass\n")
	if err == nil {
		t.Fatal("a script that never ends returned without error")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("cancelled script took %s to stop", took)
	}
	var evalErr *starlark.EvalError
	if !errors.As(err, &evalErr) {
		t.Fatalf("error %T %v: want *starlark.EvalError", err, err)
	}
	if !strings.Contains(err.Error(), "cancelled") || !strings.Contains(err.Error(), context.DeadlineExceeded.Error()) {
		t.Errorf("error %q does not say it was cancelled by the context", err)
	}
}

func TestCancelInterruptsComponentAndResume(t *testing.T) {
	storageURL := uniqueStorage(t)
	it := interp.New(interp.WithQuiet(), interp.WithDefaultStorage(storageURL), interp.WithSeed(int64(7)))
	var runs atomic.Int32
	started := make(chan struct{}, 1)
	it.RegisterComponent("slow", runtime.GoComponent{
		runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			if runs.Add(1) == 1 { // first run: wait until cancelled
				started <- struct{}{}
				<-ctx.Done()
				return nil, ctx.Err()
			}
			return nil, nil
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	res, err := it.Execute(ctx, runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "slow"}))
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || len(res.Outcomes) != 1 || res.Outcomes[0].Status != "interrupted" {
		t.Fatalf("outcomes %+v: want one interrupted component", res.Outcomes)
	}

	again, err := it.Resume(context.Background(), res.Experiment.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !again.OK() || !again.Resumed || again.Outcomes[0].Status != "finished" {
		t.Fatalf("resume: ok=%v resumed=%v outcomes %+v", again.OK(), again.Resumed, again.Outcomes)
	}
	// A bare ID is looked up in the default storage; nothing is left to run.
	byID, err := it.Resume(context.Background(), res.Execution.ExperimentID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := byID.Counts(); c.Previous != 1 || runs.Load() != 2 {
		t.Errorf("resume by ID: counts %+v, %d runs; want the finished component kept", c, runs.Load())
	}
}

func TestScriptErrorCarriesBacktrace(t *testing.T) {
	it := interp.New(interp.WithQuiet())
	src := "def check(n):\n    if n > 2:\n        fail(\"too big:\", n)\n\ncheck(3)\n"
	_, err := it.ExecSource(context.Background(), "bad.star", src)
	var evalErr *starlark.EvalError
	if !errors.As(err, &evalErr) {
		t.Fatalf("error %T %v: want *starlark.EvalError", err, err)
	}
	bt := evalErr.Backtrace()
	for _, want := range []string{"bad.star:5:6: in <toplevel>", "bad.star:3:13: in check", "too big: 3"} {
		if !strings.Contains(bt, want) {
			t.Errorf("backtrace lacks %q:\n%s", want, bt)
		}
	}
}

func TestSyntaxErrorNamesPosition(t *testing.T) {
	_, err := interp.New(interp.WithQuiet()).ExecSource(context.Background(), "syntax.star", "x = (1,\n")
	if err == nil || !strings.Contains(err.Error(), "syntax.star:") {
		t.Fatalf("error %v: want file:line:col", err)
	}
}

func TestStarlarkAndGoComponentsInProject(t *testing.T) {
	var stdout, stderr bytes.Buffer
	it := interp.New(
		interp.WithProject(filepath.Join("testdata", "project")),
		interp.WithStdout(&stdout), interp.WithStderr(&stderr),
		interp.WithDefaultStorage(uniqueStorage(t)), interp.WithSeed(int64(42)),
	)
	it.RegisterComponent("go_double", runtime.GoComponent{
		runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			self.Record.Set("value", self.Config["factor"].(int64)*2)
			return nil, self.Record.Save()
		},
	})
	script := `
runs = execute(Experiment().component("worker").component("go_double").component("broken"))
print("ran", runs.experiment_id, len(runs.failed))
`
	report, err := it.ExecSource(context.Background(), "mixed.star", script)
	if err != nil {
		t.Fatal(err)
	}
	if report.Failed() != 1 {
		t.Fatalf("failed %d, want 1 (broken)", report.Failed())
	}
	res := report.Results[0]
	if res.Execution.ExperimentID != "8gWVkz" {
		t.Errorf("experiment %s: WithSeed(42) should give 8gWVkz", res.Execution.ExperimentID)
	}
	wantStatus := map[string]string{"worker": "finished", "go_double": "finished", "broken": "failed"}
	for _, o := range res.Outcomes {
		if o.Status != wantStatus[o.Component.Name] {
			t.Errorf("%s: status %s, want %s (%s)", o.Component.Name, o.Status, wantStatus[o.Component.Name], o.Error)
		}
	}
	out := stdout.String()
	for _, want := range []string{"Experiment 8gWVkz", "worker done", "ran 8gWVkz 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	errOut := stderr.String()
	for _, want := range []string{"(broken) of experiment 8gWVkz failed", "broken.star:2:9: in helper", "broken on purpose: 1"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}

	st, err := interp.OpenStorage(uniqueStorage(t))
	if err != nil {
		t.Fatal(err)
	}
	view, err := st.Experiment("8gWVkz")
	if err != nil {
		t.Fatal(err)
	}
	comps, err := view.Components()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := comps[1].AllRecords("default")
	if err != nil || len(rows) != 1 || rows[0]["value"] != int64(20) {
		t.Errorf("go_double records %v (%v): want value 20 from the yaml config", rows, err)
	}
}

func TestDefaultsAndOverrides(t *testing.T) {
	var engineUsed atomic.Value
	it := interp.New(interp.WithQuiet(), interp.WithDefaultStorage(uniqueStorage(t)),
		interp.WithSeed("OY1p1o"), interp.WithEngine("native:2"))
	it.RegisterComponent("noop", runtime.GoComponent{})
	it.RegisterEngine("spy", func(spec engines.Spec) (engines.Engine, error) {
		engineUsed.Store(spec.String())
		native, err := engines.NewRegistry().New(engines.Spec{Type: "native", Options: map[string]any{}})
		return spyEngine{native}, err
	})
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "noop"})

	// Interpreter defaults apply to Go plans ...
	res, err := it.Execute(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if res.Execution.ExperimentID != "OY1p1o" || res.Execution.Engine != "native:2" || res.Execution.Storage != uniqueStorage(t) {
		t.Errorf("defaults: experiment %s engine %s storage %s", res.Execution.ExperimentID, res.Execution.Engine, res.Execution.Storage)
	}
	// ... and to scripts that name nothing; what execute() names wins.
	report, err := it.ExecSource(context.Background(), "s.star",
		`execute(Experiment().component("noop"))`+"\n"+
			`execute(Experiment().component("noop"), engine={"type": "spy", "x": 1}, seed=1)`)
	if err != nil {
		t.Fatal(err)
	}
	if got := report.Results[0].Execution; got.ExperimentID != "OY1p1o" || !report.Results[0].Resumed {
		t.Errorf("script default seed: %s resumed=%v, want OY1p1o resumed", got.ExperimentID, report.Results[0].Resumed)
	}
	if got := report.Results[1].Execution; got.Engine != "spy(x=1)" || got.ExperimentID == "OY1p1o" {
		t.Errorf("script overrides: engine %s experiment %s", got.Engine, got.ExperimentID)
	}
	if engineUsed.Load() != "spy(x=1)" {
		t.Errorf("registered engine got spec %v", engineUsed.Load())
	}
	// ExecuteOptions win over the defaults.
	res, err = it.Execute(context.Background(), plan, interp.Seed(2), interp.Engine("native"), interp.FailFast())
	if err != nil {
		t.Fatal(err)
	}
	if res.Execution.ExperimentID == "OY1p1o" || res.Execution.Engine != "native" {
		t.Errorf("execute options: experiment %s engine %s", res.Execution.ExperimentID, res.Execution.Engine)
	}
}

type spyEngine struct{ engines.Engine }

func (spyEngine) Name() string { return "spy" }

func TestErrors(t *testing.T) {
	it := interp.New(interp.WithQuiet(), interp.WithDefaultStorage(uniqueStorage(t)))
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "nowhere"})
	if _, err := it.Execute(context.Background(), plan); err == nil || !strings.Contains(err.Error(), `"nowhere"`) {
		t.Errorf("unknown component: %v", err)
	}
	it.RegisterComponent("noop", runtime.GoComponent{})
	plan = runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "noop"})
	if _, err := it.Execute(context.Background(), plan, interp.Engine("revers")); err == nil || !strings.Contains(err.Error(), "unknown engine") {
		t.Errorf("unknown engine: %v", err)
	}
	if _, err := it.Execute(context.Background(), plan, interp.Seed("not-an-id")); err == nil {
		t.Error("bad seed accepted")
	}
	if _, err := it.Resume(context.Background(), "zzzzzz", nil); err == nil {
		t.Error("resume of a missing experiment succeeded")
	}
	if _, err := it.Resume(context.Background(), "", nil); err == nil {
		t.Error("resume of nothing succeeded")
	}
	if _, err := it.ExecFile(context.Background(), filepath.Join("testdata", "missing.star")); err == nil {
		t.Error("missing script ran")
	}
}

func TestQuietAndNilWriters(t *testing.T) {
	for _, opts := range [][]interp.Option{
		{interp.WithQuiet()},
		{interp.WithStdout(nil), interp.WithStderr(nil)},
		{nil, interp.WithStdout(nil), interp.WithStderr(nil)},
	} {
		it := interp.New(append(opts, interp.WithDefaultStorage("mem://interp-test-quiet"))...)
		it.RegisterComponent("fails", runtime.GoComponent{
			runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
				return nil, errors.New("no")
			},
		})
		report, err := it.ExecSource(context.Background(), "q.star", `print("hidden"); execute(Experiment().component("fails"))`)
		if err != nil || report.Failed() != 1 {
			t.Errorf("quiet run: %v, %d failed", err, report.Failed())
		}
	}
}
