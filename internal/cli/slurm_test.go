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
