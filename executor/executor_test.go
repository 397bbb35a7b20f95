package executor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

func newExecutor(console *bytes.Buffer) *executor.Executor {
	reg := runtime.NewRegistry()
	dsl.Register(reg)
	if console == nil {
		return executor.New(reg, nil)
	}
	return executor.New(reg, console)
}

// runCounter makes storage names unique across repeated test runs.
var runCounter atomic.Int64

// memURL is an in-memory storage of this test run's own.
func memURL(t *testing.T) string {
	return fmt.Sprintf("mem://%s/%d", t.Name(), runCounter.Add(1))
}

func projectDir(t *testing.T) string {
	dir, err := filepath.Abs("testdata/project")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// storedConfig executes one component and returns the config found in its
// component.json in storage.
func storedConfig(t *testing.T, name string, v runtime.Version) map[string]any {
	t.Helper()
	url := memURL(t)
	res, err := newExecutor(nil).Execute(context.Background(), runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: name, Version: v}),
		Storage: url, Project: projectDir(t), Seed: int64(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("component failed: %s", res.Failed()[0].Error)
	}
	st, err := storage.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.OpenExperiment("", res.Execution.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	comp, err := exp.OpenComponent(res.Execution.Schedule[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var stored runtime.ScheduledComponent
	if err := comp.ReadJSON("component.json", &stored); err != nil {
		t.Fatal(err)
	}
	// compare through JSON so number types do not matter
	b, _ := json.Marshal(stored.Config)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func jsonMap(t *testing.T, s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestConfigInStorage covers each machinable.yaml feature and each version
// form by the config that lands in component.json. As in machinable 2.x,
// references ($self.layers) were resolved when machinable.yaml was read,
// before any version; an applied named version stays in the config; and
// component.json leaves out hidden keys (_secret).
func TestConfigInStorage(t *testing.T) {
	base := `{"lr":0.01,"layers":2,"scaled":2,"data":{"name":"mnist","size":100}}`
	cases := []struct {
		name, component string
		version         runtime.Version
		want            string
	}{
		{"defaults with $. $self. $/, hidden keys left out", "base", runtime.Version{}, base},
		{"named version; $self was resolved before it", "base", runtime.Named("~deep"),
			`{"lr":0.01,"layers":8,"scaled":2,"data":{"name":"mnist","size":100},"~deep":{"layers":8}}`},
		{"dict patch merges deeply", "base", runtime.Patch(map[string]any{"data": map[string]any{"size": int64(5)}}),
			`{"lr":0.01,"layers":2,"scaled":2,"data":{"name":"mnist","size":5}}`},
		{"YAML string", "base", runtime.VersionString("lr: 0.5"),
			`{"lr":0.5,"layers":2,"scaled":2,"data":{"name":"mnist","size":100}}`},
		{"tuple merges in order", "base", runtime.Merge(runtime.Named("~deep"), runtime.Patch(map[string]any{"layers": int64(3)})),
			`{"lr":0.01,"layers":3,"scaled":2,"data":{"name":"mnist","size":100},"~deep":{"layers":8}}`},
		{"inheritance child^base", "child", runtime.Version{},
			`{"lr":0.01,"layers":2,"scaled":2,"data":{"name":"mnist","size":100},"dropout":0.5}`},
		{"inherited version", "child", runtime.Named("~deep"),
			`{"lr":0.01,"layers":8,"scaled":2,"data":{"name":"mnist","size":100},"dropout":0.5,"~deep":{"layers":8}}`},
		{"alias", "short", runtime.Version{}, `{"x":1}`},
		{"module name of an alias", "long.module.name", runtime.Version{}, `{"x":1}`},
		{"group", "models.mlp", runtime.Named("~wide"), `{"width":512,"~wide":{"width":512}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := storedConfig(t, tc.component, tc.version)
			if want := jsonMap(t, tc.want); !reflect.DeepEqual(got, want) {
				t.Errorf("config in storage:\n got %v\nwant %v", got, want)
			}
		})
	}
}

// TestIterateLandsInStorage checks that a list version yields one
// component per element, each with its config stored.
func TestIterateLandsInStorage(t *testing.T) {
	url := memURL(t)
	v := runtime.Iterate(runtime.Patch(map[string]any{"width": int64(1)}), runtime.Named("~wide"))
	res, err := newExecutor(nil).Execute(context.Background(), runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "models.mlp", Version: v}),
		Storage: url, Project: projectDir(t), Seed: int64(2),
	})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := storage.Open(url)
	exp, err := st.OpenExperiment("", res.Execution.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	var widths []string
	if _, err := exp.ReadSchedule(func(raw json.RawMessage) error {
		var c runtime.ScheduledComponent
		err := storage.DecodeScheduled(raw, &c)
		widths = append(widths, fmt.Sprint(c.Config["width"]))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(widths, ",") != "1,512" {
		t.Errorf("widths in schedule.jsonl = %v, want 1,512", widths)
	}
}

// TestResumeKeepsFinished: executing the same seed into the same storage
// resumes: nothing stored changes when everything finished; a changed plan
// is refused and leaves the storage alone.
func TestResumeKeepsFinished(t *testing.T) {
	url := filepath.Join(t.TempDir(), "results")
	req := runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "base"}).Repeat(2, ""),
		Storage: url, Project: projectDir(t), Seed: int64(42),
	}
	if _, err := newExecutor(nil).Execute(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, url)
	res, err := newExecutor(nil).Execute(context.Background(), req)
	if err != nil || !res.Resumed || !res.OK() || res.Counts().Previous != 2 {
		t.Fatalf("resume: %v %+v", err, res)
	}
	if after := snapshot(t, url); !reflect.DeepEqual(before, after) {
		t.Error("resuming a finished experiment changed stored results")
	}
	changed := req
	changed.Plan = runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "base", Version: runtime.Named("~deep")}).Repeat(2, "")
	_, err = newExecutor(nil).Execute(context.Background(), changed)
	if !errors.Is(err, storage.ErrExperimentExists) || !strings.Contains(err.Error(), "8gWVkz") || !strings.Contains(err.Error(), "different plan") {
		t.Fatalf("changed plan: want ErrExperimentExists naming the plan change, got %v", err)
	}
	if after := snapshot(t, url); !reflect.DeepEqual(before, after) {
		t.Error("refused run changed stored results")
	}
}

// TestResumeRerunsFailed: a component that failed runs again on resume;
// its first attempt is kept under attempts/1/.
func TestResumeRerunsFailed(t *testing.T) {
	calls := 0
	reg := runtime.NewRegistry()
	reg.Register("flaky", runtime.GoComponent{runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
		calls++
		fmt.Fprintf(self.Output, "attempt %d\n", calls)
		if calls == 1 {
			return nil, errors.New("first attempt fails")
		}
		return nil, nil
	}})
	reg.Register("steady", runtime.GoComponent{})
	url := filepath.Join(t.TempDir(), "results")
	req := runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "steady"}).Component(runtime.ComponentSpec{Name: "flaky"}),
		Storage: url, Seed: int64(5), CodeBackup: false,
	}
	x := executor.New(reg, nil)
	first, err := x.Execute(context.Background(), req)
	if err != nil || first.OK() {
		t.Fatalf("first run: %v ok=%v", err, first.OK())
	}
	steadyDir := filepath.Join(first.Experiment.Path, first.Execution.Schedule[0].ID)
	steadyBefore := snapshot(t, steadyDir)
	second, err := x.Execute(context.Background(), req)
	if err != nil || !second.OK() || calls != 2 {
		t.Fatalf("second run: %v ok=%v calls=%d", err, second.OK(), calls)
	}
	if !reflect.DeepEqual(steadyBefore, snapshot(t, steadyDir)) {
		t.Error("finished component touched by resume")
	}
	flaky := filepath.Join(first.Experiment.Path, first.Execution.Schedule[1].ID)
	old, err := os.ReadFile(filepath.Join(flaky, "attempts", "1", "status.json"))
	if err != nil || !strings.Contains(string(old), "first attempt fails") {
		t.Errorf("first attempt not kept: %v %s", err, old)
	}
	if out, _ := os.ReadFile(filepath.Join(flaky, "output.log")); string(out) != "attempt 2\n" {
		t.Errorf("output.log of the new attempt = %q", out)
	}
}

// TestLoadExecution reads an execution back from storage, as a worker does,
// and finds the same schedule.
func TestLoadExecution(t *testing.T) {
	url := memURL(t)
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "base", Version: runtime.Named("~deep")}).Repeat(2, "")
	res, err := newExecutor(nil).Execute(context.Background(), runtime.ExecuteRequest{Plan: plan, Storage: url, Project: projectDir(t), Seed: int64(9)})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := storage.Open(url)
	exp, err := st.OpenExperiment("", res.Execution.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := executor.LoadExecution(exp)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ex.Schedule, res.Execution.Schedule) {
		t.Errorf("schedule from storage differs:\n got %#v\nwant %#v", ex.Schedule, res.Execution.Schedule)
	}
	if !reflect.DeepEqual(ex.Plan, res.Execution.Plan) {
		t.Errorf("plan from storage differs:\n got %#v\nwant %#v", ex.Plan, res.Execution.Plan)
	}
	if ex.ExperimentID != res.Execution.ExperimentID || ex.Seed != res.Execution.Seed {
		t.Errorf("identity differs: %s/%d", ex.ExperimentID, ex.Seed)
	}
}

// TestRunStored: an execution prepared in storage can be run component by
// component, in any order, from what is stored alone — the worker
// protocol — with the same results as an in-process run.
func TestRunStored(t *testing.T) {
	x := newExecutor(nil)
	req := runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "base"}).Repeat(3, ""),
		Storage: memURL(t), Project: projectDir(t), Seed: int64(42),
	}
	ex, _, err := x.Resolve(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := executor.Prepare(ex, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(ex.Schedule) - 1; i >= 0; i-- {
		out, err := executor.RunStored(context.Background(), exp, ex.Schedule[i].ID, x.Components, nil, nil)
		if err != nil || out.Status != storage.StatusFinished {
			t.Fatalf("%s: %v %+v", ex.Schedule[i].ID, err, out)
		}
		comp, _ := exp.OpenComponent(ex.Schedule[i].ID)
		var stored runtime.ScheduledComponent
		if err := comp.ReadJSON("component.json", &stored); err != nil {
			t.Fatal(err)
		}
		if stored.ID != ex.Schedule[i].ID || fmt.Sprint(stored.Flags["SEED"]) != fmt.Sprint(ex.Schedule[i].Flags["SEED"]) {
			t.Errorf("stored component %s differs: %+v", ex.Schedule[i].ID, stored)
		}
	}
	if _, err := executor.RunStored(context.Background(), exp, "nope", x.Components, nil, nil); err == nil || !strings.Contains(err.Error(), `has no component "nope"`) {
		t.Errorf("unknown ID: %v", err)
	}
}

// TestParallelFailuresContained: with native:2, a Go panic in one
// component of ten, or a Starlark error in one of ten, fails that one; the
// other nine finish.
func TestParallelFailuresContained(t *testing.T) {
	for _, bad := range []string{"panics", "broken"} {
		reg := runtime.NewRegistry()
		dsl.Register(reg)
		reg.Register("panics", runtime.GoComponent{runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
			var p *runtime.Self
			return p.Name, nil // nil pointer dereference: a real Go panic
		}})
		plan := runtime.NewExperiment()
		for i := 0; i < 10; i++ {
			name := "spin"
			if i == 4 {
				name = bad
			}
			plan.Component(runtime.ComponentSpec{Name: name, Version: runtime.Patch(map[string]any{"n": int64(1000)})})
		}
		if bad == "panics" {
			plan.Components[4].Version = runtime.Version{}
		}
		res, err := executor.New(reg, nil).Execute(context.Background(), runtime.ExecuteRequest{
			Plan: plan, Storage: memURL(t), Project: projectDir(t), Engine: "native:2",
		})
		if err != nil {
			t.Fatal(err)
		}
		c := res.Counts()
		if c.Finished != 9 || c.Failed != 1 || res.Outcomes[4].Status != storage.StatusFailed {
			t.Errorf("%s: %+v", bad, c)
		}
		want := map[string]string{"panics": "panic: runtime error: invalid memory address", "broken": "starlark error"}[bad]
		if !strings.Contains(res.Outcomes[4].Error, want) {
			t.Errorf("%s: error %q", bad, res.Outcomes[4].Error)
		}
	}
}

// GlobalSeed, the Go API's seed argument, takes an experiment ID in both
// forms and refuses IDs outside the global seeds' range.
func TestGlobalSeedForms(t *testing.T) {
	for seed, want := range map[any]int64{int64(42): 7957417341, 42: 7957417341, "8gWVkz": 7957417341, "id:8gWVkz": 7957417341, "id:123456": 0} {
		got, err := executor.GlobalSeed(seed)
		if seed == "id:123456" {
			// an all-digit ID names the experiment, not the integer seed
			if err != nil || got < 62*62*62*62*62 {
				t.Errorf("GlobalSeed(%q) = %d, %v", seed, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("GlobalSeed(%v) = %d, %v; want %d", seed, got, err, want)
		}
	}
	if _, err := executor.GlobalSeed("000000"); err == nil || !strings.Contains(err.Error(), "invalid experiment ID") {
		t.Errorf("GlobalSeed(000000): %v, want an invalid-ID error", err)
	}
}
