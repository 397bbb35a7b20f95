package raytest

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func do(t *testing.T, c *http.Client, method, url, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	return do(t, nil, http.MethodPost, url, body)
}

func waitStatus(t *testing.T, s *Server, id string, want ...string) Job {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, j := range s.Jobs() {
			for _, w := range want {
				if j.SubmissionID == id && j.Status == w {
					return j
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("job %s never reached %v: %+v", id, want, s.Jobs())
	return Job{}
}

func details(t *testing.T, s *Server, id string) map[string]any {
	t.Helper()
	code, body := do(t, nil, http.MethodGet, s.URL()+"/api/jobs/"+id, "")
	if code != 200 {
		t.Fatalf("GET %s: %d %s", id, code, body)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestRayServerLifecycle: a job runs in the node's environment (not the
// test's) plus its env_vars and what Ray adds, its log starts with Ray's
// header line, and it ends SUCCEEDED or FAILED by exit code with Ray's
// message (the last 10 lines).
func TestRayServerLifecycle(t *testing.T) {
	t.Setenv("SUBMITTER_SECRET", "laptop-only")
	s := StartWith(t, Options{NodeEnv: map[string]string{"NODE_VAR": "on-node"}})
	code, body := post(t, s.URL()+"/api/jobs/", `{"entrypoint": "echo $GREETING $NODE_VAR [$SUBMITTER_SECRET] $RAY_ADDRESS; echo oops >&2", "submission_id": "a",
		"runtime_env": {"env_vars": {"GREETING": "hello"}}, "metadata": {"k": "v"}}`)
	if code != 200 || !strings.Contains(body, `"submission_id":"a"`) {
		t.Fatalf("%d %s", code, body)
	}
	j := waitStatus(t, s, "a", "SUCCEEDED")
	if j.Logs != "Running entrypoint for job a: "+j.Entrypoint+"\nhello on-node [] 127.0.0.1:6379\noops\n" || j.Metadata["k"] != "v" || j.Node != "head" {
		t.Errorf("job %+v", j)
	}
	if _, ok := j.Env["CUDA_VISIBLE_DEVICES"]; ok {
		t.Error("a job without resources must see the node's GPUs (no CUDA_VISIBLE_DEVICES)")
	}
	d := details(t, s, "a")
	if d["status"] != "SUCCEEDED" || d["start_time"] == nil || d["end_time"] == nil || d["driver_exit_code"] != 0.0 {
		t.Errorf("details %v", d)
	}
	if _, ok := d["entrypoint_num_cpus"]; ok {
		t.Errorf("JobDetails has no entrypoint fields: %v", d)
	}
	post(t, s.URL()+"/api/jobs/", `{"entrypoint": "for i in $(seq 1 30); do echo line$i; done; exit 3", "submission_id": "b"}`)
	j = waitStatus(t, s, "b", "FAILED")
	if !strings.HasPrefix(j.Message, "Job entrypoint command failed with exit code 3, last available logs") ||
		!strings.HasSuffix(j.Message, "\nline21\nline22\nline23\nline24\nline25\nline26\nline27\nline28\nline29\nline30") || strings.Contains(j.Message, "line20") {
		t.Errorf("failed job message %q", j.Message)
	}
}

// TestRayServerAnswersAsRay: the HTTP answers Ray gives: 400 for unknown
// fields and for fields newer than the cluster, 500 with the nested
// traceback for a taken submission_id, 200 then FAILED for what Ray
// checks late, 404 for unknown jobs, no route without the trailing slash.
func TestRayServerAnswersAsRay(t *testing.T) {
	s := Start(t)
	for body, want := range map[string]string{
		`{"entrypoint": "true", "submision_id": "x"}`: "TypeError: JobSubmitRequest.__init__() got an unexpected keyword argument 'submision_id'",
		`{"entrypoint": 3}`:                           "TypeError: entrypoint must be a string",
	} {
		if code, got := post(t, s.URL()+"/api/jobs/", body); code != 400 || !strings.Contains(got, want) {
			t.Errorf("%s: %d %s", body, code, got)
		}
	}
	post(t, s.URL()+"/api/jobs/", `{"entrypoint": "true", "submission_id": "dup"}`)
	code, got := post(t, s.URL()+"/api/jobs/", `{"entrypoint": "true", "submission_id": "dup"}`)
	if code != 500 || !strings.Contains(got, "RuntimeError: Request failed with status code 400: Traceback") ||
		!strings.Contains(got, "ValueError: Job with submission_id dup already exists. Please use a different submission_id.") {
		t.Errorf("duplicate: %d %s", code, got)
	}
	for id, body := range map[string]string{
		"cpu-key":   `{"entrypoint": "true", "submission_id": "cpu-key", "entrypoint_resources": {"CPU": 1}}`,
		"local-dir": `{"entrypoint": "true", "submission_id": "local-dir", "runtime_env": {"working_dir": "/home/me/project"}}`,
		"not-zip":   `{"entrypoint": "true", "submission_id": "not-zip", "runtime_env": {"working_dir": "s3://bucket/project"}}`,
		"env-int":   `{"entrypoint": "true", "submission_id": "env-int", "runtime_env": {"env_vars": {"A": 1}}}`,
	} {
		if code, got := post(t, s.URL()+"/api/jobs/", body); code != 200 {
			t.Errorf("%s: Ray accepts it first: %d %s", id, code, got)
		}
		if j := waitStatus(t, s, id, "FAILED"); !strings.HasPrefix(j.Message, "Failed to start supervisor actor "+id) {
			t.Errorf("%s: %q", id, j.Message)
		}
	}
	if code, _ := post(t, s.URL()+"/api/jobs/", `{"entrypoint": "", "submission_id": "empty"}`); code != 200 {
		t.Errorf("Ray only checks the entrypoint is a string: %d", code)
	}
	if code, _ := post(t, s.URL()+"/api/jobs", `{"entrypoint": "true"}`); code == 200 {
		t.Error("POST /api/jobs without the slash is not a Ray route")
	}
	for _, p := range []string{"/api/jobs/nope", "/api/jobs/nope/logs"} {
		if code, got := do(t, nil, http.MethodGet, s.URL()+p, ""); code != 404 || got != "Job nope does not exist\n" {
			t.Errorf("%s: %d %q", p, code, got)
		}
	}
}

// TestRayServerVersions: a cluster answers 400 to the fields its Ray
// release does not have.
func TestRayServerVersions(t *testing.T) {
	for version, cases := range map[string]map[string]int{
		"1.13.0": {`"submission_id": "a"`: 400},
		"2.1.0":  {`"submission_id": "a"`: 200, `"entrypoint_num_cpus": 1`: 400, `"entrypoint_resources": {"TPU": 1}`: 400},
		"2.7.1":  {`"entrypoint_num_gpus": 0`: 200, `"entrypoint_memory": 1024`: 400},
		"2.8.0":  {`"entrypoint_memory": 1024`: 200},
	} {
		s := StartWith(t, Options{RayVersion: version})
		if _, body := do(t, nil, http.MethodGet, s.URL()+"/api/version", ""); !strings.Contains(body, `"ray_version":"`+version+`"`) {
			t.Errorf("%s: /api/version %s", version, body)
		}
		for field, want := range cases {
			if code, body := post(t, s.URL()+"/api/jobs/", `{"entrypoint": "true", `+field+`}`); code != want {
				t.Errorf("Ray %s, %s: %d %s", version, field, code, body)
			}
		}
	}
}

// TestRayServerPlacement: without resources on the head node; with them
// on a node that has them free, else PENDING until one has; a stop
// request for a PENDING job is refused and the job later starts; a job
// no node can take fails after the start timeout.
func TestRayServerPlacement(t *testing.T) {
	s := StartWith(t, Options{Nodes: []Node{{Name: "head", CPUs: 1}, {Name: "gpu-node", CPUs: 8, GPUs: 2, Resources: map[string]float64{"TPU": 1}}},
		StartTimeout: 2 * time.Second})
	post(t, s.URL()+"/api/jobs/", `{"entrypoint": "echo $CUDA_VISIBLE_DEVICES; sleep 0.6", "submission_id": "g1", "entrypoint_num_gpus": 2}`)
	post(t, s.URL()+"/api/jobs/", `{"entrypoint": "echo [$CUDA_VISIBLE_DEVICES]", "submission_id": "g2", "entrypoint_num_gpus": 1}`)
	post(t, s.URL()+"/api/jobs/", `{"entrypoint": "echo [$CUDA_VISIBLE_DEVICES]", "submission_id": "c", "entrypoint_num_cpus": 2}`)
	post(t, s.URL()+"/api/jobs/", `{"entrypoint": "true", "submission_id": "never", "entrypoint_resources": {"TPU": 4}}`)
	if j := waitStatus(t, s, "g1", "RUNNING"); j.Node != "gpu-node" || j.Env["CUDA_VISIBLE_DEVICES"] != "0,1" {
		t.Errorf("g1 %+v", j)
	}
	if code, body := post(t, s.URL()+"/api/jobs/g2/stop", ""); code != 200 || !strings.Contains(body, `"stopped":false`) {
		t.Errorf("stop of a PENDING job: %d %s", code, body)
	}
	if d := details(t, s, "g2"); d["status"] != "PENDING" || d["start_time"] == nil {
		t.Errorf("g2 after the stop request %v", d)
	}
	if j := waitStatus(t, s, "g2", "SUCCEEDED"); j.Node != "gpu-node" || !j.StopRefused || !strings.Contains(j.Logs, "[0]") {
		t.Errorf("g2 starts once g1 freed the GPUs, whatever the stop request: %+v", j)
	}
	if j := waitStatus(t, s, "c", "SUCCEEDED"); j.Node != "gpu-node" || !strings.Contains(j.Logs, "[]") {
		t.Errorf("c: a job scheduled by resources without GPUs sees none: %+v", j)
	}
	j := waitStatus(t, s, "never", "FAILED")
	if !strings.HasPrefix(j.Message, "Job supervisor actor failed to start within 2.0 seconds.") || !strings.Contains(j.Message, "aren't available on the cluster") {
		t.Errorf("never: %q", j.Message)
	}
}

// TestRayServerStop: stop sends SIGTERM to the job's session; the job
// ends STOPPED without an exit code; one that ignores SIGTERM is killed
// after the stop wait.
func TestRayServerStop(t *testing.T) {
	s := StartWith(t, Options{StopWait: 300 * time.Millisecond})
	post(t, s.URL()+"/api/jobs/", `{"entrypoint": "trap 'echo got TERM; exit 143' TERM; sleep 30 & wait", "submission_id": "long"}`)
	post(t, s.URL()+"/api/jobs/", `{"entrypoint": "trap '' TERM; echo ready; sleep 30", "submission_id": "stubborn"}`)
	waitStatus(t, s, "long", "RUNNING")
	for !strings.Contains(s.jobLogs("stubborn"), "ready") {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let the trap be set
	for _, id := range []string{"long", "stubborn"} {
		if code, body := post(t, s.URL()+"/api/jobs/"+id+"/stop", ""); code != 200 || !strings.Contains(body, `"stopped":true`) {
			t.Fatalf("%s: %d %s", id, code, body)
		}
	}
	j := waitStatus(t, s, "long", "STOPPED")
	if !strings.Contains(j.Logs, "got TERM") || !j.StopRequested || j.ExitCode != nil {
		t.Errorf("job %+v", j)
	}
	waitStatus(t, s, "stubborn", "STOPPED")
	if code, body := post(t, s.URL()+"/api/jobs/long/stop", ""); code != 200 || !strings.Contains(body, `"stopped":false`) {
		t.Errorf("stop of an ended job: %d %s", code, body)
	}
	if code, _ := post(t, s.URL()+"/api/jobs/nope/stop", ""); code != 404 {
		t.Errorf("stop of an unknown job: %d", code)
	}
}

func (s *Server) jobLogs(id string) string {
	for _, j := range s.Jobs() {
		if j.SubmissionID == id {
			return j.Logs
		}
	}
	return ""
}

// TestRayServerTokenAuth: 401 without a token, 403 with a wrong one, on
// every route, as Ray's middleware answers.
func TestRayServerTokenAuth(t *testing.T) {
	s := StartWith(t, Options{Token: "s3cret"})
	for _, c := range []struct {
		header []string
		code   int
		body   string
	}{
		{nil, 401, "Unauthorized: Missing authentication token"},
		{[]string{"Authorization", "Bearer nope"}, 403, "Forbidden: Invalid authentication token"},
		{[]string{"Authorization", "s3cret"}, 403, "Forbidden"},
		{[]string{"Authorization", "Bearer s3cret"}, 200, "ray_version"},
		{[]string{"X-Ray-Authorization", "Bearer s3cret"}, 200, "ray_version"},
	} {
		if code, body := do(t, nil, http.MethodGet, s.URL()+"/api/version", "", c.header...); code != c.code || !strings.Contains(body, c.body) {
			t.Errorf("%v: %d %s", c.header, code, body)
		}
	}
}

// TestRayServerNoAgentTLSAndLogs: "No available agent" for the first
// submissions, HTTPS with a private CA, the logs' tail with a cap.
func TestRayServerNoAgentTLSAndLogs(t *testing.T) {
	s := StartWith(t, Options{NoAgentFor: 1, TLS: true, LogMaxBytes: 100})
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CertPool()}}}
	if !strings.HasPrefix(s.URL(), "https://") || s.CAFile() == "" {
		t.Fatalf("%s %q", s.URL(), s.CAFile())
	}
	body := `{"entrypoint": "seq 1 1000", "submission_id": "x"}`
	if code, got := do(t, client, http.MethodPost, s.URL()+"/api/jobs/", body); code != 500 || !strings.Contains(got, "No available agent") {
		t.Errorf("first submission: %d %s", code, got)
	}
	if code, got := do(t, client, http.MethodPost, s.URL()+"/api/jobs/", body); code != 200 {
		t.Errorf("second submission: %d %s", code, got)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && s.Jobs()[0].Status != "SUCCEEDED"; {
		time.Sleep(20 * time.Millisecond)
	}
	_, got := do(t, client, http.MethodGet, s.URL()+"/api/jobs/x/logs", "")
	var logs struct{ Logs string }
	json.Unmarshal([]byte(got), &logs)
	if !strings.HasPrefix(logs.Logs, "[LOG TRUNCATED") || !strings.HasSuffix(logs.Logs, "\n999\n1000\n") {
		t.Errorf("logs %q", logs.Logs)
	}
	if s.Submits() != 2 {
		t.Errorf("%d submissions counted", s.Submits())
	}
}
