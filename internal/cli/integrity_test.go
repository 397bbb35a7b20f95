package cli

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/machinable-go/machinable/engines"
	"github.com/machinable-go/machinable/internal/s3test"
	"github.com/machinable-go/machinable/storage"
)

// integrityProject is a quickstart copy with "spin" (n iterations, one
// record row and one printed line per run) and sweep.star, k repeats of
// it into ./results with the given seed.
func integrityProject(t *testing.T, n, k, seed int) string {
	t.Helper()
	dir := spinProject(t, n, k, "")
	script := fmt.Sprintf("execute(Experiment().component(\"spin\").repeat(%d), storage=\"./results\", seed=%d)\n", k, seed)
	os.WriteFile(filepath.Join(dir, "sweep.star"), []byte(script), 0o644)
	return dir
}

// proc is a CLI process started by a test.
type proc struct {
	cmd *exec.Cmd
	out bytes.Buffer
	err error
}

func start(t *testing.T, dir string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binary(t), args...)}
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	p.cmd.Env = append(os.Environ(), env...)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill() })
	return p
}

func (p *proc) wait() int {
	p.err = p.cmd.Wait()
	return p.cmd.ProcessState.ExitCode()
}

// checkRanOnce: every component of the experiment finished exactly once:
// status finished, one record row and one printed line (two processes
// running it in its directory would leave two), no attempt archived
// finished; the experiment's own files are there.
func checkRanOnce(t *testing.T, what string, st *storage.Storage, id string, k int) {
	t.Helper()
	exp, err := st.FindExperiment(id)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	view, err := exp.View()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	comps, err := view.Components()
	if err != nil || len(comps) != k {
		t.Fatalf("%s: %d components, %v", what, len(comps), err)
	}
	for _, c := range comps {
		s, err := c.Status()
		if err != nil || s.Status != storage.StatusFinished {
			t.Errorf("%s: %s is %s (%v) %s", what, c.ID, s.Status, err, s.Error)
			continue
		}
		rows, err := c.AllRecords("default")
		if err != nil || len(rows) != 1 {
			t.Errorf("%s: %s has %d record rows (%v)", what, c.ID, len(rows), err)
		}
		out, _ := c.File("output.log")
		if n := strings.Count(out, "spun"); n != 1 {
			t.Errorf("%s: %s printed %d times:\n%s", what, c.ID, n, out)
		}
		for n := 1; n < 10; n++ {
			data, err := exp.ReadFile(filepath.Join(c.ID, "attempts", fmt.Sprint(n), "status.json"))
			if err == nil && bytes.Contains(data, []byte(`"finished"`)) {
				t.Errorf("%s: %s finished once and ran again (attempts/%d)", what, c.ID, n)
			}
		}
	}
	for _, name := range []string{"execution.json", "schedule.jsonl", "host.json", "code.zip"} {
		if !exp.HasFile(name) {
			t.Errorf("%s: %s is gone", what, name)
		}
	}
}

// concurrentProcesses starts, at the same moment, two `run` with the
// process engine and one native `run` of one seed into one storage; as
// soon as the experiment exists, a `resume` and a `worker` for its first
// component join. Every run and the resume must succeed; the worker
// finishes its component or finds it taken (exit 0 or 1).
func concurrentProcesses(t *testing.T, try int, dir, storageURL string, k int) {
	t.Helper()
	env := []string{"MACHINABLE_HEARTBEAT=200ms"}
	runs := []*proc{
		start(t, dir, env, "run", "sweep.star", "--storage", storageURL, "--engine", "process:2"),
		start(t, dir, env, "run", "sweep.star", "--storage", storageURL, "--engine", "process:2"),
		start(t, dir, env, "run", "sweep.star", "--storage", storageURL),
	}
	st, err := storage.Open(storageURL)
	if err != nil {
		t.Fatal(err)
	}
	var exp *storage.Experiment
	waitFor(t, 60*time.Second, "the experiment", func() bool {
		exp, err = st.FindExperiment("hp2cEP")
		return err == nil && exp.HasFile("schedule.jsonl")
	})
	resume := start(t, dir, env, "resume", "hp2cEP", "--storage", storageURL)
	sched, _ := storage.Open(storageURL)
	view, _ := sched.Experiment("hp2cEP")
	comps, err := view.Components()
	if err != nil {
		t.Fatal(err)
	}
	worker := start(t, dir, env, "worker", exp.URL(), "--component", comps[0].ID)
	for i, p := range append(runs, resume) {
		if code := p.wait(); code != 0 || strings.Contains(p.out.String(), " failed in") && !strings.Contains(p.out.String(), " 0 failed") {
			t.Errorf("try %d: process %d %v: exit %d\n%s", try, i, p.cmd.Args[1:], code, p.out.String())
		}
	}
	if code := worker.wait(); code != 0 && code != ExitFailed {
		t.Errorf("try %d: worker: exit %d\n%s", try, code, worker.out.String())
	}
	checkRanOnce(t, fmt.Sprintf("try %d", try), st, "hp2cEP", k)
}

// TestIntegrityConcurrentProcesses: real processes — runs with the
// process engine and without, a resume and a worker — on one experiment
// in one local storage, at once: each component runs exactly once,
// nothing another process wrote is removed, every run succeeds. Before,
// the loser of the code.zip race removed the winner's experiment (3 of
// 25 tries), runs reported failed components that had finished, or read
// a half-written execution.json.
func TestIntegrityConcurrentProcesses(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	integrityTries(t, 5, func(t *testing.T, try int) {
		dir := integrityProject(t, 2000, 6, 1)
		concurrentProcesses(t, try, dir, filepath.Join(dir, "results"), 6)
	})
}

// integrityTries runs try n times ($MACHINABLE_INTEGRITY_TRIES to measure
// with more), going on after a failed try, and says how many failed.
func integrityTries(t *testing.T, n int, try func(*testing.T, int)) {
	if v, err := strconv.Atoi(os.Getenv("MACHINABLE_INTEGRITY_TRIES")); err == nil && v > 0 {
		n = v
	} else if testing.Short() {
		n = 1
	}
	failed := 0
	for i := range n {
		if !t.Run(fmt.Sprintf("try%d", i), func(t *testing.T) { try(t, i) }) {
			failed++
		}
	}
	t.Logf("%d of %d tries failed", failed, n)
}

// TestIntegrityConcurrentProcessesS3: the same on S3 (gofakes3). Before,
// two runs of one seed both failed (stat …/execution.json: file does not
// exist; write …/code.zip: file already exists), leaving an experiment
// that run called existing and status could not find.
func TestIntegrityConcurrentProcessesS3(t *testing.T) {
	srv := s3test.Start(t, "bucket")
	t.Setenv("MACHINABLE_BINARY", binary(t))
	integrityTries(t, 3, func(t *testing.T, try int) {
		dir := integrityProject(t, 2000, 4, 1)
		concurrentProcesses(t, try, dir, srv.URL(fmt.Sprintf("bucket/try%d", try), "flush=50ms"), 4)
	})
}

// TestIntegrityKill9 kills `machinable run`, then `machinable resume`,
// with SIGKILL at random moments of a sweep (while it prepares the
// experiment, runs components, archives attempts); after each kill the
// experiment stays readable, and a last resume finishes every component
// exactly once.
func TestIntegrityKill9(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	const k = 10
	dir := integrityProject(t, 60000, k, 1)
	env := []string{"MACHINABLE_HEARTBEAT=200ms"}
	st, err := storage.Open(filepath.Join(dir, "results"))
	if err != nil {
		t.Fatal(err)
	}
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	t.Logf("kill moments drawn with seed %d", seed)
	for i := range 6 {
		args := []string{"resume", "hp2cEP"}
		if _, err := st.FindExperiment("hp2cEP"); err != nil {
			args = []string{"run", "sweep.star"} // killed before execution.json
		}
		p := start(t, dir, env, args...)
		wait := time.Duration(30+rng.IntN(600)) * time.Millisecond
		time.Sleep(wait)
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.wait()
		t.Logf("kill %d: %v after %v", i, args[0], wait)
		if _, err := st.FindExperiment("hp2cEP"); err != nil {
			continue
		}
		stdout, stderr, code := runMain(t, dir, "status", "hp2cEP")
		if code != 0 && !strings.Contains(stderr, "schedule.jsonl is missing") {
			t.Errorf("status after kill %d: exit %d\n%s%s", i, code, stdout, stderr)
		}
		if strings.Contains(stdout+stderr, "EOF") {
			t.Errorf("status after kill %d reads a truncated file:\n%s%s", i, stdout, stderr)
		}
	}
	args := []string{"resume", "hp2cEP"}
	if _, err := st.FindExperiment("hp2cEP"); err != nil {
		args = []string{"run", "sweep.star"}
	}
	stdout, stderr, code := runMain(t, dir, args...)
	if code != 0 {
		t.Fatalf("final %s: exit %d\n%s%s", args[0], code, stdout, stderr)
	}
	checkRanOnce(t, "after the kills", st, "hp2cEP", k)
}

// TestIntegrityDetachedS3: the detached engine with an s3:// storage: the
// background process finishes the experiment in the bucket, and its log
// goes to the documented local place (it was opened at a relative path
// named after the bucket's prefix, and failed).
func TestIntegrityDetachedS3(t *testing.T) {
	srv := s3test.Start(t, "bucket")
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("MACHINABLE_BINARY", binary(t))
	url := srv.URL("bucket/runs")
	dir := quickstart(t)
	stdout, stderr, code := runMain(t, dir, "run", "experiment.star", "--storage", url, "--engine", "detached")
	if code != 0 || !strings.Contains(stdout, "continues in the background") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	st, err := storage.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.FindExperiment("8gWVkz")
	if err != nil {
		t.Fatal(err)
	}
	logPath, err := engines.DetachedLog(exp)
	if err != nil || !strings.HasPrefix(logPath, filepath.Join(cache, "machinable", "detached")+"/") {
		t.Fatalf("log at %q (%v), want it below %s", logPath, err, cache)
	}
	if !strings.Contains(stdout, "log "+logPath) {
		t.Errorf("the console does not say where the log is:\n%s", stdout)
	}
	waitFor(t, 60*time.Second, "the background run", func() bool {
		log, _ := os.ReadFile(logPath)
		return strings.Contains(string(log), "3 finished")
	})
	view, _ := exp.View()
	if counts, err := view.Counts(time.Now()); err != nil || counts["finished"] != 3 {
		t.Errorf("in the bucket: %v %v", counts, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "runs")); err == nil {
		t.Error("a local directory named after the bucket's prefix was made")
	}
}

// TestIntegrityCorruptFilesCLI: a 0-byte status.json (a full disk or
// kill -9 under an older release) shows that component as unreadable in
// status, show and ls, the others as they are; running the plan again
// runs it again. A damaged schedule.jsonl is named in status's error and
// rebuilt by resume. A null line of schedule.jsonl is an error in ls,
// show, records and config, never a panic. Before, every command failed
// with "decode …: EOF" (or panicked) until the file was deleted by hand.
func TestIntegrityCorruptFilesCLI(t *testing.T) {
	dir := quickstart(t)
	if _, _, code := runMain(t, dir, "run", "experiment.star"); code != 0 {
		t.Fatal("run")
	}
	exp := filepath.Join(dir, "results", "8gWVkz")
	os.WriteFile(filepath.Join(exp, "XfOWPgKJCcuh", "status.json"), nil, 0o644)
	os.Remove(filepath.Join(exp, "journal.jsonl")) // older releases wrote none
	for _, args := range [][]string{{"status", "8gWVkz"}, {"show", "8gWVkz"}, {"ls"}} {
		stdout, stderr, code := runMain(t, dir, args...)
		if code != 0 {
			t.Errorf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
		if args[0] != "ls" && (!strings.Contains(stdout, "unreadable") || !strings.Contains(stdout, "finished")) {
			t.Errorf("%v does not show the unreadable component next to the others:\n%s", args, stdout)
		}
	}
	stdout, stderr, code := runMain(t, dir, "run", "experiment.star")
	if code != 0 || !strings.Contains(stdout, "Resuming: 2 finished earlier (kept), 0 running elsewhere (left alone), 1 to run") {
		t.Errorf("run again: exit %d\n%s%s", code, stdout, stderr)
	}
	if data, err := os.ReadFile(filepath.Join(exp, "XfOWPgKJCcuh", "attempts", "1", "status.json")); err != nil || len(data) != 0 {
		t.Errorf("the unreadable status.json is not kept: %v", err)
	}

	// A line that is no component (an empty schedule.jsonl is one being
	// written, and shows the components so far: none).
	os.WriteFile(filepath.Join(exp, "schedule.jsonl"), []byte("garbage\n"), 0o644)
	stdout, stderr, code = runMain(t, dir, "status", "8gWVkz")
	if code == 0 || !strings.Contains(stderr, filepath.Join(exp, "schedule.jsonl")) || !strings.Contains(stderr, "machinable resume 8gWVkz rebuilds it") {
		t.Errorf("status with a damaged schedule.jsonl: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = runMain(t, dir, "resume", "8gWVkz")
	if code != 0 || !strings.Contains(stdout, "rebuilt from the plan in execution.json") {
		t.Errorf("resume: exit %d\n%s%s", code, stdout, stderr)
	}
	if stdout, _, code := runMain(t, dir, "status", "8gWVkz"); code != 0 || !strings.Contains(stdout, "3 finished") {
		t.Errorf("status after the rebuild: %d\n%s", code, stdout)
	}

	data, _ := os.ReadFile(filepath.Join(exp, "schedule.jsonl"))
	os.WriteFile(filepath.Join(exp, "schedule.jsonl"), append([]byte("null\n"), data...), 0o644)
	for _, args := range [][]string{{"ls"}, {"show", "8gWVkz"}, {"records", "8gWVkz"}, {"config", "8gWVkz/e9DJBHuoiCvn"}, {"status", "8gWVkz"}} {
		stdout, stderr, code := runMain(t, dir, args...)
		if args[0] != "ls" && (code == 0 || !strings.Contains(stderr, "line 1: expected a component as a JSON object")) {
			t.Errorf("%v with a null entry: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
}
