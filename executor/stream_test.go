package executor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// streamedSize is just above what is held whole, so these runs stream.
const streamedSize = runtime.OutcomesKept + 100

// scheduledIDs reads the IDs of schedule.jsonl (or schedule.json) and
// the error of reading it.
func scheduledIDs(t *testing.T, exp *storage.Experiment) ([]string, error) {
	t.Helper()
	var ids []string
	_, err := exp.ReadSchedule(func(raw json.RawMessage) error {
		var c struct{ ID string }
		if err := json.Unmarshal(raw, &c); err != nil {
			return err
		}
		ids = append(ids, c.ID)
		return nil
	})
	return ids, err
}

// quick is a registry with one Go component that fails when told to.
func quick(fail *atomic.Int64) *runtime.Registry {
	reg := runtime.NewRegistry()
	var n atomic.Int64
	reg.Register("q", runtime.GoComponent{runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
		if i := n.Add(1); fail != nil && i == fail.Load() {
			return nil, errors.New("told to fail")
		}
		return nil, nil
	}})
	return reg
}

func TestStreamedRun(t *testing.T) {
	url := t.TempDir()
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "q"}).Repeat(streamedSize, "")
	req := runtime.ExecuteRequest{Plan: plan, Storage: url, Seed: int64(5), CodeBackup: false, Engine: "native:2"}
	x := executor.New(quick(nil), nil)
	want, err := x.Plan(context.Background(), req)
	if err != nil || len(want.Schedule) != streamedSize {
		t.Fatalf("plan: %v", err)
	}
	res, err := x.Execute(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Counts()
	if !res.OK() || c.Finished != streamedSize || c.NotRun != 0 {
		t.Fatalf("counts %+v", c)
	}
	if res.Execution.Schedule != nil || len(res.Outcomes) != runtime.OutcomesKept {
		t.Errorf("streamed run kept %d scheduled components and %d outcomes, want 0 and %d", len(res.Execution.Schedule), len(res.Outcomes), runtime.OutcomesKept)
	}
	ids, err := scheduledIDs(t, res.Experiment)
	if err != nil || len(ids) != streamedSize {
		t.Fatalf("schedule.jsonl: %d components, %v", len(ids), err)
	}
	for i, id := range ids {
		if id != want.Schedule[i].ID {
			t.Fatalf("component %d: %s in schedule.jsonl, %s planned", i, id, want.Schedule[i].ID)
		}
	}
	if res.Experiment.HasFile(storage.LegacyScheduleName) {
		t.Error("schedule.json written too")
	}
	// Executing it again resumes it: nothing runs.
	again, err := x.Execute(context.Background(), req)
	if err != nil || !again.Resumed || again.Counts().Previous != streamedSize {
		t.Fatalf("again: %v %+v", err, again.Counts())
	}
}

// A streamed run that stops early marks its schedule stopped; resume
// completes the schedule from the plan and runs the rest.
func TestStreamedRunStoppedThenResumed(t *testing.T) {
	url := t.TempDir()
	var fail atomic.Int64
	fail.Store(700)
	reg := quick(&fail)
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "q"}).Repeat(streamedSize, "")
	req := runtime.ExecuteRequest{Plan: plan, Storage: url, Seed: int64(6), CodeBackup: false, FailFast: true}
	res, err := executor.New(reg, nil).Execute(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Counts()
	if res.OK() || c.Failed != 1 || c.Finished != 699 || c.NotRun != streamedSize-700 {
		t.Fatalf("counts %+v", c)
	}
	ids, err := scheduledIDs(t, res.Experiment)
	if !errors.Is(err, storage.ErrScheduleStopped) || len(ids) != 700 {
		t.Fatalf("stopped schedule: %d components, %v", len(ids), err)
	}
	fail.Store(0)
	var console bytes.Buffer
	again, err := executor.New(reg, &console).Resume(context.Background(), res.Experiment, nil, false)
	if err != nil || !again.OK() {
		t.Fatalf("resume: %v\n%s", err, console.String())
	}
	if c := again.Counts(); c.Finished != streamedSize || c.Previous != 699 {
		t.Errorf("resume counts %+v", c)
	}
	if !strings.Contains(console.String(), "was incomplete (700 of 1100 components") {
		t.Errorf("resume does not say it completed the schedule:\n%s", console.String())
	}
	all, err := scheduledIDs(t, res.Experiment)
	if err != nil || len(all) != streamedSize || all[699] != ids[699] {
		t.Fatalf("completed schedule: %d components, %v", len(all), err)
	}
}

// A schedule torn by a crash (no last line, a half-written line) is
// completed by resume when nothing writes it any more, and refused when
// what it holds is not the plan's.
func TestStreamedScheduleTorn(t *testing.T) {
	url := t.TempDir()
	reg := quick(nil)
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "q"}).Repeat(streamedSize, "")
	req := runtime.ExecuteRequest{Plan: plan, Storage: url, Seed: int64(7), CodeBackup: false}
	res, err := executor.New(reg, nil).Execute(context.Background(), req)
	if err != nil || !res.OK() {
		t.Fatal(err)
	}
	p := filepath.Join(res.Experiment.Path, storage.ScheduleName)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	torn := append(bytes.Join(lines[:500], nil), lines[500][:20]...)
	if err := os.WriteFile(p, torn, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := executor.LoadExecution(res.Experiment); !errors.Is(err, storage.ErrScheduleIncomplete) {
		t.Fatalf("LoadExecution of a torn schedule: %v", err)
	}
	again, err := executor.New(reg, nil).Resume(context.Background(), res.Experiment, nil, false)
	if err != nil || !again.OK() || again.Counts().Previous != streamedSize {
		t.Fatalf("resume: %v", err)
	}
	if ids, err := scheduledIDs(t, res.Experiment); err != nil || len(ids) != streamedSize {
		t.Fatalf("completed: %d, %v", len(ids), err)
	}
	// The first two lines swapped: not the plan's order.
	other := bytes.Join(append([][]byte{lines[1], lines[0]}, lines[2:500]...), nil)
	os.Remove(p)
	if err := os.WriteFile(p, other, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := executor.New(reg, nil).Resume(context.Background(), res.Experiment, nil, false); err == nil || !strings.Contains(err.Error(), "cannot be completed") {
		t.Fatalf("resume of a schedule that is not the plan's: %v", err)
	}
}

// Experiments stored before schedule.jsonl have schedule.json: they read,
// resume and list.
func TestLegacyScheduleJSON(t *testing.T) {
	url := t.TempDir()
	reg := quick(nil)
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "q"}).Repeat(3, "")
	req := runtime.ExecuteRequest{Plan: plan, Storage: url, Seed: int64(8), CodeBackup: false}
	res, err := executor.New(reg, nil).Execute(context.Background(), req)
	if err != nil || !res.OK() {
		t.Fatal(err)
	}
	exp := res.Experiment
	// The layout of earlier releases: {"components": [...]}.
	legacy, err := json.Marshal(runtime.ScheduleFile{Components: res.Execution.Schedule})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(exp.Path, storage.ScheduleName))
	if err := os.WriteFile(filepath.Join(exp.Path, storage.LegacyScheduleName), legacy, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(exp.Path, "journal.jsonl"))                             // earlier releases kept none
	os.Remove(filepath.Join(exp.Path, res.Execution.Schedule[2].ID, "status.json")) // runs again
	ex, err := executor.LoadExecution(exp)
	if err != nil || len(ex.Schedule) != 3 || ex.Schedule[1].ID != res.Execution.Schedule[1].ID {
		t.Fatalf("LoadExecution: %v", err)
	}
	again, err := executor.New(reg, nil).Resume(context.Background(), exp, nil, false)
	if err != nil || !again.OK() || again.Counts().Previous != 2 || again.Counts().Finished != 3 {
		t.Fatalf("resume: %v %+v", err, again.Counts())
	}
	view, err := exp.View()
	if err != nil {
		t.Fatal(err)
	}
	if cs, err := view.Components(); err != nil || len(cs) != 3 {
		t.Fatalf("view: %d components, %v", len(cs), err)
	}
	if exp.HasFile(storage.ScheduleName) {
		t.Error("resume wrote schedule.jsonl next to schedule.json")
	}
}

// A warning found when a late alternative of a large sweep is resolved (a
// key the component does not have) is said at the end of a streamed
// listing, not lost.
func TestStreamedLateWarning(t *testing.T) {
	alts := make([]runtime.Version, 5000) // more than are kept resolved
	for i := range alts {
		alts[i] = runtime.Patch(map[string]any{"layers": int64(i)})
	}
	alts[4999] = runtime.Patch(map[string]any{"no_such_key": int64(1)})
	var console bytes.Buffer
	_, err := executor.New(runtime.NewRegistry(), &console).Execute(context.Background(), runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "base", Version: runtime.Iterate(alts...)}),
		Project: projectDir(t), Engine: "dry", Seed: int64(9),
	})
	if err != nil {
		t.Fatal(err)
	}
	out := console.String()
	last := out[strings.LastIndex(out, "[5000]"):]
	if !strings.Contains(last, `warning: component "base": the plan sets "no_such_key"`) {
		t.Errorf("no warning after the listing:\n%s", last)
	}
}
