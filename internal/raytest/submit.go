package raytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/machinable-go/machinable/internal/syncbuf"
)

// fieldSince is the Ray release whose JobSubmitRequest (common.py) first
// has the field; sdk.py gates the same fields with these versions.
var fieldSince = map[string][2]int{
	"submission_id":        {2, 0},
	"entrypoint_num_cpus":  {2, 2},
	"entrypoint_num_gpus":  {2, 2},
	"entrypoint_resources": {2, 2},
	"entrypoint_memory":    {2, 8},
}

// knownFields are JobSubmitRequest's fields (common.py, newest).
var knownFields = map[string]bool{
	"entrypoint": true, "submission_id": true, "job_id": true, "runtime_env": true, "metadata": true,
	"entrypoint_num_cpus": true, "entrypoint_num_gpus": true, "entrypoint_memory": true,
	"entrypoint_resources": true, "entrypoint_label_selector": true,
}

// submitRequest is JobSubmitRequest as the engine may send it.
type submitRequest struct {
	Entrypoint          any                `json:"entrypoint"`
	SubmissionID        *string            `json:"submission_id"`
	JobID               *string            `json:"job_id"`
	RuntimeEnv          map[string]any     `json:"runtime_env"`
	Metadata            map[string]string  `json:"metadata"`
	EntrypointNumCPUs   *float64           `json:"entrypoint_num_cpus"`
	EntrypointNumGPUs   *float64           `json:"entrypoint_num_gpus"`
	EntrypointMemory    *int64             `json:"entrypoint_memory"`
	EntrypointResources map[string]float64 `json:"entrypoint_resources"`
}

// traceback is the shape of Ray's error bodies: Python's traceback text.
func traceback(last string) string {
	return "Traceback (most recent call last):\n  File \"/ray/dashboard/modules/job/utils.py\", line 1, in parse_and_validate_request\n" + last
}

// submit follows JobHead.submit_job (job_head.py): the request is parsed
// into JobSubmitRequest (utils.py parse_and_validate_request: an unknown
// or wrongly typed field is 400 with a TypeError), then forwarded to a
// job agent (job_agent.py), whose JobManager.submit_job (job_manager.py)
// records the job and starts its supervisor.
func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.submits++
	s.mu.Unlock()
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		http.Error(w, traceback("json.decoder.JSONDecodeError: "+err.Error()), http.StatusBadRequest)
		return
	}
	for k := range raw {
		since, known := fieldSince[k]
		if !knownFields[k] || (known && !versionAtLeast(s.opts.RayVersion, since)) {
			http.Error(w, traceback(fmt.Sprintf("TypeError: JobSubmitRequest.__init__() got an unexpected keyword argument '%s'", k)), http.StatusBadRequest)
			return
		}
	}
	var req submitRequest
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &req); err != nil {
		http.Error(w, traceback("TypeError: "+err.Error()), http.StatusBadRequest)
		return
	}
	// common.py JobSubmitRequest.__post_init__ checks only types.
	entrypoint, ok := req.Entrypoint.(string)
	if !ok {
		http.Error(w, traceback(fmt.Sprintf("TypeError: entrypoint must be a string, got %T", req.Entrypoint)), http.StatusBadRequest)
		return
	}
	// job_head.py: without an agent within WAIT_AVAILABLE_AGENT_TIMEOUT
	// (10 s, dashboard/consts.py) the head answers 500.
	s.mu.Lock()
	if s.noAgent > 0 {
		s.noAgent--
		s.mu.Unlock()
		http.Error(w, "No available agent to submit job, please try again later.", http.StatusInternalServerError)
		return
	}
	s.mu.Unlock()
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
		id = fmt.Sprintf("raysubmit_%d", len(s.order)+1) // job_manager.py generate_job_id
	}
	if _, ok := s.jobs[id]; ok {
		s.mu.Unlock()
		// JobManager.submit_job raises ValueError; JobAgent.submit_job
		// answers 400; the head's JobAgentSubmissionClient._raise_error
		// turns that into RuntimeError, which JobHead.submit_job answers
		// 500 (job_head.py, every head since Ray 2.1, PR #29008).
		inner := traceback(fmt.Sprintf("ValueError: Job with submission_id %s already exists. Please use a different submission_id.", id))
		http.Error(w, "Traceback (most recent call last):\n  File \"/ray/dashboard/modules/job/job_head.py\", line 1, in submit_job\n"+
			"RuntimeError: Request failed with status code 400: "+inner+".", http.StatusInternalServerError)
		return
	}
	now := time.Now()
	j := &job{Job: Job{SubmissionID: id, Entrypoint: entrypoint, Status: "PENDING", Message: "Job has not started yet.",
		RuntimeEnv: req.RuntimeEnv, Metadata: req.Metadata, NumCPUs: req.EntrypointNumCPUs, NumGPUs: req.EntrypointNumGPUs,
		Memory: req.EntrypointMemory, Resources: req.EntrypointResources, Header: r.Header.Clone()},
		logs: &syncbuf.Buffer{}, done: make(chan struct{}), submitted: now, reserved: -1}
	s.jobs[id] = j
	s.order = append(s.order, id)
	// What JobManager.submit_job checks inside its try (resources through
	// ray_option_utils._validate_resources, the runtime_env) fails the job
	// after the 200: "Failed to start supervisor actor".
	if err := lateCheck(req); err != "" {
		j.Status, j.end = "FAILED", now
		j.Message = fmt.Sprintf("Failed to start supervisor actor %s: '%s'. Full traceback:\n%s", id, err, traceback(err))
		close(j.done)
	}
	s.mu.Unlock()
	s.poke()
	if s.opts.SubmitDelay > 0 {
		time.Sleep(s.opts.SubmitDelay)
	}
	writeJSON(w, map[string]string{"job_id": id, "submission_id": id})
}

// lateCheck is what Ray rejects only once the job is recorded.
func lateCheck(req submitRequest) string {
	for k := range req.EntrypointResources {
		if k == "CPU" || k == "GPU" {
			// ray_option_utils._validate_resources
			return "ValueError: Use the 'num_cpus' and 'num_gpus' keyword instead of 'CPU' and 'GPU' in 'resources' keyword"
		}
	}
	if ev, ok := req.RuntimeEnv["env_vars"]; ok {
		m, ok := ev.(map[string]any)
		if !ok {
			return "TypeError: runtime_env['env_vars'] must be of type Dict[str, str]"
		}
		for name, v := range m {
			if _, ok := v.(string); !ok {
				return fmt.Sprintf("TypeError: runtime_env['env_vars'] must be of type Dict[str, str], got %s: %v", name, v)
			}
		}
	}
	// A working_dir reaching the server must be a URI of a .zip package
	// (runtime_env/working_dir.py; the Python client uploads local
	// directories itself and sends gcs://_ray_pkg_….zip).
	for _, k := range []string{"working_dir", "py_modules"} {
		v, ok := req.RuntimeEnv[k]
		if !ok {
			continue
		}
		uris := []any{v}
		if l, ok := v.([]any); ok {
			uris = l
		}
		for _, u := range uris {
			str, _ := u.(string)
			if !strings.Contains(str, "://") {
				return fmt.Sprintf("ValueError: %s %q is not a valid URI: local paths are uploaded by the client (ray job submit), not by the job server", k, str)
			}
			if !strings.HasSuffix(str, ".zip") && !strings.HasSuffix(str, ".whl") {
				return fmt.Sprintf("ValueError: %s URI %q: Only .zip files supported for remote URIs.", k, str)
			}
		}
	}
	return ""
}

// versionAtLeast compares a Ray version ("2.9.3", "3.0.0.dev0") with
// major.minor; an unparsable one counts as new.
func versionAtLeast(v string, want [2]int) bool {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return true
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return true
	}
	return major > want[0] || (major == want[0] && minor >= want[1])
}
