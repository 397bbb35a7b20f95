package executor_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// TestResumeWithJournal: resume takes finished components from the
// experiment's journal and reads status.json for the others; an
// experiment without a journal (written before it existed, or whose
// journal is behind after a crash) resumes from status.json alone.
func TestResumeWithJournal(t *testing.T) {
	calls := 0
	reg := flakyRegistry(&calls)
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
	journal := filepath.Join(first.Experiment.Path, "journal.jsonl")
	raw, err := os.ReadFile(journal)
	if err != nil || strings.Count(string(raw), "\n") != 2 || !strings.Contains(string(raw), `"status":"failed"`) ||
		strings.Contains(string(raw), "first attempt fails") { // errors stay in status.json
		t.Fatalf("journal after the first run: %v\n%s", err, raw)
	}
	// failed in the journal: read from status.json, and run again
	second, err := x.Execute(context.Background(), req)
	if err != nil || !second.OK() || calls != 2 || second.Counts().Previous != 1 {
		t.Fatalf("second run: %v ok=%v calls=%d %+v", err, second.OK(), calls, second.Counts())
	}
	// finished in the journal: status.json is not read (here damaged, so
	// without the journal the component would run again)
	steady := filepath.Join(first.Experiment.Path, first.Execution.Schedule[0].ID, "status.json")
	good, err := os.ReadFile(steady)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(steady, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	third, err := x.Execute(context.Background(), req)
	if err != nil || !third.OK() || calls != 2 || third.Counts().Previous != 2 {
		t.Fatalf("resume with the journal: %v ok=%v calls=%d %+v", err, third.OK(), calls, third.Counts())
	}
	// no journal (an old experiment, or one lost): status.json decides
	if err := os.WriteFile(steady, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(journal); err != nil {
		t.Fatal(err)
	}
	fourth, err := x.Execute(context.Background(), req)
	if err != nil || !fourth.OK() || calls != 2 || fourth.Counts().Previous != 2 {
		t.Fatalf("resume without a journal: %v ok=%v calls=%d %+v", err, fourth.OK(), calls, fourth.Counts())
	}
}

// TestResumeLeavesFinalUndecoded: a resume decodes only the schedule
// lines of components that may run; what the journal says ended final
// (finished, stopped) keeps its ID and name only, is not run again, and
// decodes whole on demand. A damaged line is still refused: the schedule
// is set aside and rebuilt, as when every line was decoded.
func TestResumeLeavesFinalUndecoded(t *testing.T) {
	calls := 0
	reg := flakyRegistry(&calls)
	url := filepath.Join(t.TempDir(), "results")
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "steady", Flags: map[string]any{"a": int64(1)}}).
		Component(runtime.ComponentSpec{Name: "flaky"}).Component(runtime.ComponentSpec{Name: "steady", Flags: map[string]any{"a": int64(2)}})
	x := executor.New(reg, nil)
	first, err := x.Execute(context.Background(), runtime.ExecuteRequest{Plan: plan, Storage: url, Seed: int64(6), CodeBackup: false})
	if err != nil || first.OK() {
		t.Fatalf("first run: %v ok=%v", err, first.OK())
	}
	exp := first.Experiment
	ids := []string{first.Execution.Schedule[0].ID, first.Execution.Schedule[1].ID, first.Execution.Schedule[2].ID}
	// The third ended "stopped" (a tuning trial stopped early): final too.
	c, err := exp.OpenComponent(ids[2])
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteStatus(storage.Status{Status: storage.StatusStopped}); err != nil {
		t.Fatal(err)
	}
	res, err := x.Resume(context.Background(), exp, nil, false)
	if err != nil || calls != 2 {
		t.Fatalf("resume: %v, calls %d", err, calls)
	}
	got := map[string]string{}
	for _, o := range res.Outcomes {
		got[o.Component.ID] = o.Status
	}
	want := map[string]string{ids[0]: storage.StatusFinished, ids[1]: storage.StatusFinished, ids[2]: storage.StatusStopped}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes %v, want %v", got, want)
	}
	sched := res.Execution.Schedule
	if !sched[0].Undecoded() || sched[1].Undecoded() || !sched[2].Undecoded() {
		t.Errorf("undecoded: %v %v %v, want only the final ones", sched[0].Undecoded(), sched[1].Undecoded(), sched[2].Undecoded())
	}
	if sched[0].ID != ids[0] || sched[0].Name != "steady" || sched[0].Flags != nil {
		t.Errorf("an undecoded component holds %+v", sched[0])
	}
	whole, err := executor.LoadExecution(exp)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Execution.DecodeSchedule(); err != nil {
		t.Fatal(err)
	}
	for i := range whole.Schedule {
		a, _ := json.Marshal(whole.Schedule[i])
		b, _ := json.Marshal(res.Execution.Schedule[i])
		if string(a) != string(b) || res.Execution.Schedule[i].Undecoded() {
			t.Errorf("component %d decoded on demand:\n%s\nread whole:\n%s", i, b, a)
		}
	}
	// A line damaged past its start is refused still: set aside, and
	// the schedule rebuilt from the plan.
	p := filepath.Join(exp.Path, storage.ScheduleName)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	lines[0] = `{"id":"` + ids[0] + `","name":"steady","config":{"a":` + "\n"
	if err := os.WriteFile(p, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Resume(context.Background(), exp, nil, false); err != nil || calls != 2 {
		t.Fatalf("resume with a damaged line: %v, calls %d", err, calls)
	}
	if aside, _ := filepath.Glob(p + ".corrupt-*"); len(aside) != 1 {
		t.Errorf("the damaged schedule is not set aside: %v", aside)
	}
	if rebuilt, err := os.ReadFile(p); err != nil || string(rebuilt) != string(data) {
		t.Errorf("rebuilt schedule %v:\n%s\nwant\n%s", err, rebuilt, data)
	}
}

// flakyRegistry has "steady", which finishes, and "flaky", which fails
// its first run; calls counts flaky's runs.
func flakyRegistry(calls *int) *runtime.Registry {
	reg := runtime.NewRegistry()
	reg.Register("flaky", runtime.GoComponent{runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
		*calls++
		if *calls == 1 {
			return nil, errors.New("first attempt fails")
		}
		return nil, nil
	}})
	reg.Register("steady", runtime.GoComponent{})
	return reg
}
