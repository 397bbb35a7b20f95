package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
)

// spinProject adds to a quickstart copy a CPU-bound component "spin" and a
// script running it k times with the given engine.
func spinProject(t *testing.T, n, k int, engine string) string {
	t.Helper()
	dir := quickstart(t)
	yaml := "components:\n  - spin:\n      n: " + itoa(n) + "\n  - broken:\n"
	os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte(yaml), 0o644)
	os.WriteFile(filepath.Join(dir, "spin.star"), []byte(`def on_execute(self):
    x = 0
    for i in range(self.config.n):
        x += i
    self.record["x"] = x + random.randint(0, 1000)
    self.record.save()
    print("spun", self.flags.COMPONENT_ID)
`), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.star"), []byte("def on_execute(self):\n    fail(\"boom\")\n"), 0o644)
	script := `execute(Experiment().component("spin").repeat(` + itoa(k) + `), storage="./results", seed=1` + engine + ")\n"
	os.WriteFile(filepath.Join(dir, "spin_run.star"), []byte(script), 0o644)
	return dir
}

func itoa(n int) string { return strconv.Itoa(n) }

// statuses reads every component status of the one experiment in results.
func statuses(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(dir, "results", "*", "*", "status.json"))
	for _, f := range files {
		var st struct{ Status string }
		b, err := os.ReadFile(f)
		if err == nil && json.Unmarshal(b, &st) == nil {
			out[filepath.Base(filepath.Dir(f))] = st.Status
		}
	}
	return out
}

// TestProcessEngineMatchesNative: process:2 runs each component through
// `machinable worker` and stores exactly what the native engine stores.
func TestProcessEngineMatchesNative(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := spinProject(t, 1000, 6, "")
	for _, run := range [][]string{
		{"run", "spin_run.star", "--storage", "native"},
		{"run", "spin_run.star", "--storage", "proc", "--engine", "process:2"},
	} {
		stdout, stderr, code := runMain(t, dir, run...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", run, code, stdout, stderr)
		}
		if run[3] == "proc" && !regexp.MustCompile(`\w{12} \| spun \w{12}`).MatchString(stdout) {
			t.Errorf("worker output should reach the console with the component ID:\n%s", stdout)
		}
	}
	sameResults(t, filepath.Join(dir, "native", "hp2cEP"), filepath.Join(dir, "proc", "hp2cEP"), "process:2", 6*3)
}

// TestFailFast: --fail-fast stops starting components after the first
// failure; the summary says how many did not run; exit 1.
func TestFailFast(t *testing.T) {
	dir := spinProject(t, 10, 1, "")
	os.WriteFile(filepath.Join(dir, "ff.star"), []byte(`execute(Experiment().component("broken").component("spin").component("spin", {"n": 5}), storage="./results")`+"\n"), 0o644)
	stdout, _, code := runMain(t, dir, "run", "ff.star", "--fail-fast")
	if code != ExitFailed || !strings.Contains(stdout, "0 finished, 1 failed, 2 not run") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
	stdout, _, code = runMain(t, dir, "run", "ff.star", "--seed", "3")
	if code != ExitFailed || !strings.Contains(stdout, "2 finished, 1 failed") {
		t.Errorf("without --fail-fast: exit %d:\n%s", code, stdout)
	}
}

// spawn starts the binary in dir; its process group is killed at cleanup.
func spawn(t *testing.T, dir string, stdout io.Writer, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, stdout
	cmd.Env = append(os.Environ(), "MACHINABLE_HEARTBEAT=200ms")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// waitFor polls until cond holds, failing after the timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func count(m map[string]string, status string) int {
	n := 0
	for _, s := range m {
		if s == status {
			n++
		}
	}
	return n
}

// TestKillAndResume: kill -9 of a running `machinable run`; the killed
// component is stale (its process is gone), `machinable resume` keeps the
// finished components byte for byte and with their modification times,
// and completes the rest.
func TestKillAndResume(t *testing.T) {
	dir := spinProject(t, 1500000, 6, "")
	var out bytes.Buffer
	cmd := spawn(t, dir, &out, "run", "spin_run.star")
	waitFor(t, 60*time.Second, "two finished components", func() bool {
		s := statuses(t, dir)
		return count(s, "finished") >= 2 && count(s, "running") == 1
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	before := statuses(t, dir)
	finished := map[string]fileState{}
	for id, s := range before {
		if s == "finished" {
			for k, v := range filesWithTimes(t, filepath.Join(dir, "results", "hp2cEP", id)) {
				finished[k] = v
			}
		}
	}
	stdout, stderr, code := runMain(t, dir, "status", "hp2cEP")
	if code != 0 || !strings.Contains(stdout, "stale") {
		t.Errorf("status after kill -9 should show a stale component: %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = runMain(t, dir, "resume", "hp2cEP")
	if code != 0 {
		t.Fatalf("resume: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Resuming: "+itoa(count(before, "finished"))+" finished earlier (kept), 0 running elsewhere") {
		t.Errorf("resume summary:\n%s", stdout)
	}
	after := statuses(t, dir)
	if count(after, "finished") != 6 {
		t.Errorf("after resume: %v", after)
	}
	for k, v := range finished {
		if got := filesWithTimes(t, filepath.Dir(k))[k]; got != v {
			t.Errorf("%s changed by resume", k)
		}
	}
	attempts, _ := filepath.Glob(filepath.Join(dir, "results", "hp2cEP", "*", "attempts", "1", "status.json"))
	if len(attempts) != 1 {
		t.Errorf("the killed component's attempt should be kept once, found %v", attempts)
	}
}

type fileState struct {
	content string
	mtime   time.Time
}

func filesWithTimes(t *testing.T, dir string) map[string]fileState {
	out := map[string]fileState{}
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			out[p] = fileState{string(b), fi.ModTime()}
		}
		return err
	})
	return out
}

// TestInterrupt: the first SIGINT (Ctrl-C) or SIGTERM cancels the
// running components, which end interrupted, never finished; exit 130.
func TestInterrupt(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := spinProject(t, 30000000, 4, `, engine="native:2"`)
			var out bytes.Buffer
			cmd := spawn(t, dir, &out, "run", "spin_run.star")
			waitFor(t, 30*time.Second, "two running components", func() bool { return count(statuses(t, dir), "running") == 2 })
			start := time.Now()
			cmd.Process.Signal(sig)
			err := cmd.Wait()
			took := time.Since(start)
			if took > 2*time.Second {
				t.Errorf("exit took %s after %v", took, sig)
			}
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != ExitInterrupted {
				t.Errorf("exit: %v, want %d\n%s", err, ExitInterrupted, out.String())
			}
			s := statuses(t, dir)
			if count(s, "interrupted") != 2 || count(s, "finished") != 0 || count(s, "running") != 0 {
				t.Errorf("statuses after %v: %v\n%s", sig, s, out.String())
			}
			if !strings.Contains(out.String(), sig.String()+": stopping running components (press Ctrl-C again to exit at once)") {
				t.Errorf("no hint about the second Ctrl-C:\n%s", out.String())
			}
		})
	}
}

// TestSecondInterruptExitsAtOnce: a component slow to stop (a program
// that ignores SIGTERM, with a long grace) keeps the run after the first
// Ctrl-C; the second exits at once, with 130.
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	dir := quickstart(t)
	pidFile := filepath.Join(dir, "stubborn.pid")
	os.WriteFile(filepath.Join(dir, "stubborn.star"), []byte(`execute(command("trap '' TERM; echo $$ > `+pidFile+`; sleep 30", config={"_exec_grace_": 30}), storage="./results", seed=1)
`), 0o644)
	var out bytes.Buffer
	cmd := spawn(t, dir, &out, "run", "stubborn.star")
	t.Cleanup(func() { // the program outlives the exit, as it ignores SIGTERM
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				syscall.Kill(-pid, syscall.SIGKILL)
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	waitFor(t, 30*time.Second, "the program to start", func() bool { _, err := os.Stat(pidFile); return err == nil })
	done := make(chan error, 1)
	cmd.Process.Signal(syscall.SIGINT)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		t.Fatalf("exited after the first Ctrl-C although the program ignores SIGTERM: %v\n%s", err, out.String())
	case <-time.After(time.Second):
	}
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != ExitInterrupted {
			t.Errorf("exit: %v, want %d\n%s", err, ExitInterrupted, out.String())
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("the second Ctrl-C took %s", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no exit within 10 s of the second Ctrl-C\n%s", out.String())
	}
}

// TestDetached: the detached engine returns at once; the background
// process finishes the experiment; status shows it.
func TestDetached(t *testing.T) {
	dir := spinProject(t, 1000, 3, `, engine={"type": "detached", "engine": "native:2", "binary": "`+binary(t)+`"}`)
	stdout, stderr, code := runMain(t, dir, "run", "spin_run.star")
	if code != 0 || !strings.Contains(stdout, "continues in the background") || !strings.Contains(stdout, "machinable status hp2cEP --storage ./results") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	waitFor(t, 30*time.Second, "the background run", func() bool { return count(statuses(t, dir), "finished") == 3 })
	stdout, _, code = runMain(t, dir, "status", "hp2cEP")
	if code != 0 || !strings.Contains(stdout, "3 finished, 0 running, 0 failed, 0 interrupted, 0 stale, 0 queued") {
		t.Errorf("status:\n%s", stdout)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "results", "hp2cEP", "detached.log"))
	if !strings.Contains(string(log), "3 finished") {
		t.Errorf("detached.log:\n%s", log)
	}
}

// executeSpinInterrupted executes four spin components of dir (see
// spinProject) on engine through the Go API, cancelling the context — as
// Ctrl-C does — once `running` of them run; it fails the test unless a
// result comes back without error.
func executeSpinInterrupted(t *testing.T, x *executor.Executor, dir string, running int, engine map[string]any) *runtime.Result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		waitFor(t, 60*time.Second, itoa(running)+" running component(s)", func() bool { return count(statuses(t, dir), "running") >= running })
		cancel()
	}()
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "spin"}).Repeat(4, "")
	res, err := x.Execute(ctx, runtime.ExecuteRequest{Plan: plan, Storage: filepath.Join(dir, "results"), Project: dir, Seed: int64(1), Engine: engine})
	if err != nil || res == nil {
		t.Fatalf("interrupted execution: %v", err)
	}
	return res
}

// longrunProject is a quickstart copy with a component "longrun" that
// checkpoints (on_save/on_restore) and iterates until it was restored
// once and did config.steps steps: it ends only after a requeue.
func longrunProject(t *testing.T) string {
	t.Helper()
	dir := spinProject(t, 1000, 1, "")
	os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte("components:\n  - longrun:\n      steps: 120\n      n: 100000\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "longrun.star"), []byte(`def on_create(self):
    self.step = 0
    self.restored = False

def on_restore(self, checkpoint):
    self.step = self.store.read(checkpoint + "/state.json")["step"] + 1
    self.restored = True
    print("restored", checkpoint, "at step", self.step)

def on_execute_iteration(self, i):
    x = 0
    for k in range(self.config.n):
        x += k
    self.record["step"] = self.step
    self.step += 1
    # the first run goes on until the pre-timeout signal requeues it
    if self.restored and self.step >= self.config.steps:
        return StopIteration

def on_save(self, path, timestep):
    self.store.write(path + "/state.json", {"step": self.step - 1}, overwrite=True)
`), 0o644)
	return dir
}

// TestWorkerGivesUpAfterMaxRequeue: a worker inside a Slurm job (the
// environment Slurm sets, simulated here: no cluster needed) that gets the
// pre-timeout signal with no requeue left saves its checkpoint, then marks
// the component failed — not left "requeued" forever — naming the
// checkpoint, and exits 1.
func TestWorkerGivesUpAfterMaxRequeue(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := longrunProject(t)
	t.Chdir(dir)
	t.Setenv("SLURM_JOB_ID", "999999")
	t.Setenv("SLURM_RESTART_COUNT", "2")
	t.Setenv("MACHINABLE_MAX_REQUEUE", "2")
	type result struct {
		stdout, stderr string
		code           int
	}
	done := make(chan result, 1)
	go func() {
		var stdout, stderr bytes.Buffer
		code := Main([]string{"execute", "longrun", "--storage", filepath.Join(dir, "results"), "--seed", "1", "--engine", "process:1"}, &stdout, &stderr)
		done <- result{stdout.String(), stderr.String(), code}
	}()
	var pid int
	waitFor(t, 60*time.Second, "the worker to run", func() bool {
		files, _ := filepath.Glob(filepath.Join(dir, "results", "*", "*", "status.json"))
		for _, f := range files {
			var st struct {
				Status string
				PID    int `json:"pid"`
			}
			if b, err := os.ReadFile(f); err == nil && json.Unmarshal(b, &st) == nil && st.Status == "running" && st.PID > 0 {
				pid = st.PID
				return true
			}
		}
		return false
	})
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the execution did not end after the signal")
	}
	if r.code != ExitFailed || !strings.Contains(r.stdout, "time limit reached again after 2 requeue(s) (max_requeue 2): giving up") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "results", "*", "*", "status.json"))
	var st struct {
		Status, Error, Checkpoint string
		FinishedAt                *time.Time `json:"finished_at"`
	}
	readJSON(t, files[0], &st)
	if st.Status != "failed" || st.FinishedAt == nil || !regexp.MustCompile(`giving up; the last checkpoint is checkpoints/\d+$`).MatchString(st.Error) {
		t.Errorf("status after giving up: %+v", st)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(files[0]), "store", st.Checkpoint, "state.json")); err != nil {
		t.Errorf("the checkpoint is kept: %v", err)
	}
}

// TestResumeNextToLiveRun: `machinable resume` while the run is still
// going (another process) leaves the component that process runs alone
// and shares the pending ones with it: whichever starts a component first
// runs it, the other leaves it; nothing fails, everything finishes once.
func TestResumeNextToLiveRun(t *testing.T) {
	dir := spinProject(t, 3000000, 4, "")
	live := exec.Command(binary(t), "run", "spin_run.star")
	live.Dir = dir
	var liveOut bytes.Buffer
	live.Stdout, live.Stderr = &liveOut, &liveOut
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the live run's first component", func() bool { return count(statuses(t, dir), "running") == 1 })
	stdout, stderr, code := runMain(t, dir, "resume", "hp2cEP")
	liveErr := live.Wait()
	if code != 0 || liveErr != nil {
		t.Fatalf("resume: exit %d\n%s%s\nlive run: %v\n%s", code, stdout, stderr, liveErr, liveOut.String())
	}
	for _, out := range []string{stdout, liveOut.String()} {
		if strings.Contains(out, "file exists") || regexp.MustCompile(`(?m)^\[\d/4\] \w{12} spin failed`).MatchString(out) {
			t.Errorf("a component reported failed:\n%s", out)
		}
	}
	s := statuses(t, dir)
	if len(s) != 4 || count(s, "finished") != 4 {
		t.Errorf("statuses %v, want 4 finished", s)
	}
	// each ran once: one output line per component, in one of the two runs
	if n := strings.Count(stdout+liveOut.String(), "spun "); n != 4 {
		t.Errorf("%d components printed, want 4:\n%s\n%s", n, stdout, liveOut.String())
	}
}

// TestResumeWarnsWhenCodeChanged: resuming after the project's code
// changed says which files differ from the experiment's code backup and
// how to run the original code; unchanged code gives no warning.
func TestResumeWarnsWhenCodeChanged(t *testing.T) {
	dir := spinProject(t, 1000, 1, "")
	os.WriteFile(filepath.Join(dir, "mixed.star"), []byte(`execute(Experiment().component("spin").component("broken"), storage="./results", seed=1)
`), 0o644)
	if _, _, code := runMain(t, dir, "run", "mixed.star"); code != ExitFailed {
		t.Fatalf("first run: exit %d", code)
	}
	stdout, _, _ := runMain(t, dir, "resume", "hp2cEP")
	if strings.Contains(stdout, "warning: the code") {
		t.Errorf("unchanged code, yet:\n%s", stdout)
	}
	os.WriteFile(filepath.Join(dir, "broken.star"), []byte("def on_execute(self):\n    print(\"fixed\")\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "helper.star"), []byte("x = 1\n"), 0o644)
	stdout, stderr, code := runMain(t, dir, "resume", "hp2cEP")
	want := "warning: the code in " + dir + " changed since experiment hp2cEP started (2 file(s): M broken.star, A helper.star); the components left run today's code. " +
		"For the code they started with: machinable restore hp2cEP --to DIR, then machinable resume hp2cEP --project DIR"
	if code != 0 || !strings.Contains(stdout, want) {
		t.Errorf("exit %d, want the warning\n%s\n%s", code, stdout, stderr)
	}
}
