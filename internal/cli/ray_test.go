package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/machinable-go/machinable/internal/raytest"
	"github.com/machinable-go/machinable/internal/s3test"
	"github.com/machinable-go/machinable/runtime"
)

// The ray engine is tested against internal/raytest, which answers as a
// real Ray head node does (each behaviour cites Ray's code) and runs each
// entrypoint as a local process: not against Ray, which cannot be
// installed here (docs/ray.md).

// TestRayMatchesNative: the quickstart through the ray engine (one job per
// component, storage on the shared local file system, Ray's token
// authentication with the token from $RAY_AUTH_TOKEN) stores exactly what
// the native engine stores; the jobs carry the worker entrypoint and the
// engine's env var; ray.json records the submission IDs but no token. A
// resume finds the IDs taken and moves to -2 without posting a taken one.
func TestRayMatchesNative(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := quickstart(t)
	const token = "ray-test-token-5f3a9c"
	srv := raytest.StartWith(t, raytest.Options{Token: token})
	t.Setenv("RAY_AUTH_TOKEN", token)
	stdout, stderr, code := runMain(t, dir, "run", "experiment.star", "--storage", "native")
	if code != 0 {
		t.Fatalf("native: %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = runMain(t, dir, "run", "experiment.star", "--storage", "ray",
		"--engine", "ray", "--engine-opt", "address="+srv.URL(), "--engine-opt", "poll=50ms")
	if code != 0 || !strings.Contains(stdout, "3 finished, 0 failed") || !strings.Contains(stdout, "ray: submitted machinable-8gWVkz-e9DJBHuoiCvn") {
		t.Fatalf("ray: %d\n%s%s", code, stdout, stderr)
	}
	sameResults(t, filepath.Join(dir, "native", "8gWVkz"), filepath.Join(dir, "ray", "8gWVkz"), "ray", 3*3)
	jobs := srv.Jobs()
	if len(jobs) != 3 {
		t.Fatalf("%d jobs", len(jobs))
	}
	for _, j := range jobs {
		env, _ := j.RuntimeEnv["env_vars"].(map[string]any)
		if j.Status != "SUCCEEDED" || !strings.Contains(j.Entrypoint, "' worker '") || env["MACHINABLE_RAY_SUBMISSION_ID"] != j.SubmissionID ||
			j.Metadata["machinable_experiment"] != "8gWVkz" || j.Header.Get("Authorization") != "Bearer "+token || j.Node != "head" {
			t.Errorf("job %+v", j)
		}
	}
	info, _ := os.ReadFile(filepath.Join(dir, "ray", "8gWVkz", "ray.json"))
	if !strings.Contains(string(info), `"e9DJBHuoiCvn": "machinable-8gWVkz-e9DJBHuoiCvn"`) || !strings.Contains(string(info), srv.URL()) {
		t.Errorf("ray.json: %s", info)
	}
	for p, content := range snapshot(t, filepath.Join(dir, "ray")) {
		if strings.Contains(content, token) {
			t.Errorf("%s holds the token", p)
		}
	}
	if strings.Contains(stdout+stderr, token) {
		t.Error("the token was printed")
	}

	// Resuming submits again under a new submission ID: Ray answers a
	// taken one with 500, so the engine looks IDs up before posting.
	os.Remove(filepath.Join(dir, "ray", "8gWVkz", "e9DJBHuoiCvn", "status.json"))
	os.Remove(filepath.Join(dir, "ray", "8gWVkz", "journal.jsonl")) // else it still says finished
	before := srv.Submits()
	stdout, stderr, code = runMain(t, dir, "resume", "8gWVkz", "--storage", "ray", "--engine", "ray", "--engine-opt", "address="+srv.URL(),
		"--engine-opt", "poll=50ms")
	if code != 0 || !strings.Contains(stdout, "ray: submitted machinable-8gWVkz-e9DJBHuoiCvn-2") || srv.Submits() != before+1 {
		t.Fatalf("resume: %d, %d submission(s)\n%s%s", code, srv.Submits()-before, stdout, stderr)
	}

	// Behind a proxy that wants its own header, the headers option (with
	// $VARIABLE from the environment) is sent instead of Ray's token.
	proxy := raytest.Start(t)
	proxy.RequireHeader("Authorization", "Basic cHJveHk=")
	t.Setenv("PROXY_AUTH", "Basic cHJveHk=")
	stdout, stderr, code = runMain(t, dir, "run", "experiment.star", "--storage", "proxied", "--engine", "ray", "--engine-opt", "address="+proxy.URL(),
		"--engine-opt", "poll=50ms", "--engine-opt", "headers={Authorization: $PROXY_AUTH}")
	if code != 0 || !strings.Contains(stdout, "3 finished") {
		t.Fatalf("proxy: %d\n%s%s", code, stdout, stderr)
	}
}

// TestRayFailures: a failing component is reported with its error from
// status.json; a job whose worker cannot start is reported failed with
// the Ray status and the tail of its logs, the last line first; a server
// that is not there is named with RAY_ADDRESS.
func TestRayFailures(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := spinProject(t, 1000, 1, "")
	srv := raytest.Start(t)
	engine := `{"type": "ray", "address": "` + srv.URL() + `", "poll": "50ms"}`
	os.WriteFile(filepath.Join(dir, "mixed.star"), []byte(`execute(Experiment().component("spin").component("broken"), storage="./results", engine=`+engine+")\n"), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "mixed.star")
	if code != ExitFailed || !strings.Contains(stdout, "1 finished, 1 failed") || !regexp.MustCompile(`failed: \w{12} broken: .*boom`).MatchString(stdout) {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}

	bad := filepath.Join(t.TempDir(), "no-machinable.sh")
	os.WriteFile(bad, []byte("#!/bin/sh\necho starting on $(hostname)\necho 'machinable: cannot load libcuda.so.1' >&2\nexit 3\n"), 0o755)
	stdout, stderr, code = runMain(t, dir, "run", "spin_run.star", "--storage", "bad", "--engine", "ray",
		"--engine-opt", "address="+srv.URL(), "--engine-opt", "poll=50ms", "--engine-opt", "binary="+bad)
	if code != ExitFailed || !strings.Contains(stdout, "0 finished, 1 failed") ||
		!regexp.MustCompile(`failed: \w{12} spin: machinable: cannot load libcuda.so.1 \(Ray job machinable-hp2cEP-\w{12} ended FAILED without a final status: Job entrypoint command failed with exit code 3\)`).MatchString(stdout) {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}

	t.Setenv("RAY_ADDRESS", "http://127.0.0.1:1")
	stdout, stderr, code = runMain(t, dir, "run", "spin_run.star", "--storage", "none", "--engine", "ray")
	if code == 0 || !strings.Contains(stderr, "nothing listens at http://127.0.0.1:1 (connection refused)") || !strings.Contains(stderr, "$RAY_API_SERVER_ADDRESS or $RAY_ADDRESS") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	_, stderr, code = runMain(t, dir, "run", "spin_run.star", "--storage", "mem://", "--engine", "ray", "--engine-opt", "address="+srv.URL())
	if code == 0 || !strings.Contains(stderr, "cannot see a mem:// storage") {
		t.Errorf("mem://: exit %d\n%s", code, stderr)
	}
}

// TestRayCancel: cancelling the execution (Ctrl-C) stops the jobs still
// running; their workers get SIGTERM and mark the components interrupted;
// none finished.
func TestRayCancel(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := spinProject(t, 50000000, 4, "")
	srv := raytest.Start(t)
	t.Chdir(dir)
	start := time.Now()
	res := executeSpinInterrupted(t, NewExecutor(nil), dir, 2, map[string]any{"type": "ray", "address": srv.URL(), "poll": "100ms", "parallelism": int64(2)})
	t.Logf("execution returned %s after start", time.Since(start))
	if res.OK() || res.Counts().Finished != 0 || res.Counts().Interrupted != 2 {
		t.Errorf("a cancelled execution is not OK and finished nothing: %+v", res.Counts())
	}
	jobs := srv.Jobs()
	if len(jobs) != 2 || srv.Stops() != 2 {
		t.Errorf("%d jobs, %d stop requests; want 2 and 2", len(jobs), srv.Stops())
	}
	for _, j := range jobs {
		if j.Status != "STOPPED" || !j.StopRequested {
			t.Errorf("job %s %s", j.SubmissionID, j.Status)
		}
	}
	s := statuses(t, dir)
	if count(s, "interrupted") != 2 || count(s, "finished") != 0 || count(s, "running") != 0 {
		t.Errorf("statuses after cancel: %v", s)
	}
}

// TestRayDetachOnAsk: with on_interrupt "ask" (the default), Ctrl-C asks
// once, however many jobs are followed; "detach" leaves the two running
// jobs alone (no stop request) and they finish; the two never submitted
// count as not run.
func TestRayDetachOnAsk(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := spinProject(t, 8000000, 4, "")
	srv := raytest.Start(t)
	t.Chdir(dir)
	var console strings.Builder
	x := NewExecutor(&console)
	var asked atomic.Int32
	x.Ask = func(out io.Writer, question string, choices []string) string {
		asked.Add(1)
		fmt.Fprintln(out, question)
		return "detach"
	}
	res := executeSpinInterrupted(t, x, dir, 2, map[string]any{"type": "ray", "address": srv.URL(), "poll": "100ms", "parallelism": int64(2)})
	if asked.Load() != 1 || srv.Stops() != 0 {
		t.Errorf("asked %d times (want 1), %d stop requests (want 0)", asked.Load(), srv.Stops())
	}
	if c := res.Counts(); res.LeftRunning != 2 || c.NotRun != 2 || c.Finished != 0 || res.OK() {
		t.Errorf("left running %d, counts %+v", res.LeftRunning, c)
	}
	if !strings.Contains(console.String(), "The Ray jobs of experiment hp2cEP are still running. Stop them, or detach") ||
		!strings.Contains(console.String(), "0 finished, 0 failed, 2 not run, 2 left running (detached)") {
		t.Errorf("console:\n%s", console.String())
	}
	waitFor(t, 60*time.Second, "the detached jobs to finish", func() bool { return count(statuses(t, dir), "finished") == 2 })
}

// TestRayNoWait: wait=False submits every job and returns at once; the
// jobs finish later.
func TestRayNoWait(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	srv := raytest.Start(t)
	dir := spinProject(t, 300000, 3, `, engine={"type": "ray", "wait": False, "address": "`+srv.URL()+`"}`)
	stdout, stderr, code := runMain(t, dir, "run", "spin_run.star")
	if code != 0 || !strings.Contains(stdout, "Follow it with: machinable status hp2cEP --storage ./results") || strings.Contains(stdout, "3 finished") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if n := len(srv.Jobs()); n != 3 {
		t.Errorf("%d jobs submitted, want 3", n)
	}
	waitFor(t, 60*time.Second, "the jobs to finish", func() bool { return count(statuses(t, dir), "finished") == 3 })
	waitFor(t, 10*time.Second, "the jobs to succeed", func() bool {
		for _, j := range srv.Jobs() {
			if j.Status != "SUCCEEDED" {
				return false
			}
		}
		return true
	})
}

// TestRayWholeExecution: per_component=false runs the execution as one
// job, `machinable resume URL --engine native`, with the largest resource
// need of its components.
func TestRayWholeExecution(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := spinProject(t, 1000, 3, "")
	srv := raytest.Start(t)
	stdout, stderr, code := runMain(t, dir, "run", "spin_run.star", "--engine", "ray", "--engine-opt", "address="+srv.URL(),
		"--engine-opt", "per_component=false", "--engine-opt", "poll=50ms")
	if code != 0 || !strings.Contains(stdout, "3 finished, 0 failed") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	jobs := srv.Jobs()
	if len(jobs) != 1 || jobs[0].SubmissionID != "machinable-hp2cEP" || !strings.Contains(jobs[0].Entrypoint, "' resume '") {
		t.Errorf("jobs %+v", jobs)
	}
}

// TestRayClusterPlacement: what a real cluster does with resources. An
// older Ray that does not take them is refused before anything is stored;
// components without resources run on the head node and see its GPUs;
// those with resources (Ray's own "CPU" name included) run where those are
// free and see only the GPUs they asked for.
func TestRayClusterPlacement(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := spinProject(t, 1000, 1, "")
	os.WriteFile(filepath.Join(dir, "placed.star"), []byte(`execute(Experiment()
    .component("spin")
    .component("spin", resources={"CPU": 1})
    .component("spin", resources={"num_gpus": 1}),
  storage="./results", seed=3, engine={"type": "ray", "address": "`+"$RAY_API_SERVER_ADDRESS"+`", "poll": "50ms"})
`), 0o644)
	old := raytest.StartWith(t, raytest.Options{RayVersion: "2.1.0"})
	t.Setenv("RAY_API_SERVER_ADDRESS", old.URL())
	script, _ := os.ReadFile(filepath.Join(dir, "placed.star"))
	os.WriteFile(filepath.Join(dir, "placed.star"), []byte(strings.Replace(string(script), `"address": "$RAY_API_SERVER_ADDRESS", `, "", 1)), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "placed.star")
	if code == 0 || !strings.Contains(stderr, "asks for CPUs, GPUs or custom resources, which Ray's job API takes from Ray 2.2 on; the cluster at "+old.URL()+" runs Ray 2.1.0") {
		t.Fatalf("Ray 2.1: exit %d\n%s%s", code, stdout, stderr)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "results")); len(entries) != 0 || len(old.Jobs()) != 0 {
		t.Errorf("a refused run stores and submits nothing: %d entries, %d jobs", len(entries), len(old.Jobs()))
	}

	srv := raytest.StartWith(t, raytest.Options{Nodes: []raytest.Node{{Name: "head", GPUs: 2}, {Name: "worker", CPUs: 4, GPUs: 2}}})
	t.Setenv("RAY_API_SERVER_ADDRESS", srv.URL())
	stdout, stderr, code = runMain(t, dir, "run", "placed.star")
	if code != 0 || !strings.Contains(stdout, "3 finished") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	byAsk := map[string]raytest.Job{} // the jobs run concurrently: find each by what it asks
	for _, j := range srv.Jobs() {
		switch {
		case j.NumCPUs != nil:
			byAsk["cpu"] = j
		case j.NumGPUs != nil:
			byAsk["gpu"] = j
		default:
			byAsk["none"] = j
		}
	}
	none, cpu, gpu := byAsk["none"], byAsk["cpu"], byAsk["gpu"]
	if _, set := none.Env["CUDA_VISIBLE_DEVICES"]; none.Node != "head" || set {
		t.Errorf("no resources: on the head node, all its GPUs: %+v", none)
	}
	if cpu.Node != "worker" || *cpu.NumCPUs != 1 || cpu.Resources != nil || cpu.Env["CUDA_VISIBLE_DEVICES"] != "" {
		t.Errorf(`{"CPU": 1}: entrypoint_num_cpus, on the worker, no GPU: %+v`, cpu)
	}
	if gpu.Node != "head" || gpu.Env["CUDA_VISIBLE_DEVICES"] != "0" {
		t.Errorf(`{"num_gpus": 1}: one GPU: %+v`, gpu)
	}
}

// TestRayCancelPending: Ctrl-C while a job waits for resources (a GPU no
// node has): Ray cannot stop it (it stays PENDING and may start later, or
// fail at the start timeout); the engine says so and names it, and stops
// the running one.
func TestRayCancelPending(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := spinProject(t, 50000000, 2, "")
	srv := raytest.StartWith(t, raytest.Options{Nodes: []raytest.Node{{Name: "head", CPUs: 1}}})
	t.Chdir(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		waitFor(t, 60*time.Second, "a running component", func() bool { return count(statuses(t, dir), "running") >= 1 })
		cancel()
	}()
	var console strings.Builder
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "spin", Resources: map[string]any{"num_cpus": int64(1)}}).
		Component(runtime.ComponentSpec{Name: "spin", Resources: map[string]any{"num_gpus": int64(1)}}) // no node has a GPU
	res, err := NewExecutor(&console).Execute(ctx, runtime.ExecuteRequest{Plan: plan, Storage: filepath.Join(dir, "results"), Project: dir, Seed: 1,
		Engine: map[string]any{"type": "ray", "address": srv.URL(), "poll": "50ms", "on_interrupt": "cancel"}})
	if err != nil {
		t.Fatal(err)
	}
	jobs := srv.Jobs()
	if len(jobs) == 2 && jobs[0].Status == "PENDING" {
		jobs[0], jobs[1] = jobs[1], jobs[0] // submitted concurrently
	}
	if len(jobs) != 2 || srv.Stops() != 2 || jobs[0].Status != "STOPPED" || jobs[1].Status != "PENDING" || !jobs[1].StopRefused {
		t.Fatalf("jobs %+v, %d stops", jobs, srv.Stops())
	}
	if c := res.Counts(); c.Interrupted != 1 || c.NotRun != 1 {
		t.Errorf("counts %+v", c)
	}
	if !regexp.MustCompile(`ray: 1 job\(s\) were still waiting for resources, and Ray cannot stop a job before it starts: they may still run later .*: ` + jobs[1].SubmissionID).MatchString(console.String()) {
		t.Errorf("console:\n%s", console.String())
	}
}

// TestRayS3NeedsCredentialsOnNodes: a job's environment is the node's,
// not the submitter's: with an s3:// storage, a node without credentials
// fails the component; credentials in the nodes' environment (or in
// runtime_env.env_vars) make it work.
func TestRayS3NeedsCredentialsOnNodes(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	s3 := s3test.Start(t, "results")
	url := s3.URL("results/ray")
	dir := spinProject(t, 1000, 1, "")
	bare := raytest.StartWith(t, raytest.Options{NodeEnv: map[string]string{"AWS_EC2_METADATA_DISABLED": "true"}})
	stdout, stderr, code := runMain(t, dir, "run", "spin_run.star", "--storage", url, "--engine", "ray", "--engine-opt", "address="+bare.URL(), "--engine-opt", "poll=50ms")
	if code != ExitFailed || !strings.Contains(stdout, "0 finished, 1 failed") || !strings.Contains(stdout, "ended FAILED without a final status") {
		t.Fatalf("no credentials on the node: exit %d\n%s%s", code, stdout, stderr)
	}
	nodeEnv := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			nodeEnv[k] = v
		}
	}
	configured := raytest.StartWith(t, raytest.Options{NodeEnv: nodeEnv})
	stdout, stderr, code = runMain(t, dir, "run", "spin_run.star", "--storage", url, "--seed", "2", "--engine", "ray", "--engine-opt", "address="+configured.URL(), "--engine-opt", "poll=50ms")
	if code != 0 || !strings.Contains(stdout, "1 finished, 0 failed") {
		t.Fatalf("credentials on the node: exit %d\n%s%s", code, stdout, stderr)
	}
}
