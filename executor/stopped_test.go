package executor_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/internal/tunetest"
	"github.com/machinable-go/machinable/runtime"
)

// TestResumeKeepsStopped: a tuning trial its scheduler stopped early is
// final: a resume keeps it (not run again), the result is OK, and the
// counts and the summary line count it apart from finished and failed.
func TestResumeKeepsStopped(t *testing.T) {
	calls := 0
	reg := runtime.NewRegistry()
	reg.Register("trial", runtime.GoComponent{runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
		calls++
		return nil, nil
	}})
	url := filepath.Join(t.TempDir(), "results")
	req := runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "trial"}).Repeat(3, ""),
		Storage: url, Seed: int64(7), CodeBackup: false,
	}
	x := executor.New(reg, nil)
	first, err := x.Execute(context.Background(), req)
	if err != nil || !first.OK() || calls != 3 {
		t.Fatalf("first run: %v ok=%v calls=%d", err, first.OK(), calls)
	}
	// What a scheduler writes when it stops a trial early.
	if err := tunetest.MarkStopped(url, first.Execution.ExperimentID, first.Execution.Schedule[1].ID); err != nil {
		t.Fatal(err)
	}
	second, err := x.Execute(context.Background(), req)
	if err != nil || !second.Resumed || !second.OK() || calls != 3 {
		t.Fatalf("resume: %v resumed=%v ok=%v calls=%d (a stopped trial ran again?)", err, second.Resumed, second.OK(), calls)
	}
	c := second.Counts()
	if c.Finished != 2 || c.Stopped != 1 || c.Failed != 0 || c.NotRun != 0 || c.Previous != 3 {
		t.Errorf("counts %+v, want 2 finished, 1 stopped, 3 previous", c)
	}
	line := executor.SummaryLine(second, time.Second)
	if !strings.Contains(line, ": 2 finished, 1 stopped, 0 failed in 1s") {
		t.Errorf("summary line %q", line)
	}
}
