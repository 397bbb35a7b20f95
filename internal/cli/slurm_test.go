package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
)

// requireSlurm skips without a Slurm cluster, unless CI requires one
// (MACHINABLE_REQUIRE_SLURM=1 or MACHINABLE_REQUIRE_SERVICES=1): then the
// test fails. scripts/slurm-up.sh starts a single-node cluster.
func requireSlurm(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("sbatch")
	if err == nil {
		err = exec.Command("sinfo", "-h").Run()
	}
	if err != nil {
		msg := "no Slurm cluster (sbatch/sinfo: " + err.Error() + "); start one with SLURM_BASE=/var/tmp/machinable-slurm scripts/slurm-up.sh"
		if os.Getenv("MACHINABLE_REQUIRE_SLURM") == "1" || os.Getenv("MACHINABLE_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Setenv("MACHINABLE_BINARY", binary(t))
}

// TestSlurmMatchesNative: 6 components as one job array with at most 2 at
// once store exactly what the native engine stores.
func TestSlurmMatchesNative(t *testing.T) {
	requireSlurm(t)
	dir := spinProject(t, 1000, 6, "")
	stdout, stderr, code := runMain(t, dir, "run", "spin_run.star", "--storage", "native")
	if code != 0 {
		t.Fatalf("native: %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = runMain(t, dir, "run", "spin_run.star", "--storage", "slurm",
		"--engine", "slurm", "--engine-opt", "array_parallelism=2", "--engine-opt", "poll=200ms")
	if code != 0 || !strings.Contains(stdout, "slurm: submitted job array") || !strings.Contains(stdout, "6 finished, 0 failed") {
		t.Fatalf("slurm: %d\n%s%s", code, stdout, stderr)
	}
	a := reproducible(t, filepath.Join(dir, "native", "hp2cEP"))
	b := reproducible(t, filepath.Join(dir, "slurm", "hp2cEP"))
	for f := range a {
		if a[f] != b[f] {
			t.Errorf("%s differs between native and slurm", f)
		}
	}
	scripts, _ := filepath.Glob(filepath.Join(dir, "slurm", "hp2cEP", "slurm", "*.sbatch"))
	if len(scripts) != 1 {
		t.Fatalf("scripts %v", scripts)
	}
	script, _ := os.ReadFile(scripts[0])
	for _, want := range []string{"#SBATCH --array=0-5%2", "#SBATCH --signal=B:USR1@120", "#SBATCH --requeue", "exec '" + binary(t) + "' worker"} {
		if !strings.Contains(string(script), want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	info, _ := os.ReadFile(filepath.Join(dir, "slurm", "hp2cEP", "slurm.json"))
	if !regexp.MustCompile(`"job_id": "\d+"`).Match(info) {
		t.Errorf("slurm.json: %s", info)
	}
}

// TestSlurmFailures: a component that fails is reported with its task's
// Slurm state and exit code; a task that dies before its worker runs is
// reported with its exit code and output; the others finish.
func TestSlurmFailures(t *testing.T) {
	requireSlurm(t)
	dir := spinProject(t, 1000, 1, "")
	os.WriteFile(filepath.Join(dir, "mixed.star"), []byte(`execute(Experiment().component("spin").component("broken").component("spin", {"n": 10}),
    storage="./results", engine={"type": "slurm", "poll": "200ms",
    "before_script": 'if [ "$SLURM_ARRAY_TASK_ID" = 2 ]; then echo "no GPU here" >&2; exit 7; fi'})
`), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "mixed.star")
	if code != ExitFailed || !strings.Contains(stdout, "1 finished, 2 failed") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		`broken: Slurm task \d+_1 FAILED, exit code 1:0: on_execute: Error in fail: fail: boom`,
		`spin: Slurm task \d+_2 ended FAILED with exit code 7:0: no GPU here \(output .*\.out\)`,
	} {
		if !regexp.MustCompile(want).MatchString(stdout) {
			t.Errorf("output lacks %s:\n%s", want, stdout)
		}
	}
}

// TestSlurmNoWait: wait=False submits and returns; `machinable status`
// follows the array until every component finished.
func TestSlurmNoWait(t *testing.T) {
	requireSlurm(t)
	dir := spinProject(t, 300000, 4, `, engine={"type": "slurm", "wait": False, "array_parallelism": 1}`)
	start := time.Now()
	stdout, stderr, code := runMain(t, dir, "run", "spin_run.star")
	if code != 0 || !strings.Contains(stdout, "Follow it with: machinable status hp2cEP --storage ./results") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, "finished,") && strings.Contains(stdout, "4 finished") {
		t.Error("wait=False should not wait for the components")
	}
	sawSlurm := false
	waitFor(t, 60*time.Second, "the array to finish", func() bool {
		out, _, _ := runMain(t, dir, "status", "hp2cEP")
		sawSlurm = sawSlurm || regexp.MustCompile(`\d+_\d (PENDING|RUNNING)`).MatchString(out)
		return strings.Contains(out, "4 finished")
	})
	if !sawSlurm {
		t.Error("status never showed a Slurm task state")
	}
	t.Logf("4 components via slurm without waiting: %s", time.Since(start))
}

// TestSlurmCancel: cancelling the execution (Ctrl-C) scancels the array;
// running components end interrupted, none is marked finished.
func TestSlurmCancel(t *testing.T) {
	requireSlurm(t)
	dir := spinProject(t, 50000000, 4, "")
	t.Chdir(dir)
	reg := runtime.NewRegistry()
	dsl.Register(reg)
	x := executor.New(reg, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		waitFor(t, 60*time.Second, "a running component", func() bool { return count(statuses(t, dir), "running") > 0 })
		cancel()
	}()
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "spin"}).Repeat(4, "")
	res, err := x.Execute(ctx, runtime.ExecuteRequest{Plan: plan, Storage: filepath.Join(dir, "results"), Project: dir, Seed: int64(1),
		Engine: map[string]any{"type": "slurm", "poll": "200ms", "array_parallelism": int64(2)}})
	if err != nil || res == nil {
		t.Fatalf("cancelled execution: %v", err)
	}
	if res.OK() || res.Counts().Finished != 0 {
		t.Errorf("a cancelled execution is not OK and finished nothing: %+v", res.Counts())
	}
	out, _ := exec.Command("squeue", "-h", "-n", "machinable-hp2cEP").CombinedOutput()
	if strings.TrimSpace(string(out)) != "" {
		t.Errorf("tasks still queued after cancel:\n%s", out)
	}
	waitFor(t, 20*time.Second, "the workers to record the interruption", func() bool {
		return count(statuses(t, dir), "running") == 0
	})
	s := statuses(t, dir)
	if count(s, "interrupted") == 0 || count(s, "finished") != 0 {
		t.Errorf("statuses after cancel: %v", s)
	}
}

// TestSlurmRequeue: a component with a one-minute time limit gets Slurm's
// pre-timeout signal, saves a checkpoint (on_save), requeues its task,
// and — restarted — continues from the checkpoint (on_restore) to finish.
// Slurm holds a requeued job for a while (BeginTime); the test releases it
// at once to stay fast.
func TestSlurmRequeue(t *testing.T) {
	requireSlurm(t)
	dir := spinProject(t, 1000, 1, "")
	os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte("components:\n  - longrun:\n      steps: 120\n      n: 1200000\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "longrun.star"), []byte(`def on_create(self):
    self.step = 0

def on_restore(self, checkpoint):
    self.step = self.store.read(checkpoint + "/state.json")["step"] + 1
    print("restored", checkpoint, "at step", self.step)

def on_execute_iteration(self, i):
    x = 0
    for k in range(self.config.n):
        x += k
    self.record["step"] = self.step
    self.step += 1
    if self.step >= self.config.steps:
        return StopIteration

def on_save(self, path, timestep):
    self.store.write(path + "/state.json", {"step": self.step - 1}, overwrite=True)
`), 0o644)
	os.WriteFile(filepath.Join(dir, "requeue.star"), []byte(`execute("longrun", storage="./results", seed=1,
    engine={"type": "slurm", "time": "1", "signal": "B:USR1@55", "max_requeue": 2, "poll": "500ms"})
`), 0o644)
	stop := make(chan struct{})
	defer close(stop)
	go func() { // release requeued tasks from Slurm's BeginTime hold
		// Not at once: slurmd refuses to launch a job whose credential was
		// revoked (by the requeue) in the same second ("Job credential
		// revoked", the task then ends FAILED) — the hold exists for that.
		heldSince := map[string]time.Time{}
		for {
			select {
			case <-stop:
				return
			case <-time.After(300 * time.Millisecond):
			}
			out, _ := exec.Command("squeue", "-h", "-n", "machinable-hp2cEP", "-o", "%i|%r").Output()
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				id, reason, ok := strings.Cut(line, "|")
				if !ok || reason != "BeginTime" {
					delete(heldSince, id)
					continue
				}
				if heldSince[id].IsZero() {
					heldSince[id] = time.Now()
				} else if time.Since(heldSince[id]) > 3*time.Second {
					exec.Command("scontrol", "update", "jobid="+id, "StartTime=now").Run()
					delete(heldSince, id)
				}
			}
		}
	}()
	stdout, stderr, code := runMain(t, dir, "run", "requeue.star")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	comp := filepath.Join(dir, "results", "hp2cEP")
	var st struct {
		Status   string
		Requeues int
	}
	files, _ := filepath.Glob(filepath.Join(comp, "*", "status.json"))
	if len(files) != 1 {
		t.Fatalf("status files %v", files)
	}
	readJSON(t, files[0], &st)
	// The signal comes some 20 s into each run (Slurm checks time limits
	// periodically), so the 36 s of work may be requeued once or twice.
	if st.Status != "finished" || st.Requeues < 1 || st.Requeues > 2 {
		t.Errorf("status %+v, want finished after one or two requeues", st)
	}
	output, _ := os.ReadFile(filepath.Join(filepath.Dir(files[0]), "output.log"))
	if !regexp.MustCompile(`restored checkpoints/\d+ at step \d+`).Match(output) {
		t.Errorf("no restore in output.log:\n%s", output)
	}
	rows, _ := os.ReadFile(filepath.Join(filepath.Dir(files[0]), "records", "default.jsonl"))
	if n := strings.Count(string(rows), "\n"); n < 120 {
		t.Errorf("%d record rows, want every step recorded", n)
	}
}
