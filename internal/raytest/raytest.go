// Package raytest serves, for tests, the job endpoints of Ray's Job
// Submission REST API over real HTTP (or HTTPS) on 127.0.0.1, answering
// as a real Ray head node does.
//
// This is NOT Ray: Ray cannot be installed where this project is built.
// It follows Ray's own dashboard code (python/ray/dashboard/modules/job/
// in ray-project/ray: job_head.py, job_agent.py, job_manager.py,
// job_supervisor.py, common.py, utils.py, pydantic_models.py; and
// python/ray/_private/authentication/http_token_authentication.py), and
// each behaviour below names the file it follows:
//
//   - a taken submission_id is answered 500 with the head's nested
//     traceback, not 400 (the head forwards to an agent);
//   - fields newer than the configured ray_version are answered 400 with
//     Python's "unexpected keyword argument" (submission_id needs 2.0,
//     entrypoint_num_* and entrypoint_resources 2.2, entrypoint_memory 2.8);
//   - what Ray checks late (resource names, runtime_env contents) is
//     accepted with 200 and the job then FAILS;
//   - jobs are placed on simulated nodes: without entrypoint resources on
//     the head node; with them on a node that has them free, else they
//     stay PENDING, and FAIL after the start timeout (15 minutes);
//   - a stop request for a PENDING job answers {"stopped": false} and the
//     job stays PENDING; a RUNNING job gets SIGTERM, SIGKILL 3 s later;
//   - a job's environment is the node's (Options.NodeEnv), never the
//     test's, plus runtime_env.env_vars and what Ray adds;
//   - token authentication answers 401/403 as Ray's middleware does.
//
// Entrypoints really run (`sh -c ENTRYPOINT`) as processes on this
// machine; the logs are their combined stdout and stderr.
package raytest

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options make the server behave like a particular cluster.
type Options struct {
	// RayVersion is what GET /api/version answers as ray_version, and
	// decides which request fields the server knows. Default "2.52.0".
	RayVersion string
	// Nodes are the cluster's nodes; the first is the head node. Default:
	// a head node with 4 CPUs and no GPU.
	Nodes []Node
	// StartTimeout is RAY_JOB_START_TIMEOUT_SECONDS: a job still PENDING
	// that long after submission FAILS. Default 15 minutes, as in Ray.
	StartTimeout time.Duration
	// StopWait is RAY_JOB_STOP_WAIT_TIME_S: SIGKILL follows SIGTERM after
	// it. Default 3 s, as in Ray.
	StopWait time.Duration
	// NodeEnv is the environment of the cluster's processes, beyond PATH
	// (this machine's) and HOME (a directory of the node's own).
	NodeEnv map[string]string
	// Token turns on token authentication (RAY_AUTH_MODE=token).
	Token string
	// NoAgentFor answers the first N submissions "No available agent",
	// as a head node does right after `ray start`.
	NoAgentFor int
	// SubmitDelay delays the answer to a submission after the job is
	// accepted, as a slow or overloaded head node does.
	SubmitDelay time.Duration
	// TLS serves HTTPS with a certificate of a private CA (CAFile).
	TLS bool
	// LogMaxBytes caps the logs endpoint's answer as the newest Ray does
	// (RAY_JOB_LOG_MAX_READ_BYTES, 16 MiB, job_log_storage_client.py); 0
	// returns the whole log, as older releases do.
	LogMaxBytes int
}

// Node is a simulated cluster node: what its entrypoints may reserve.
type Node struct {
	Name      string
	CPUs      float64
	GPUs      float64
	Memory    int64
	Resources map[string]float64
}

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
	// Node is the node the entrypoint ran on ("" while PENDING).
	Node string
	// Env is the entrypoint's environment ("" entries absent).
	Env map[string]string
	// StopRequested is set once a stop request stopped the job.
	StopRequested bool
	// StopRefused is set when a stop request came while the job was
	// PENDING: Ray cannot stop it then, and it may start later.
	StopRefused bool
	// Header holds the request headers of the submission.
	Header http.Header
}

// Server is a running test server.
type Server struct {
	srv    *httptest.Server
	opts   Options
	caFile string
	home   string

	mu        sync.Mutex
	jobs      map[string]*job
	forgotten []*job
	order     []string
	require   map[string]string // header -> value every request needs
	free      []Node            // what each node has not reserved
	stops     int
	submits   int // POST /api/jobs/ received
	noAgent   int // submissions still to answer "No available agent"
	wg        sync.WaitGroup
	closed    bool
	wake      chan struct{} // the scheduler looks at PENDING jobs again
	schedDone chan struct{}
}

// Start serves a new server with the default options on 127.0.0.1:0; it
// stops at cleanup, killing the jobs still running.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith serves a new server that behaves as opts say.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.RayVersion == "" {
		opts.RayVersion = "2.52.0"
	}
	if len(opts.Nodes) == 0 {
		opts.Nodes = []Node{{Name: "head", CPUs: 4}}
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 15 * time.Minute // DEFAULT_JOB_START_TIMEOUT_SECONDS, dashboard/consts.py
	}
	if opts.StopWait == 0 {
		opts.StopWait = 3 * time.Second // DEFAULT_RAY_JOB_STOP_WAIT_TIME_S, job_supervisor.py
	}
	s := &Server{opts: opts, jobs: map[string]*job{}, require: map[string]string{}, noAgent: opts.NoAgentFor,
		home: t.TempDir(), wake: make(chan struct{}, 1), schedDone: make(chan struct{})}
	for _, n := range opts.Nodes {
		s.free = append(s.free, n.clone())
	}
	mux := http.NewServeMux()
	// job_head.py registers these routes; POST needs the trailing slash.
	mux.HandleFunc("GET /api/version", s.version)
	mux.HandleFunc("POST /api/jobs/{$}", s.submit)
	mux.HandleFunc("/api/jobs", func(w http.ResponseWriter, r *http.Request) { // aiohttp does not redirect
		http.Error(w, "404: Not Found", http.StatusNotFound)
	})
	mux.HandleFunc("GET /api/jobs/{$}", s.list)
	mux.HandleFunc("GET /api/jobs/{id}", s.get)
	mux.HandleFunc("GET /api/jobs/{id}/logs", s.logs)
	mux.HandleFunc("POST /api/jobs/{id}/stop", s.stop)
	if opts.TLS {
		s.srv = httptest.NewUnstartedServer(s.auth(mux))
		s.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what TLS tests test
		s.srv.StartTLS()
		s.caFile = filepath.Join(t.TempDir(), "ray-ca.pem")
		cert := s.srv.Certificate()
		if err := os.WriteFile(s.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
			t.Fatal(err)
		}
	} else {
		s.srv = httptest.NewServer(s.auth(mux))
	}
	go s.schedule()
	t.Cleanup(s.Close)
	return s
}

// URL is the server's address, what the engine's address option takes.
func (s *Server) URL() string { return s.srv.URL }

// CAFile is the PEM file of the certificate a TLS server is served with.
func (s *Server) CAFile() string { return s.caFile }

// CertPool holds that certificate.
func (s *Server) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.srv.Certificate())
	return p
}

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

// Submits counts the submissions received (POST /api/jobs/), answered
// or not.
func (s *Server) Submits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.submits
}

// Jobs returns a snapshot of the jobs in the order they were submitted.
func (s *Server) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, 0, len(s.order))
	for _, id := range s.order {
		j := s.jobs[id]
		if j == nil {
			continue // forgotten
		}
		c := j.Job
		c.Logs = j.logs.String()
		out = append(out, c)
	}
	return out
}

// Forget drops a job, as `ray job delete` or a head node restarted
// without GCS fault tolerance does: it is then unknown (404).
func (s *Server) Forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.jobs[id]; j != nil {
		s.forgotten = append(s.forgotten, j) // still killed at Close
	}
	delete(s.jobs, id)
}

// Close kills the jobs still running and stops serving.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for _, j := range append(s.forgotten, s.all()...) {
		if j.cmd != nil && j.cmd.Process != nil && j.Status == "RUNNING" {
			_ = syscall.Kill(-j.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
	s.mu.Unlock()
	s.poke()
	<-s.schedDone
	s.wg.Wait()
	s.srv.Close()
}

func (s *Server) all() []*job {
	out := make([]*job, 0, len(s.jobs))
	for _, j := range s.jobs {
		out = append(out, j)
	}
	return out
}

// auth checks the token as Ray's token_auth_middleware does
// (python/ray/_private/authentication/http_token_authentication.py):
// every route, 401 without an Authorization header, 403 with a wrong one.
// Headers set with RequireHeader stand for a proxy in front.
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
		if s.opts.Token != "" {
			h := r.Header.Get("Authorization")
			if h == "" {
				h = r.Header.Get("X-Ray-Authorization") // for proxies that eat Authorization
			}
			switch {
			case h == "":
				http.Error(w, "Unauthorized: Missing authentication token", http.StatusUnauthorized)
				return
			case strings.TrimPrefix(h, "Bearer ") != s.opts.Token || !strings.HasPrefix(h, "Bearer "):
				http.Error(w, "Forbidden: Invalid authentication token", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// version answers as modules/version.py does; "version" is the job API's
// own version.
func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]string{"version": "4", "ray_version": s.opts.RayVersion, "ray_commit": "raytest"})
}
