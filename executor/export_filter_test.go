package executor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// TestFilteredScheduleRebuilt: a filtered experiment whose schedule.json
// is lost gets back the schedule it ran, not the plan's whole schedule;
// a kept ID the plan does not schedule is an error, not a silent drop.
func TestFilteredScheduleRebuilt(t *testing.T) {
	reg := runtime.NewRegistry()
	reg.Register("hello", runtime.GoComponent{})
	x := executor.New(reg, nil)
	dir := filepath.Join(t.TempDir(), "results")
	res, err := x.Execute(context.Background(), runtime.ExecuteRequest{
		Plan: runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "hello"}).Repeat(3, ""),
		Seed: int64(42), Storage: dir,
		Filter: func(i int, sc *runtime.ScheduledComponent) (bool, error) { return i != 1, nil },
	})
	if err != nil || !res.OK() {
		t.Fatalf("execute: %v %+v", err, res)
	}
	want := []string{"e9DJBHuoiCvn", "9NTO7Rgg7Ag1"}
	if got := fmt.Sprint(res.Execution.Kept); got != fmt.Sprint(want) {
		t.Fatalf("kept %s, want %s", got, want)
	}
	open := func() (*runtime.Execution, error) {
		st, err := storage.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		exp, err := st.FindExperiment("8gWVkz")
		if err != nil {
			t.Fatal(err)
		}
		return x.OpenStored(context.Background(), exp)
	}
	expDir := filepath.Join(dir, "8gWVkz")
	// schedule.json lost, and no process preparing it: host.json gone
	// and execution.json old, so nothing is waited for.
	lose := func() {
		t.Helper()
		for _, f := range []string{"schedule.jsonl", "host.json"} {
			if err := os.Remove(filepath.Join(expDir, f)); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		old := time.Now().Add(-time.Hour)
		if err := os.Chtimes(filepath.Join(expDir, "execution.json"), old, old); err != nil {
			t.Fatal(err)
		}
	}
	lose()
	ex, err := open()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, sc := range ex.Schedule {
		ids = append(ids, sc.ID)
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("rebuilt schedule %v, want %v", ids, want)
	}

	// execution.json keeping an ID the plan never schedules
	path := filepath.Join(expDir, "execution.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), `"9NTO7Rgg7Ag1"`, `"zzzzzzzzzzzz"`, 1)
	if bad == string(data) {
		t.Fatalf("execution.json does not hold the kept IDs: %s", data)
	}
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	lose()
	if _, err := open(); err == nil || !strings.Contains(err.Error(), "does not schedule") {
		t.Errorf("open with a foreign kept ID: %v, want an error", err)
	}
}
