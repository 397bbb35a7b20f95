package engines

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/internal/raytest"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// These tests run the engine's client against internal/raytest, which
// answers as a real Ray head node does (each behaviour cites Ray's code):
// they show what a real cluster would do to the engine.

// rayFixture is an engine talking to srv and an experiment to submit for.
func rayFixture(t *testing.T, srv *raytest.Server, opts map[string]any) (*rayEngine, *Job, *rayRecord) {
	t.Helper()
	if opts == nil {
		opts = map[string]any{}
	}
	opts["address"] = srv.URL()
	opts["binary"] = "/bin/echo"
	opts["poll"] = "20ms"
	e, err := newRay(Spec{Type: "ray", Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.CreateExperiment("", "hp2cEP")
	if err != nil {
		t.Fatal(err)
	}
	job := &Job{Experiment: exp}
	return e.(*rayEngine), job, &rayRecord{exp: exp, info: RayInfo{Jobs: map[string]string{}}, onInterrupt: func() string { return InterruptCancel }}
}

// script writes a shell script to stand in for the machinable binary.
func script(t *testing.T, body string) string {
	p := filepath.Join(t.TempDir(), "machinable")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func sleeper(t *testing.T) string { return script(t, "sleep 30") }

func component(id string) *runtime.ScheduledComponent {
	return &runtime.ScheduledComponent{ID: id, Name: "train"}
}

// TestRaySubmitTakenID: a resubmission finds its ID taken with a lookup
// and moves to -2 without posting the taken one; Ray's own answer to a
// taken ID (500 with the agent's traceback inside) is recognised too.
func TestRaySubmitTakenID(t *testing.T) {
	srv := raytest.Start(t)
	r, job, rec := rayFixture(t, srv, nil)
	ctx := context.Background()
	req, _ := r.request(job, component("c1"))
	if id, err := r.submit(ctx, job, component("c1"), req, rec); err != nil || id != "machinable-hp2cEP-c1" {
		t.Fatalf("first: %q %v", id, err)
	}
	if id, err := r.submit(ctx, job, component("c1"), req, rec); err != nil || id != "machinable-hp2cEP-c1-2" {
		t.Fatalf("again: %q %v", id, err)
	}
	if n := srv.Submits(); n != 2 {
		t.Errorf("%d submissions; a taken ID must be looked up, not posted", n)
	}
	req.SubmissionID = "machinable-hp2cEP-c1"
	err := r.client.do(ctx, http.MethodPost, "/api/jobs/", req, nil)
	if httpCode(err) != 500 || !rayTaken(err) {
		t.Errorf("Ray's answer to a taken ID (%d) must count as taken: %v", httpCode(err), err)
	}
}

// TestRaySubmitNoAgentAndLostAnswer: "No available agent" is retried; a
// submission whose answer does not come in time is looked up, found
// accepted, and not submitted twice.
func TestRaySubmitNoAgentAndLostAnswer(t *testing.T) {
	defer func(p time.Duration) { rayNoAgentPause = p }(rayNoAgentPause)
	rayNoAgentPause = 10 * time.Millisecond
	srv := raytest.StartWith(t, raytest.Options{NoAgentFor: 2})
	r, job, rec := rayFixture(t, srv, nil)
	req, _ := r.request(job, component("c1"))
	if id, err := r.submit(context.Background(), job, component("c1"), req, rec); err != nil || id != "machinable-hp2cEP-c1" || srv.Submits() != 3 {
		t.Fatalf("%q %v after %d submissions", id, err, srv.Submits())
	}

	slow := raytest.StartWith(t, raytest.Options{SubmitDelay: 600 * time.Millisecond})
	r, job, rec = rayFixture(t, slow, nil)
	r.client.timeout = 200 * time.Millisecond
	if id, err := r.submit(context.Background(), job, component("c2"), req, rec); err != nil || id != "machinable-hp2cEP-c2" {
		t.Fatalf("lost answer: %q %v", id, err)
	}
	if n := slow.Submits(); n != 1 || len(slow.Jobs()) != 1 || rec.info.Jobs["c2"] != "machinable-hp2cEP-c2" {
		t.Errorf("%d submissions, jobs %+v, ray.json %v: the accepted job must be recorded once", n, slow.Jobs(), rec.info.Jobs)
	}
}

// TestRayTokenAgainstCluster: Ray's token from the environment is sent;
// a missing or wrong one gets a hint naming where tokens come from.
func TestRayTokenAgainstCluster(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("RAY_AUTH_TOKEN_PATH", "")
	srv := raytest.StartWith(t, raytest.Options{Token: "cluster-token"})
	for token, want := range map[string]string{
		"":              "401 Unauthorized (an authenticated cluster? Ray's token authentication reads the token from $RAY_AUTH_TOKEN, $RAY_AUTH_TOKEN_PATH or ~/.ray/auth_token",
		"wrong":         "403 Forbidden (the cluster refused the token from $RAY_AUTH_TOKEN: is it this cluster's token?)",
		"cluster-token": "",
	} {
		t.Setenv("RAY_AUTH_TOKEN", token)
		r, _, _ := rayFixture(t, srv, nil)
		_, err := r.client.reachable(context.Background())
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("token %q: %v", token, err)
		}
		if err != nil && strings.Contains(err.Error(), "cluster-token") {
			t.Error("the token is in an error")
		}
	}
}

// TestRayTLSPrivateCA: a dashboard behind HTTPS with a private CA is
// refused with a hint, and works with verify set to the CA's file.
func TestRayTLSPrivateCA(t *testing.T) {
	srv := raytest.StartWith(t, raytest.Options{TLS: true, RayVersion: "2.9.3"})
	r, _, _ := rayFixture(t, srv, nil)
	if _, err := r.client.reachable(context.Background()); err == nil || !strings.Contains(err.Error(), "set the verify option to its certificate file") {
		t.Errorf("unknown CA: %v", err)
	}
	r, _, _ = rayFixture(t, srv, map[string]any{"verify": srv.CAFile()})
	if v, err := r.client.reachable(context.Background()); err != nil || v.text != "2.9.3" {
		t.Errorf("verify=CA file: %v %+v", err, v)
	}
	r, _, _ = rayFixture(t, srv, map[string]any{"verify": false})
	if _, err := r.client.reachable(context.Background()); err != nil {
		t.Errorf("verify=false: %v", err)
	}
}

// TestRayFollowEnds: a job the cluster forgets (404) ends the wait at
// once; a job whose stop Ray refuses because it is still PENDING
// (waiting for resources) is reported so, quickly.
func TestRayFollowEnds(t *testing.T) {
	srv := raytest.StartWith(t, raytest.Options{Nodes: []raytest.Node{{Name: "head", CPUs: 1}}})
	r, job, rec := rayFixture(t, srv, nil)
	r.binary = sleeper(t)
	ctx := context.Background()
	req, _ := r.request(job, component("c1"))
	id, _ := r.submit(ctx, job, component("c1"), req, rec)
	time.AfterFunc(200*time.Millisecond, func() { srv.Forget("machinable-hp2cEP-c1") })
	if _, _, err := r.follow(ctx, id, rec.onInterrupt); err == nil || !strings.Contains(err.Error(), "the cluster no longer knows the job") {
		t.Errorf("forgotten job: %v", err)
	}

	req, _ = r.request(job, &runtime.ScheduledComponent{ID: "c2", Name: "train", Resources: map[string]any{"num_gpus": int64(1)}})
	id, _ = r.submit(ctx, job, component("c2"), req, rec)
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	rj, interrupted, err := r.follow(cctx, id, rec.onInterrupt)
	if !interrupted || !errors.Is(err, errRayStillPending) || rj.Status != "PENDING" || time.Since(start) > 10*time.Second {
		t.Errorf("stopped PENDING job: %v %v %+v after %s", interrupted, err, rj, time.Since(start))
	}
	if j := srv.Jobs()[0]; !j.StopRefused || j.Status != "PENDING" {
		t.Errorf("the stand-in should have refused the stop: %+v", j)
	}
}

// TestRayFailureWithoutLogs: when the logs cannot be read, a failure
// says the logs' HTTP status (not Ray's traceback) and uses the tail of
// the logs that Ray's FAILED message carries.
func TestRayFailureWithoutLogs(t *testing.T) {
	srv := raytest.Start(t)
	r, job, rec := rayFixture(t, srv, nil)
	r.binary = script(t, "echo first; echo 'the real reason'; exit 3")
	req, _ := r.request(job, component("c1"))
	id, _ := r.submit(context.Background(), job, component("c1"), req, rec)
	rj, _, err := r.follow(context.Background(), id, rec.onInterrupt)
	if err != nil || rj.Status != "FAILED" {
		t.Fatalf("%v %+v", err, rj)
	}
	r.client.maxBody = 10 // a log too large to read
	if msg := r.failure(id, rj); !strings.HasPrefix(msg, "the real reason (Ray job machinable-hp2cEP-c1 ended FAILED without a final status: Job entrypoint command failed with exit code 3; logs: ") {
		t.Errorf("too large: %s", msg)
	}
	r.client.maxBody = 0
	srv.Forget(id)
	if msg := r.failure(id, rj); !strings.Contains(msg, "; logs: 404 Not Found)") || strings.Contains(msg, "does not exist") || !strings.HasPrefix(msg, "the real reason") {
		t.Errorf("logs gone: %s", msg)
	}
}

// BenchmarkRaySubmit: one submission as the engine makes it (a lookup of
// the ID, then the POST, then ray.json written atomically) against the
// stand-in over loopback HTTP.
func BenchmarkRaySubmit(b *testing.B) {
	srv := raytest.StartWith(b, raytest.Options{Nodes: []raytest.Node{{Name: "head"}}}) // nothing starts: only the API is timed
	e, err := newRay(Spec{Type: "ray", Options: map[string]any{"address": srv.URL(), "binary": "/bin/true"}})
	if err != nil {
		b.Fatal(err)
	}
	r := e.(*rayEngine)
	st, _ := storage.Open(b.TempDir())
	exp, _ := st.CreateExperiment("", "hp2cEP")
	job := &Job{Experiment: exp}
	rec := &rayRecord{exp: exp, info: RayInfo{Jobs: map[string]string{}}}
	sc := &runtime.ScheduledComponent{ID: "c", Name: "train", Resources: map[string]any{"num_gpus": int64(1)}}
	req, _ := r.request(job, sc)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sc.ID = "c" + strconv.Itoa(i)
		if _, err := r.submit(context.Background(), job, sc, req, rec); err != nil {
			b.Fatal(err)
		}
	}
}
