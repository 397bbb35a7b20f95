package engines

import (
	"context"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/machinable-go/machinable/storage"
)

// TestSlurmWaits: the "wait" option decides; unset, the engine waits
// only when someone watches the console.
func TestSlurmWaits(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		wait       *bool
		unattended bool
		want       bool
	}{
		{nil, false, true}, {nil, true, false},
		{&yes, true, true}, {&no, false, false},
	} {
		if got := (slurmOptions{wait: tc.wait}).waits(&Job{Unattended: tc.unattended}); got != tc.want {
			t.Errorf("wait %v, unattended %v: got %v", tc.wait != nil && *tc.wait, tc.unattended, got)
		}
	}
}

// TestSlurmScriptShapes: an array script picks its component by task
// index; a single job (array=False) names its component and has no
// --array; task names and output files follow Slurm's.
func TestSlurmScriptShapes(t *testing.T) {
	st, err := storage.Open("mem://slurm-script-test")
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.CreateExperiment("", "Abc123")
	if err != nil {
		t.Fatal(err)
	}
	s := &slurm{opts: slurmOptions{parallelism: 2, workdir: "/w", maxRequeue: 3}, binary: "/bin/machinable"}
	array := s.script(exp, []string{"c1", "c2", "c3"}, map[string]string{"mem": "4G"}, "/o/%A_%a.out", false)
	for _, want := range []string{"#SBATCH --array=0-2%2\n", "#SBATCH --mem=4G\n", "COMPONENTS=(c1 c2 c3)\nCOMPONENT=${COMPONENTS[$SLURM_ARRAY_TASK_ID]}\n", "exec '/bin/machinable' worker "} {
		if !strings.Contains(array, want) {
			t.Errorf("array script lacks %q:\n%s", want, array)
		}
	}
	single := s.script(exp, []string{"c1"}, nil, "/o/%j.out", true)
	if strings.Contains(single, "--array") || strings.Contains(single, "SLURM_ARRAY_TASK_ID") || !strings.Contains(single, "\nCOMPONENT=c1\n") {
		t.Errorf("single job script:\n%s", single)
	}
	a := SlurmArray{JobID: "42", Output: "/o/%A_%a.out"}
	j := SlurmArray{JobID: "43", Output: "/o/%j.out", Single: true}
	if a.Task(2) != "42_2" || a.OutputOf(2) != "/o/42_2.out" || j.Task(0) != "43" || j.OutputOf(0) != "/o/43.out" {
		t.Errorf("tasks %s %s, outputs %s %s", a.Task(2), j.Task(0), a.OutputOf(2), j.OutputOf(0))
	}
}

// TestParseSacct: array tasks and single jobs by index; "CANCELLED by
// 0" is CANCELLED; blank or odd lines are skipped.
func TestParseSacct(t *testing.T) {
	got := parseSacct("4211_0|COMPLETED|0:0\n4211_3|FAILED|7:0\n\n4211_4||0:0\ngarbage\n")
	if len(got) != 2 || got["0"] != (taskState{"COMPLETED", "0:0"}) || got["3"] != (taskState{"FAILED", "7:0"}) {
		t.Errorf("array: parsed %v", got)
	}
	single := parseSacct("4212|CANCELLED by 0|0:15\n")
	if len(single) != 1 || single["0"] != (taskState{"CANCELLED", "0:15"}) {
		t.Errorf("single job: parsed %v", single)
	}
}

// TestSlurmCommandOwnProcessGroup: squeue, sbatch, ssh & co. run outside the
// terminal's foreground group, so Ctrl-C reaches machinable only (a
// killed squeue once ended the follow loop before it could ask).
func TestSlurmCommandOwnProcessGroup(t *testing.T) {
	out, err := slurmCommand(context.Background(), "sh", "-c", `cut -d" " -f5 /proc/$$/stat`)
	if err != nil {
		t.Fatal(err)
	}
	pgid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil || pgid == syscall.Getpgrp() || pgid == 0 {
		t.Errorf("command's process group %q, ours %d", out, syscall.Getpgrp())
	}
}
