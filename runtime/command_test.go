package runtime

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// execRun is one external program resolved into a local storage, run from
// a project directory of its own.
type execRun struct {
	sched   []ScheduledComponent
	exp     *storage.Experiment
	env     RunEnv
	project string
}

func newExecRun(t *testing.T, script string, config map[string]any) *execRun {
	t.Helper()
	reg := NewRegistry()
	spec := ComponentSpec{Name: "prog", Command: []any{"sh", "-c", script}}
	if config != nil {
		spec.Version = Patch(config)
	}
	sched, err := (&Resolver{Registry: reg}).Resolve(context.Background(), NewExperiment().Component(spec), 7957417341)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(filepath.Join(t.TempDir(), "results"))
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.CreateExperiment("", sched[0].Flags["EXPERIMENT_ID"].(string))
	if err != nil {
		t.Fatal(err)
	}
	project := t.TempDir()
	return &execRun{sched: sched, exp: exp, project: project,
		env: RunEnv{Execution: &Execution{Schedule: sched, Project: project}, Experiment: exp, Registry: reg}}
}

// dir is the component's directory, as the storage lays it out.
func (r *execRun) dir() string { return filepath.Join(r.exp.Path, r.sched[0].ID) }

// start runs the component in the background.
func (r *execRun) start(ctx context.Context, env RunEnv) <-chan Outcome {
	done := make(chan Outcome, 1)
	go func() { done <- RunComponent(ctx, env, &r.sched[0]) }()
	return done
}

// awaitFile waits until the program has written path, failing if the
// component ends first or nothing appears within 5 seconds.
func awaitFile(t *testing.T, path string, done <-chan Outcome) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		select {
		case out := <-done:
			t.Fatalf("ended before writing %s: %+v", filepath.Base(path), out)
		case <-deadline:
			t.Fatalf("%s did not appear", path)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func awaitOutcome(t *testing.T, done <-chan Outcome, within time.Duration) Outcome {
	t.Helper()
	select {
	case out := <-done:
		return out
	case <-time.After(within):
		t.Fatalf("still running after %v", within)
		return Outcome{}
	}
}

// TestExecHandover: the program runs in the project directory and finds
// its component directory in MACHINABLE_OUTPUT and the experiment's ID in
// MACHINABLE_EXPERIMENT_ID, next to the other flags.
func TestExecHandover(t *testing.T) {
	r := newExecRun(t, `printf '%s\n' "$MACHINABLE_OUTPUT" "$MACHINABLE_EXPERIMENT_ID" "$MACHINABLE_COMPONENT_ID" "$MACHINABLE_SEED" "$PWD" > "$MACHINABLE_OUTPUT/handover.txt"`, nil)
	out := RunComponent(context.Background(), r.env, &r.sched[0])
	if out.Status != storage.StatusFinished {
		t.Fatalf("%+v", out)
	}
	b, err := os.ReadFile(filepath.Join(r.dir(), "handover.txt")) // written into MACHINABLE_OUTPUT
	if err != nil {
		t.Fatal(err)
	}
	flags := r.sched[0].Flags
	want := []string{r.dir(), r.exp.ID, r.sched[0].ID, strconv.FormatInt(flags["SEED"].(int64), 10), r.project}
	if got := strings.Split(strings.TrimSpace(string(b)), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("handover (OUTPUT, EXPERIMENT_ID, COMPONENT_ID, SEED, cwd):\n got %q\nwant %q", got, want)
	}
	if r.exp.ID != "8gWVkz" || flags["EXPERIMENT_ID"] != r.exp.ID {
		t.Errorf("experiment %s, flag %v", r.exp.ID, flags["EXPERIMENT_ID"])
	}
}

// TestExecRequeueForwarded: a requeue request reaches the program as
// SIGUSR1; it saves a checkpoint and exits 0, so the component ends
// requeued; run again, it finds the checkpoint in the same
// MACHINABLE_OUTPUT and finishes.
func TestExecRequeueForwarded(t *testing.T) {
	r := newExecRun(t, `
if [ -f "$MACHINABLE_OUTPUT/checkpoint" ]; then echo "resumed from $(cat "$MACHINABLE_OUTPUT/checkpoint")"; exit 0; fi
trap 'echo got USR1; echo step-7 > "$MACHINABLE_OUTPUT/checkpoint"; exit 0' USR1
touch "$MACHINABLE_OUTPUT/ready"
while :; do sleep 1; done`, nil) // the group's SIGUSR1 ends sleep; the trap runs right after

	requeue := make(chan struct{})
	env := r.env
	env.Requeue = requeue
	done := r.start(context.Background(), env)
	awaitFile(t, filepath.Join(r.dir(), "ready"), done)
	close(requeue)
	out := awaitOutcome(t, done, 4*time.Second)
	if out.Status != storage.StatusRequeued {
		t.Fatalf("first run: %+v", out)
	}
	status, _ := r.exp.ComponentStatus(r.sched[0].ID)
	if status.Status != storage.StatusRequeued || status.Requeues != 1 || status.FinishedAt != nil {
		t.Errorf("status after requeue: %+v", status)
	}
	out = RunComponent(context.Background(), r.env, &r.sched[0])
	if out.Status != storage.StatusFinished {
		t.Fatalf("second run: %+v", out)
	}
	log, _ := os.ReadFile(filepath.Join(r.dir(), "output.log"))
	// (sh may also report the sleep it lost to SIGUSR1)
	if !strings.Contains(string(log), "got USR1\n") || !strings.HasSuffix(string(log), "\nresumed from step-7\n") {
		t.Errorf("output.log %q", log)
	}
	if status, _ := r.exp.ComponentStatus(r.sched[0].ID); status.Status != storage.StatusFinished || status.Requeues != 1 {
		t.Errorf("status after the second run: %+v", status)
	}
}

// TestExecGraceKill: a program that ignores SIGTERM, and its child, are
// killed _exec_grace_ seconds after the cancel; the component ends
// interrupted.
func TestExecGraceKill(t *testing.T) {
	r := newExecRun(t, `
trap '' TERM
sleep 30 &
echo $! > "$MACHINABLE_OUTPUT/child.pid.tmp" && mv "$MACHINABLE_OUTPUT/child.pid.tmp" "$MACHINABLE_OUTPUT/child.pid"
wait
echo "survived the kill"`, map[string]any{"_exec_grace_": 1}) // a Go int, as a Go patch gives it
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := r.start(ctx, r.env)
	pidFile := filepath.Join(r.dir(), "child.pid")
	awaitFile(t, pidFile, done)
	b, _ := os.ReadFile(pidFile)
	child, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	cancelled := time.Now()
	cancel()
	out := awaitOutcome(t, done, 4*time.Second)
	took := time.Since(cancelled)
	if out.Status != storage.StatusInterrupted || !strings.HasPrefix(out.Error, "interrupted") {
		t.Errorf("outcome %+v", out)
	}
	if took < 900*time.Millisecond { // SIGTERM alone must not have ended it
		t.Errorf("ended %v after the cancel, before the grace of 1s", took)
	}
	if status, _ := r.exp.ComponentStatus(r.sched[0].ID); status.Status != storage.StatusInterrupted {
		t.Errorf("status.json: %+v", status)
	}
	if log, _ := os.ReadFile(filepath.Join(r.dir(), "output.log")); strings.Contains(string(log), "survived") {
		t.Errorf("the shell was not killed: %q", log)
	}
	// the child ignored SIGTERM too; SIGKILL went to the whole group
	deadline := time.Now().Add(2 * time.Second)
	for alive(child) {
		if time.Now().After(deadline) {
			syscall.Kill(child, syscall.SIGKILL)
			t.Fatalf("child %d still running", child)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive reports whether pid is a process that has not exited (a zombie
// waiting to be reaped has).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return !os.IsNotExist(err) // no /proc: trust kill
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

// TestExecEnviron: the ENVIRON flag (machinable 2.14) sets environment
// variables of an external program.
func TestExecEnviron(t *testing.T) {
	r := newExecRun(t, `printf '%s|%s' "$MY_VAR" "$OTHER" > "$MACHINABLE_OUTPUT/env.txt"`, nil)
	r.sched[0].Flags["ENVIRON"] = map[string]any{"MY_VAR": "from the flag", "OTHER": int64(3)}
	if out := RunComponent(context.Background(), r.env, &r.sched[0]); out.Status != storage.StatusFinished {
		t.Fatalf("%+v", out)
	}
	b, err := os.ReadFile(filepath.Join(r.dir(), "env.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "from the flag|3" {
		t.Errorf("environment seen: %q", b)
	}
}
