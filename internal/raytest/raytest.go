// Package raytest serves, for tests, the job endpoints of Ray's Job
// Submission REST API over real HTTP on 127.0.0.1.
//
// This is NOT Ray. There is no cluster, no scheduling by resources, no
// runtime_env packaging. It implements the documented endpoints that the
// ray engine uses (POST /api/jobs/, GET /api/jobs/{id}, GET
// /api/jobs/{id}/logs, POST /api/jobs/{id}/stop, GET /api/jobs/, GET
// /api/version) and really runs each job's entrypoint as a subprocess
// (`sh -c ENTRYPOINT`) on this machine, with runtime_env.env_vars in its
// environment and runtime_env.working_dir as its directory when that is a
// local path. Jobs go PENDING → RUNNING → SUCCEEDED, FAILED (exit code not
// 0) or STOPPED (a stop request sends SIGTERM to the job's process group,
// SIGKILL 5 s later). The logs are the combined stdout and stderr.
//
// Requests are validated strictly, as a strict server would: unknown
// top-level fields of a submission, a missing entrypoint, wrongly typed
// values or a submission_id in use are answered 400, so a client bug
// shows instead of being ignored.
package raytest

import (
	"encoding/json"
	"fmt"
	"github.com/machinable-go/machinable/internal/syncbuf"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Job is what the server knows of one job, as Jobs returns it.
type Job struct {
	SubmissionID string
	Entrypoint   string
	Status       string // PENDING, RUNNING, SUCCEEDED, FAILED, STOPPED
	Message      string
	RuntimeEnv   map[string]any
	Metadata     map[string]string
	NumCPUs      *float64
	NumGPUs      *float64
	Memory       *int64
	Resources    map[string]float64
	Logs         string
	ExitCode     *int
	// StopRequested is set once a stop request came for the job.
	StopRequested bool
	// Header holds the request headers of the submission.
	Header http.Header
}

// Server is a running test server.
type Server struct {
	srv *httptest.Server

	mu      sync.Mutex
	jobs    map[string]*job
	order   []string
	require map[string]string // header -> value every request needs
	stops   int
	wg      sync.WaitGroup
	closed  bool
}

type job struct {
	Job
	cmd       *exec.Cmd
	logs      *syncbuf.Buffer
	start     time.Time
	end       time.Time
	done      chan struct{}
	submitted time.Time
}

// Start serves a new server on 127.0.0.1:0; it stops at cleanup, killing
// the jobs still running.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{jobs: map[string]*job{}, require: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/version", s.version)
	mux.HandleFunc("POST /api/jobs/{$}", s.submit)
	mux.HandleFunc("POST /api/jobs", s.submit)
	mux.HandleFunc("GET /api/jobs/{$}", s.list)
	mux.HandleFunc("GET /api/jobs/{id}", s.get)
	mux.HandleFunc("GET /api/jobs/{id}/logs", s.logs)
	mux.HandleFunc("POST /api/jobs/{id}/stop", s.stop)
	s.srv = httptest.NewServer(s.auth(mux))
	t.Cleanup(s.Close)
	return s
}

// URL is the server's address, what the engine's address option takes.
func (s *Server) URL() string { return s.srv.URL }

// RequireHeader makes every request without that header value fail with
// 401, as a cluster behind an authenticating proxy would.
func (s *Server) RequireHeader(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.require[name] = value
}

// Stops counts the stop requests received.
func (s *Server) Stops() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stops
}

// Jobs returns a snapshot of the jobs in the order they were submitted.
func (s *Server) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, 0, len(s.order))
	for _, id := range s.order {
		j := s.jobs[id]
		c := j.Job
		c.Logs = j.logs.String()
		out = append(out, c)
	}
	return out
}

// Close kills the jobs still running and stops serving.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for _, j := range s.jobs {
		if j.cmd != nil && j.cmd.Process != nil && j.Status == "RUNNING" {
			_ = syscall.Kill(-j.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.srv.Close()
}

func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		var missing string
		for k, v := range s.require {
			if r.Header.Get(k) != v {
				missing = k
			}
		}
		s.mu.Unlock()
		if missing != "" {
			http.Error(w, "401: missing or wrong "+missing+" header", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]string{"version": "0", "ray_version": "raytest (not Ray)", "ray_commit": ""})
}

// submitRequest is JobSubmitRequest with every documented field.
type submitRequest struct {
	Entrypoint              string             `json:"entrypoint"`
	SubmissionID            *string            `json:"submission_id"`
	JobID                   *string            `json:"job_id"`
	RuntimeEnv              map[string]any     `json:"runtime_env"`
	Metadata                map[string]string  `json:"metadata"`
	EntrypointNumCPUs       *float64           `json:"entrypoint_num_cpus"`
	EntrypointNumGPUs       *float64           `json:"entrypoint_num_gpus"`
	EntrypointMemory        *int64             `json:"entrypoint_memory"`
	EntrypointResources     map[string]float64 `json:"entrypoint_resources"`
	EntrypointLabelSelector map[string]string  `json:"entrypoint_label_selector"`
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	var req submitRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "TypeError: invalid job submission: "+err.Error(), http.StatusBadRequest)
		return
	}
	if strings.TrimSpace(req.Entrypoint) == "" {
		http.Error(w, "ValueError: entrypoint is required", http.StatusBadRequest)
		return
	}
	for k := range req.EntrypointResources {
		if k == "CPU" || k == "GPU" {
			http.Error(w, "ValueError: use entrypoint_num_cpus / entrypoint_num_gpus, not entrypoint_resources "+k, http.StatusBadRequest)
			return
		}
	}
	env := map[string]string{}
	dir := ""
	for k, v := range req.RuntimeEnv {
		switch k {
		case "env_vars":
			m, ok := v.(map[string]any)
			if !ok {
				http.Error(w, "TypeError: runtime_env.env_vars must be a dict of strings", http.StatusBadRequest)
				return
			}
			for name, val := range m {
				str, ok := val.(string)
				if !ok {
					http.Error(w, fmt.Sprintf("TypeError: runtime_env.env_vars[%q] must be a string, got %T", name, val), http.StatusBadRequest)
					return
				}
				env[name] = str
			}
		case "working_dir":
			d, _ := v.(string)
			if fi, err := os.Stat(d); d == "" || strings.Contains(d, "://") || err != nil || !fi.IsDir() {
				http.Error(w, fmt.Sprintf("ValueError: raytest only runs in a local working_dir, got %v", v), http.StatusBadRequest)
				return
			}
			dir = d
		}
	}
	id := ""
	switch {
	case req.SubmissionID != nil:
		id = *req.SubmissionID
	case req.JobID != nil:
		id = *req.JobID
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "server closing", http.StatusServiceUnavailable)
		return
	}
	if id == "" {
		id = fmt.Sprintf("raysubmit_%d", len(s.order)+1)
	}
	if _, ok := s.jobs[id]; ok {
		s.mu.Unlock()
		http.Error(w, fmt.Sprintf("Traceback (most recent call last):\nValueError: Job with submission_id %s already exists. Please use a different submission_id.", id), http.StatusBadRequest)
		return
	}
	j := &job{Job: Job{SubmissionID: id, Entrypoint: req.Entrypoint, Status: "PENDING", Message: "Job has not started yet.",
		RuntimeEnv: req.RuntimeEnv, Metadata: req.Metadata, NumCPUs: req.EntrypointNumCPUs, NumGPUs: req.EntrypointNumGPUs,
		Memory: req.EntrypointMemory, Resources: req.EntrypointResources, Header: r.Header.Clone()},
		logs: &syncbuf.Buffer{}, done: make(chan struct{}), submitted: time.Now()}
	s.jobs[id] = j
	s.order = append(s.order, id)
	s.wg.Add(1)
	s.mu.Unlock()
	go s.run(j, env, dir)
	writeJSON(w, map[string]string{"job_id": id, "submission_id": id})
}

// run starts the entrypoint and records how it ends.
func (s *Server) run(j *job, env map[string]string, dir string) {
	defer s.wg.Done()
	defer close(j.done)
	cmd := exec.Command("sh", "-c", j.Entrypoint)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = j.logs, j.logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s.mu.Lock()
	if j.StopRequested || s.closed {
		j.Status, j.Message, j.end = "STOPPED", "Job was intentionally stopped.", time.Now()
		s.mu.Unlock()
		return
	}
	err := cmd.Start()
	if err != nil {
		j.Status, j.Message, j.end = "FAILED", "Job failed to start: "+err.Error(), time.Now()
		s.mu.Unlock()
		return
	}
	j.cmd, j.Status, j.Message, j.start = cmd, "RUNNING", "Job is currently running.", time.Now()
	s.mu.Unlock()
	err = cmd.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	j.end = time.Now()
	code := cmd.ProcessState.ExitCode()
	j.ExitCode = &code
	switch {
	case j.StopRequested:
		j.Status, j.Message = "STOPPED", "Job was intentionally stopped."
	case err == nil:
		j.Status, j.Message = "SUCCEEDED", "Job finished successfully."
	default:
		tail := j.logs.String()
		if len(tail) > 20000 {
			tail = tail[len(tail)-20000:]
		}
		j.Status = "FAILED"
		j.Message = fmt.Sprintf("Job entrypoint command failed with exit code %d, last available logs (truncated to 20,000 chars):\n%s", code, tail)
	}
}

// details is JobDetails as the dashboard answers it.
func (j *job) details() map[string]any {
	ms := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UnixMilli()
	}
	d := map[string]any{
		"type": "SUBMISSION", "job_id": nil, "submission_id": j.SubmissionID, "driver_info": nil,
		"status": j.Status, "entrypoint": j.Entrypoint, "message": j.Message, "error_type": nil,
		"start_time": ms(j.start), "end_time": ms(j.end), "metadata": j.Metadata, "runtime_env": j.RuntimeEnv,
		"driver_agent_http_address": nil, "driver_node_id": nil, "driver_exit_code": j.ExitCode,
		"entrypoint_num_cpus": j.NumCPUs, "entrypoint_num_gpus": j.NumGPUs, "entrypoint_memory": j.Memory,
		"entrypoint_resources": j.Resources,
	}
	if j.start.IsZero() && !j.end.IsZero() {
		d["start_time"] = j.submitted.UnixMilli()
	}
	return d
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) *job {
	j := s.jobs[r.PathValue("id")]
	if j == nil {
		http.Error(w, fmt.Sprintf("Job %s does not exist", r.PathValue("id")), http.StatusNotFound)
	}
	return j
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.lookup(w, r); j != nil {
		writeJSON(w, j.details())
	}
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := append([]string(nil), s.order...)
	sort.Strings(ids)
	out := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.jobs[id].details())
	}
	writeJSON(w, out)
}

func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	j := s.lookup(w, r)
	s.mu.Unlock()
	if j != nil {
		writeJSON(w, map[string]string{"logs": j.logs.String()})
	}
}

func (s *Server) stop(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookup(w, r)
	if j == nil {
		return
	}
	s.stops++
	if j.Status != "PENDING" && j.Status != "RUNNING" {
		writeJSON(w, map[string]bool{"stopped": false})
		return
	}
	j.StopRequested = true
	if j.Status == "RUNNING" {
		pid := j.cmd.Process.Pid
		_ = syscall.Kill(-pid, syscall.SIGTERM)
		go func() {
			select {
			case <-j.done:
			case <-time.After(5 * time.Second):
				_ = syscall.Kill(-pid, syscall.SIGKILL)
			}
		}()
	}
	writeJSON(w, map[string]bool{"stopped": true})
}
