package raytest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
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

// TestRayServerLifecycle: jobs run with their env_vars and working_dir,
// end SUCCEEDED or FAILED by exit code, and answer the documented JSON.
func TestRayServerLifecycle(t *testing.T) {
	s := Start(t)
	dir := t.TempDir()
	code, body := post(t, s.URL()+"/api/jobs/", `{"entrypoint": "echo $GREETING; pwd; echo oops >&2", "submission_id": "a",
		"runtime_env": {"env_vars": {"GREETING": "hello"}, "working_dir": "`+dir+`"}, "metadata": {"k": "v"}, "entrypoint_num_cpus": 1}`)
	if code != 200 || !strings.Contains(body, `"submission_id":"a"`) {
		t.Fatalf("%d %s", code, body)
	}
	j := waitStatus(t, s, "a", "SUCCEEDED")
	if j.Logs != "hello\n"+dir+"\noops\n" || *j.NumCPUs != 1 || j.Metadata["k"] != "v" {
		t.Errorf("job %+v", j)
	}
	resp, err := http.Get(s.URL() + "/api/jobs/a")
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	json.NewDecoder(resp.Body).Decode(&d)
	resp.Body.Close()
	if d["status"] != "SUCCEEDED" || d["start_time"] == nil || d["end_time"] == nil {
		t.Errorf("details %v", d)
	}
	post(t, s.URL()+"/api/jobs/", `{"entrypoint": "exit 3", "submission_id": "b"}`)
	if j := waitStatus(t, s, "b", "FAILED"); !strings.Contains(j.Message, "exit code 3") {
		t.Errorf("failed job %+v", j)
	}
}

// TestRayServerStrict: unknown fields, duplicates and bad types are 400.
func TestRayServerStrict(t *testing.T) {
	s := Start(t)
	for body, want := range map[string]string{
		`{"entrypoint": "true", "submision_id": "x"}`:                      "unknown field",
		`{"submission_id": "x"}`:                                           "entrypoint is required",
		`{"entrypoint": "true", "runtime_env": {"env_vars": {"A": 1}}}`:    "must be a string",
		`{"entrypoint": "true", "entrypoint_resources": {"GPU": 1}}`:       "entrypoint_num_gpus",
		`{"entrypoint": "true", "runtime_env": {"working_dir": "s3://b"}}`: "local working_dir",
	} {
		if code, got := post(t, s.URL()+"/api/jobs/", body); code != 400 || !strings.Contains(got, want) {
			t.Errorf("%s: %d %s", body, code, got)
		}
	}
	post(t, s.URL()+"/api/jobs/", `{"entrypoint": "true", "submission_id": "dup"}`)
	if code, got := post(t, s.URL()+"/api/jobs/", `{"entrypoint": "true", "submission_id": "dup"}`); code != 400 || !strings.Contains(got, "already exists") {
		t.Errorf("duplicate: %d %s", code, got)
	}
}

// TestRayServerStop: stop sends SIGTERM to the process group; the job
// ends STOPPED.
func TestRayServerStop(t *testing.T) {
	s := Start(t)
	post(t, s.URL()+"/api/jobs/", `{"entrypoint": "trap 'echo got TERM; exit 143' TERM; sleep 30 & wait", "submission_id": "long"}`)
	waitStatus(t, s, "long", "RUNNING")
	time.Sleep(100 * time.Millisecond) // let the trap be set
	if code, body := post(t, s.URL()+"/api/jobs/long/stop", ""); code != 200 || !strings.Contains(body, `"stopped":true`) {
		t.Fatalf("%d %s", code, body)
	}
	j := waitStatus(t, s, "long", "STOPPED")
	if !strings.Contains(j.Logs, "got TERM") || !j.StopRequested {
		t.Errorf("job %+v", j)
	}
	if code, _ := post(t, s.URL()+"/api/jobs/nope/stop", ""); code != 404 {
		t.Errorf("stop of an unknown job: %d", code)
	}
}
