package executor_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
)

// TestResumeWithJournal: resume takes finished components from the
// experiment's journal and reads status.json for the others; an
// experiment without a journal (written before it existed, or whose
// journal is behind after a crash) resumes from status.json alone.
func TestResumeWithJournal(t *testing.T) {
	calls := 0
	reg := runtime.NewRegistry()
	reg.Register("flaky", runtime.GoComponent{runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
		calls++
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
