package engines

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/runtime"
)

// TestSlurmPendingReason: squeue's %r (why a task pends) is read with
// each task and shown in the progress line: "(Resources)" when all pend
// for the same reason, the counts by reason otherwise; "None" (what
// running tasks have) is not a reason.
func TestSlurmPendingReason(t *testing.T) {
	tasks := parseSqueue("4211_0|RUNNING|None\n4211_1|PENDING|Resources\n4211_2|PENDING|Resources\n4212|PENDING|BeginTime\n\ngarbage\n")
	want := []task{
		{array: "4211", index: "0", state: "RUNNING", reason: "None"},
		{array: "4211", index: "1", state: "PENDING", reason: "Resources"},
		{array: "4211", index: "2", state: "PENDING", reason: "Resources"},
		{array: "4212", index: "0", state: "PENDING", reason: "BeginTime", single: true},
	}
	if !reflect.DeepEqual(tasks, want) {
		t.Fatalf("parsed %+v", tasks)
	}
	if s := tasks[0].String() + "; " + tasks[1].String() + "; " + tasks[3].String(); s != "4211_0 RUNNING; 4211_1 PENDING (Resources); 4212 PENDING (BeginTime)" {
		t.Errorf("tasks shown as %s", s)
	}
	ended := []runtime.Outcome{{Status: "finished"}, {Status: "failed"}}
	for _, c := range []struct {
		tasks []task
		want  string
	}{
		{tasks[:3], "2 pending (Resources), 1 running, 0 other; 1 done, 1 failed; 3 component(s) left"},
		{tasks, "3 pending (2 Resources, 1 BeginTime), 1 running, 0 other; 1 done, 1 failed; 3 component(s) left"},
		{tasks[:1], "0 pending, 1 running, 0 other; 1 done, 1 failed; 3 component(s) left"},
		{[]task{{array: "1", index: "0", state: "PENDING"}}, "1 pending, 0 running, 0 other; 1 done, 1 failed; 3 component(s) left"},
	} {
		if got := progressLine(c.tasks, ended, 3); got != c.want {
			t.Errorf("progress line %q, want %q", got, c.want)
		}
	}
}

// TestSlurmTaskIndexes: scontrol keeps the tasks of an array that never
// started in one record ("ArrayTaskId=0-5%2"): each of them gets its
// state, so a task cancelled while pending is reported as such.
func TestSlurmTaskIndexes(t *testing.T) {
	for id, want := range map[string]string{"3": "3", "0-2%2": "0 1 2", "1,3-4": "1 3 4", "x-y": "x-y"} {
		if got := strings.Join(taskIndexes(id), " "); got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
}

// TestSlurmTimeoutOption: "timeout" is a duration; 0 or none waits as
// long as it takes.
func TestSlurmTimeoutOption(t *testing.T) {
	bin := t.TempDir() // an sbatch on PATH, as the engine requires one
	os.WriteFile(filepath.Join(bin, "sbatch"), []byte("#!/bin/sh\nexit 1\n"), 0o755)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	slurmOptionsOf := func(spec Spec) (slurmOptions, error) {
		e, err := newSlurm(spec)
		if err != nil {
			return slurmOptions{}, err
		}
		return e.(*slurm).opts, nil
	}
	for v, want := range map[any]time.Duration{"90s": 90 * time.Second, "2h": 2 * time.Hour, int64(0): 0, nil: 0} {
		spec := Spec{Type: "slurm", Options: map[string]any{"binary": "/bin/true"}}
		if v != nil {
			spec.Options["timeout"] = v
		}
		o, err := slurmOptionsOf(spec)
		if err != nil || o.timeout != want {
			t.Errorf("timeout %v: %v %v, want %s", v, o.timeout, err, want)
		}
	}
	for _, bad := range []any{"soon", int64(300), "-1s"} {
		_, err := slurmOptionsOf(Spec{Type: "slurm", Options: map[string]any{"timeout": bad, "binary": "/bin/true"}})
		if err == nil || !strings.Contains(err.Error(), `option "timeout": expected a duration such as "2h" (0: no limit)`) {
			t.Errorf("timeout %v: %v", bad, err)
		}
	}
}
