package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// slurmTestDeadline is how long a Slurm test may take before it fails
// with the queue's state (see slurmDeadline); tests that need longer say
// so.
const slurmTestDeadline = 4 * time.Minute

// requireSlurm skips without a Slurm cluster, unless CI requires one
// (MACHINABLE_REQUIRE_SLURM=1 or MACHINABLE_REQUIRE_SERVICES=1): then the
// test fails. scripts/slurm-up.sh starts a single-node cluster. The test
// gets a deadline (slurmTestDeadline, or the one given).
func requireSlurm(t *testing.T, deadline ...time.Duration) {
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
	d := slurmTestDeadline
	if len(deadline) > 0 {
		d = deadline[0]
	}
	slurmDeadline(t, d, func(state string) {
		t.Errorf("%s still running after %s: its Slurm jobs were cancelled. The queue then:\n%s", t.Name(), d, state)
	})
}

// slurmDeadline keeps a Slurm test from hanging on a queue that does not
// move (a down or drained node, jobs of others taking the node): after d
// it hands the queue's state (squeue, scontrol, sinfo) to fail and
// cancels the test's own jobs — those whose working directory lies in
// the test's temporary directories — so whatever waits for them ends.
func slurmDeadline(t *testing.T, d time.Duration, fail func(state string)) {
	t.Helper()
	root := slurmTestRoot(t)
	var mu sync.Mutex
	over := false
	timer := time.AfterFunc(d, func() {
		jobs := slurmJobsUnder(root)
		state := slurmQueueState(jobs)
		mu.Lock()
		defer mu.Unlock()
		if over {
			return
		}
		fail(state)
		if len(jobs) > 0 {
			exec.Command("scancel", jobs...).Run()
		}
	})
	t.Cleanup(func() {
		mu.Lock()
		over = true
		mu.Unlock()
		timer.Stop()
	})
}

// queuedTask is a task (or job) in squeue.
type queuedTask struct {
	id, job       string // "4211_3" and its array "4211"
	state, reason string // "PENDING", "BeginTime"
}

// slurmQueueUnder lists the queued tasks of machinable whose working
// directory lies below root: the jobs of one test, not those of other
// tests or people sharing the cluster.
func slurmQueueUnder(root string) []queuedTask {
	out, _ := exec.Command("squeue", "-h", "-r", "-o", "%i|%F|%T|%r|%j|%Z").Output()
	var tasks []queuedTask
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "|", 6)
		if len(f) != 6 || !strings.HasPrefix(f[4], "machinable-") || (f[5] != root && !strings.HasPrefix(f[5], root+string(filepath.Separator))) {
			continue
		}
		tasks = append(tasks, queuedTask{id: f[0], job: f[1], state: f[2], reason: f[3]})
	}
	return tasks
}

// slurmTestRoot is the directory below which a test's temporary
// directories, and so its jobs' working directories, lie.
func slurmTestRoot(t *testing.T) string { return filepath.Dir(t.TempDir()) }

// slurmJobsUnder lists the jobs (arrays) of slurmQueueUnder.
func slurmJobsUnder(root string) []string {
	seen := map[string]bool{}
	var jobs []string
	for _, q := range slurmQueueUnder(root) {
		if !seen[q.job] {
			seen[q.job] = true
			jobs = append(jobs, q.job)
		}
	}
	return jobs
}

// slurmQueueState is what one needs to see why jobs do not run: the whole
// queue with each job's reason, the given jobs in detail, the nodes.
func slurmQueueState(jobs []string) string {
	var b strings.Builder
	show := func(name string, args ...string) {
		out, err := exec.Command(name, args...).CombinedOutput()
		fmt.Fprintf(&b, "$ %s %s\n%s", name, strings.Join(args, " "), out)
		if err != nil {
			fmt.Fprintf(&b, "(%v)\n", err)
		}
	}
	show("squeue", "-a", "-o", "%.12i %.24j %.8u %.10T %.10M %.6D %R")
	for _, j := range jobs {
		show("scontrol", "show", "job", j)
	}
	show("sinfo", "-N", "-o", "%N %P %T %C %E")
	return b.String()
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
		"--engine", "slurm", "--engine-opt", "array_parallelism=2", "--engine-opt", "poll=200ms", "--engine-opt", "wait=true")
	if code != 0 || !strings.Contains(stdout, "slurm: submitted job array") || !strings.Contains(stdout, "6 finished, 0 failed") {
		t.Fatalf("slurm: %d\n%s%s", code, stdout, stderr)
	}
	sameResults(t, filepath.Join(dir, "native", "hp2cEP"), filepath.Join(dir, "slurm", "hp2cEP"), "slurm", 6*3)
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
    storage="./results", engine={"type": "slurm", "poll": "200ms", "wait": True,
    "before_script": 'if [ "$SLURM_ARRAY_TASK_ID" = 2 ]; then echo "no GPU here" >&2; exit 7; fi'})
`), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "mixed.star")
	if code != ExitFailed || !strings.Contains(stdout, "1 finished, 2 failed") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		`broken: Slurm task \d+_1 FAILED, exit code 1:0: on_execute: Error in fail: boom`,
		`spin: Slurm task \d+_2 ended FAILED with exit code 7:0: no GPU here \(output .*\.out\)`,
	} {
		if !regexp.MustCompile(want).MatchString(stdout) {
			t.Errorf("output lacks %s:\n%s", want, stdout)
		}
	}
}

// TestSlurmSingleJobs: array=False submits one plain job per component
// (no --array); the results equal the native run's, a failing component
// is reported with its job's state and exit code, and slurm.json marks
// the jobs single.
func TestSlurmSingleJobs(t *testing.T) {
	requireSlurm(t)
	dir := spinProject(t, 1000, 1, "")
	os.WriteFile(filepath.Join(dir, "mixed.star"), []byte(`execute(Experiment().component("spin").component("broken").component("spin", {"n": 10}), storage="./results", seed=1)
`), 0o644)
	if stdout, stderr, code := runMain(t, dir, "run", "mixed.star", "--storage", "native"); code != ExitFailed {
		t.Fatalf("native: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code := runMain(t, dir, "run", "mixed.star", "--storage", "slurm", "--engine", "slurm",
		"--engine-opt", "array=false", "--engine-opt", "wait=true", "--engine-opt", "poll=200ms")
	if code != ExitFailed || !strings.Contains(stdout, "2 finished, 1 failed") ||
		!regexp.MustCompile(`slurm: submitted 3 job\(s\), \d+ to \d+`).MatchString(stdout) ||
		!regexp.MustCompile(`broken: Slurm task \d+ FAILED, exit code 1:0: on_execute: Error in fail: boom`).MatchString(stdout) {
		t.Fatalf("slurm: exit %d\n%s%s", code, stdout, stderr)
	}
	exps, _ := filepath.Glob(filepath.Join(dir, "native", "[^.]*")) // not the storage's .gitignore
	if len(exps) != 1 {
		t.Fatalf("native experiments: %v", exps)
	}
	id := filepath.Base(exps[0])
	sameResults(t, exps[0], filepath.Join(dir, "slurm", id), "slurm single jobs", 3*2) // at least component.json and status.json each
	scripts, _ := filepath.Glob(filepath.Join(dir, "slurm", id, "slurm", "*.sbatch"))
	for _, p := range scripts {
		if b, _ := os.ReadFile(p); strings.Contains(string(b), "--array") || !strings.Contains(string(b), "\nCOMPONENT=") {
			t.Errorf("%s is not a single job:\n%s", p, b)
		}
	}
	var info struct {
		Arrays []struct {
			Single bool `json:"single_job"`
		}
	}
	readJSON(t, filepath.Join(dir, "slurm", id, "slurm.json"), &info)
	if len(scripts) != 3 || len(info.Arrays) != 3 || !info.Arrays[0].Single {
		t.Errorf("%d scripts, slurm.json %+v", len(scripts), info)
	}
}

// TestSlurmGroupedArrays: components whose resources (a dict, or a
// function of their config) give different sbatch options go to
// separate arrays; `machinable status` then shows each task's final
// Slurm state and exit code; mem:// is refused.
func TestSlurmGroupedArrays(t *testing.T) {
	requireSlurm(t)
	dir := spinProject(t, 1000, 1, "")
	os.WriteFile(filepath.Join(dir, "grouped.star"), []byte(`def mem(config):
    return {"mem": "100M" if config.n > 100 else "200M"}

execute(Experiment().component("spin", resources=mem).component("spin", {"n": 10}, resources=mem).component("spin", {"n": 20}, resources=mem).component("broken"),
    storage="./results", seed=1, engine={"type": "slurm", "poll": "200ms", "wait": True})
`), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "grouped.star")
	if code != ExitFailed || !strings.Contains(stdout, "3 finished, 1 failed") || strings.Count(stdout, "slurm: submitted job array") != 3 ||
		!regexp.MustCompile(`slurm: submitted job array \d+ \(2 task\(s\)`).MatchString(stdout) {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	exp := filepath.Join(dir, "results", "hp2cEP")
	var info struct {
		Arrays []struct {
			Components []string
			Sbatch     map[string]string
		}
	}
	readJSON(t, filepath.Join(exp, "slurm.json"), &info)
	mems := []string{}
	for _, a := range info.Arrays {
		mems = append(mems, fmt.Sprintf("%d:%s", len(a.Components), a.Sbatch["mem"]))
	}
	if strings.Join(mems, " ") != "1:100M 2:200M 1:" {
		t.Errorf("arrays (components:mem) %v, want 1:100M 2:200M 1:", mems)
	}
	scripts, _ := filepath.Glob(filepath.Join(exp, "slurm", "*.sbatch"))
	if len(scripts) != 3 {
		t.Fatalf("scripts %v", scripts)
	}
	if b, _ := os.ReadFile(scripts[0]); !strings.Contains(string(b), "#SBATCH --mem=100M\n") {
		t.Errorf("first script:\n%s", b)
	}
	status, _, _ := runMain(t, dir, "status", "hp2cEP")
	if n := len(regexp.MustCompile(`finished .* \d+_\d COMPLETED 0:0`).FindAllString(status, -1)); n != 3 ||
		!regexp.MustCompile(`failed .* \d+_0 FAILED 1:0`).MatchString(status) {
		t.Errorf("status should show each task's final state:\n%s", status)
	}
	_, stderr, code = runMain(t, dir, "run", "grouped.star", "--storage", fmt.Sprintf("mem://%s-%d", t.Name(), time.Now().UnixNano()))
	if code != ExitError || !strings.Contains(stderr, "engine slurm: the nodes cannot see a mem:// storage; use a shared file system path or s3://") {
		t.Errorf("mem://: exit %d\n%s", code, stderr)
	}
}

// TestSlurmNoWait: run without a terminal (wait's default then, as
// wait=False) submits and returns; `machinable status` follows the array
// until every component finished.
func TestSlurmNoWait(t *testing.T) {
	requireSlurm(t)
	dir := spinProject(t, 300000, 4, `, engine={"type": "slurm", "array_parallelism": 1}`)
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
	res := executeSpinInterrupted(t, NewExecutor(nil), dir, 1, map[string]any{"type": "slurm", "poll": "200ms", "array_parallelism": int64(2), "wait": true})
	if res.OK() || res.Counts().Finished != 0 {
		t.Errorf("a cancelled execution is not OK and finished nothing: %+v", res.Counts())
	}
	if q := slurmQueueUnder(slurmTestRoot(t)); len(q) > 0 {
		t.Errorf("tasks still queued after cancel: %v", q)
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
// The component ends only once restored, so the test does not depend on
// how fast this machine runs it.
// Slurm holds a requeued job for a while (BeginTime); the test releases it
// at once to stay fast.
func TestSlurmRequeue(t *testing.T) {
	requireSlurm(t, 8*time.Minute)
	dir := longrunProject(t)
	os.WriteFile(filepath.Join(dir, "requeue.star"), []byte(`execute("longrun", storage="./results", seed=1,
    engine={"type": "slurm", "time": "1", "signal": "B:USR1@55", "max_requeue": 2, "poll": "500ms", "wait": True})
`), 0o644)
	stop := make(chan struct{})
	defer close(stop)
	root := slurmTestRoot(t)
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
			for _, q := range slurmQueueUnder(root) {
				id, reason := q.id, q.reason
				if reason != "BeginTime" {
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
	// The signal comes some 20 s into the run (Slurm checks time limits
	// periodically); restored, the component finishes at once.
	if st.Status != "finished" || st.Requeues != 1 {
		t.Errorf("status %+v, want finished after one requeue", st)
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

// TestSlurmInterruptPrompt: on a real terminal (tmux) the engine waits
// for the arrays by default; Ctrl-C while waiting asks whether to cancel
// them or detach; "d" detaches, the tasks keep running and `machinable
// status` shows them.
func TestSlurmInterruptPrompt(t *testing.T) {
	requireSlurm(t)
	requireTmux(t)
	bin := binary(t)
	dir := spinProject(t, 200000000, 2, `, engine={"type": "slurm", "poll": "200ms"}`)
	root := slurmTestRoot(t)
	t.Cleanup(func() { // the detached tasks: gone before the next test looks at the queue
		if jobs := slurmJobsUnder(root); len(jobs) > 0 {
			exec.Command("scancel", jobs...).Run()
		}
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) && len(slurmQueueUnder(root)) > 0 {
			time.Sleep(200 * time.Millisecond)
		}
	})
	m := startTmux(t, dir, 150, 40, fmt.Sprintf("%q run spin_run.star; echo EXIT=$?; sleep 600", bin))
	waitScreen := func(what string, re *regexp.Regexp) string {
		t.Helper()
		return m.waitScreen(what, re, 60*time.Second)
	}
	waitFor(t, 60*time.Second, "a running component", func() bool { return count(statuses(t, dir), "running") > 0 })
	m.keys("C-c")
	waitScreen("question", regexp.MustCompile(`The Slurm job arrays of experiment hp2cEP are still queued or running\. Cancel them \(scancel\), or detach and leave them running\?\nType c \(cancel\) or d \(detach\) and Enter`))
	m.typeLine("d")
	s := waitScreen("exit status", regexp.MustCompile(`EXIT=\d+`))
	t.Logf("screen:\n%s", strings.TrimRight(s, "\n"))
	if !strings.Contains(s, "slurm: detached; the arrays keep running: machinable status hp2cEP") || !strings.Contains(s, "EXIT=130") ||
		!regexp.MustCompile(`Experiment hp2cEP: 0 finished, 0 failed, 2 left running \(detached\) in`).MatchString(s) {
		t.Errorf("want a detach message, a summary saying so and exit status 130:\n%s", s)
	}
	running := false
	for _, q := range slurmQueueUnder(root) {
		running = running || q.state == "RUNNING"
	}
	if !running {
		t.Errorf("detached tasks should still run, squeue shows %v", slurmQueueUnder(root))
	}
	if c := count(statuses(t, dir), "finished"); c != 0 {
		t.Errorf("%d finished already", c)
	}
	status, _, _ := runMain(t, dir, "status", "hp2cEP", "--storage", "results")
	if !strings.Contains(status, "RUNNING") {
		t.Errorf("machinable status should show the Slurm task state:\n%s", status)
	}
}

// TestSlurmPendingReasonAndTimeout: a task that cannot start (held until
// an hour from now) shows why it pends — in `machinable status` and in
// the progress lines while the engine waits — and the timeout option
// ends the wait: the array is cancelled and the run fails with the
// queue's state instead of waiting for an hour.
func TestSlurmPendingReasonAndTimeout(t *testing.T) {
	requireSlurm(t)
	dir := spinProject(t, 1000, 1, "")
	root := slurmTestRoot(t)
	held := []string{"--engine", "slurm", "--engine-opt", "sbatch_args=[--begin=now+3600]", "--engine-opt", "poll=200ms"}

	stdout, stderr, code := runMain(t, dir, append([]string{"run", "spin_run.star", "--engine-opt", "wait=false"}, held...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	waitFor(t, 30*time.Second, "the job to pend for its begin time", func() bool {
		q := slurmQueueUnder(root)
		return len(q) == 1 && q[0].reason == "BeginTime"
	})
	status, _, _ := runMain(t, dir, "status", "hp2cEP")
	if !regexp.MustCompile(`queued .* \d+_0 PENDING \(BeginTime\)`).MatchString(status) {
		t.Errorf("status should say why the task pends:\n%s", status)
	}
	exec.Command("scancel", slurmJobsUnder(root)...).Run()

	start := time.Now()
	stdout, stderr, code = runMain(t, dir, append([]string{"run", "spin_run.star", "--seed", "2", "--engine-opt", "wait=true", "--engine-opt", "timeout=3s"}, held...)...)
	if took := time.Since(start); took > time.Minute {
		t.Errorf("timeout=3s took %s", took)
	}
	for _, want := range []string{
		`slurm: 1 pending \(BeginTime\), 0 running, 0 other; 0 done, 0 failed; 1 component\(s\) left`,
		`slurm: timeout 3s passed; the queue:\n  \d+_0 PENDING \(BeginTime\)\n  nodes \(sinfo: partition, availability, count, state, reason\):\n    \S+ up \d+ `,
		`slurm: cancelling the job arrays \(scancel\)`,
	} {
		if !regexp.MustCompile(want).MatchString(stdout) {
			t.Errorf("output lacks %s:\n%s", want, stdout)
		}
	}
	if code != ExitError || !regexp.MustCompile(`gave up waiting for the Slurm job arrays after 3s \(option timeout\) and cancelled them; 1 component\(s\) had not ended. The queue then:\n  \d+_0 PENDING \(BeginTime\)`).MatchString(stderr) {
		t.Errorf("exit %d, want %d and the queue's state:\n%s", code, ExitError, stderr)
	}
	waitFor(t, 30*time.Second, "the cancelled array to leave the queue", func() bool { return len(slurmQueueUnder(root)) == 0 })

	_, stderr, code = runMain(t, dir, append([]string{"run", "spin_run.star", "--seed", "3", "--engine-opt", "timeout=soon"}, held...)...)
	if code != ExitError || !strings.Contains(stderr, `option "timeout": expected a duration such as "2h" (0: no limit), got soon`) {
		t.Errorf("timeout=soon: exit %d\n%s", code, stderr)
	}
}

// TestSlurmDeadline: a Slurm test whose jobs never start does not hang:
// at its deadline it gets the queue's state (the task pending and why,
// scontrol's view of the job, the nodes), and its jobs are cancelled, so
// the run waiting for them — without a timeout of its own — ends.
func TestSlurmDeadline(t *testing.T) {
	requireSlurm(t)
	dir := spinProject(t, 1000, 1, "")
	var mu sync.Mutex
	var state string
	slurmDeadline(t, 8*time.Second, func(s string) { mu.Lock(); state = s; mu.Unlock() })
	start := time.Now()
	stdout, stderr, code := runMain(t, dir, "run", "spin_run.star", "--engine", "slurm", "--engine-opt", "sbatch_args=[--begin=now+3600]",
		"--engine-opt", "poll=200ms", "--engine-opt", "wait=true")
	if took := time.Since(start); code != ExitFailed || took > time.Minute {
		t.Errorf("exit %d after %s, want %d soon after the deadline\n%s%s", code, took, ExitFailed, stdout, stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{
		`(?m)^\$ squeue -a .*\n(.*\n)*\s+\d+_\S+ +machinable-hp2cEP .* PENDING .*\(BeginTime\)`,
		`(?m)^\$ scontrol show job \d+\n(.*\n)*.*JobState=PENDING Reason=BeginTime`,
		`(?m)^\$ sinfo -N .*\n.*\n`,
	} {
		if !regexp.MustCompile(want).MatchString(state) {
			t.Errorf("queue state lacks %s:\n%s", want, state)
		}
	}
	if !strings.Contains(stdout, "ended CANCELLED") {
		t.Errorf("the cancelled task should be reported:\n%s", stdout)
	}
}
