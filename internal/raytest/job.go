package raytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/machinable-go/machinable/internal/syncbuf"
)

type job struct {
	Job
	ErrorType string
	cmd       *exec.Cmd
	logs      *syncbuf.Buffer
	end       time.Time
	done      chan struct{}
	submitted time.Time
	placed    bool   // its entrypoint is starting or started
	reserved  int    // the node whose resources it holds, -1 for none
	gpus      string // CUDA_VISIBLE_DEVICES when scheduled by resources
}

// env is the entrypoint's environment as JobSupervisor.run builds it
// (job_supervisor.py): the supervisor's own, i.e. the node's, plus
// runtime_env.env_vars, plus what Ray sets. Nothing comes from whoever
// submitted the job.
func (s *Server) env(j *job) []string {
	env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": s.home}
	for k, v := range s.opts.NodeEnv {
		env[k] = v
	}
	if m, ok := j.RuntimeEnv["env_vars"].(map[string]any); ok {
		for k, v := range m {
			env[k], _ = v.(string)
		}
	}
	env["RAY_ADDRESS"] = "127.0.0.1:6379" // the GCS address, not the dashboard's
	cfg, _ := json.Marshal(map[string]any{"metadata": j.Metadata})
	env["RAY_JOB_CONFIG_JSON_ENV_VAR"] = string(cfg)
	env["PYTHONUNBUFFERED"] = "1"
	if j.resourcesSpecified() {
		env["CUDA_VISIBLE_DEVICES"] = j.gpus
	}
	out := make([]string, 0, len(env))
	j.Env = map[string]string{}
	for k, v := range env {
		out = append(out, k+"="+v)
		j.Env[k] = v
	}
	sort.Strings(out)
	return out
}

// run executes the entrypoint with `sh -c` in a new session, as
// JobSupervisor._exec_entrypoint does (Popen(shell=True,
// start_new_session=True)), and records how it ends.
func (s *Server) run(j *job) {
	defer s.wg.Done()
	defer close(j.done)
	defer s.poke() // its resources are free again
	s.mu.Lock()
	if s.closed {
		j.Status, j.Message, j.end = "STOPPED", "Job was intentionally stopped.", time.Now()
		s.release(j)
		s.mu.Unlock()
		return
	}
	cmd := exec.Command("sh", "-c", j.Entrypoint)
	cmd.Dir = s.home
	cmd.Env = s.env(j)
	fmt.Fprintf(j.logs, "Running entrypoint for job %s: %s\n", j.SubmissionID, j.Entrypoint)
	cmd.Stdout, cmd.Stderr = j.logs, j.logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		j.Status, j.Message, j.end = "FAILED", "Job failed to start: "+err.Error(), time.Now()
		s.release(j)
		s.mu.Unlock()
		return
	}
	j.cmd, j.Status, j.Message = cmd, "RUNNING", "Job is currently running."
	s.mu.Unlock()
	err := cmd.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	j.end = time.Now()
	s.release(j)
	code := cmd.ProcessState.ExitCode()
	switch {
	case j.StopRequested:
		// put_status(STOPPED) carries no driver_exit_code.
		j.Status, j.Message = "STOPPED", "Job was intentionally stopped."
	case err == nil:
		j.Status, j.Message, j.ExitCode = "SUCCEEDED", "Job finished successfully.", &code
	default:
		// job_supervisor.py: the last NUM_LOG_LINES_ON_ERROR (10) lines,
		// at most MAX_LOG_SIZE (20,000) characters.
		lines := strings.Split(strings.TrimRight(j.logs.String(), "\n"), "\n")
		if len(lines) > 10 {
			lines = lines[len(lines)-10:]
		}
		tail := strings.Join(lines, "\n")
		if len(tail) > 20000 {
			tail = tail[len(tail)-20000:]
		}
		j.Status, j.ExitCode = "FAILED", &code
		j.ErrorType = "JOB_ENTRYPOINT_COMMAND_ERROR"
		j.Message = fmt.Sprintf("Job entrypoint command failed with exit code %d, last available logs (truncated to 20,000 chars):\n%s", code, tail)
	}
}

// release frees the resources j holds on its node.
func (s *Server) release(j *job) {
	if j.reserved >= 0 {
		s.free[j.reserved].take(&j.Job, -1)
		j.reserved = -1
	}
}

// details is JobDetails (pydantic_models.py) as GET /api/jobs/{id}
// answers it: no entrypoint_* fields; start_time is set at submission
// (JobManager.submit_job), not when the job starts.
func (j *job) details() map[string]any {
	var end any
	if !j.end.IsZero() {
		end = j.end.UnixMilli()
	}
	var errorType any
	if j.ErrorType != "" {
		errorType = j.ErrorType
	}
	return map[string]any{
		"type": "SUBMISSION", "job_id": nil, "submission_id": j.SubmissionID, "driver_info": nil,
		"status": j.Status, "entrypoint": j.Entrypoint, "message": j.Message, "error_type": errorType,
		"start_time": j.submitted.UnixMilli(), "end_time": end, "metadata": j.Metadata, "runtime_env": j.RuntimeEnv,
		"driver_agent_http_address": nil, "driver_node_id": nil, "driver_exit_code": j.ExitCode,
	}
}

// lookup answers 404 "Job X does not exist" for an unknown job, as
// job_head.py's get_job_info, stop_job and get_job_logs do.
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
	out := make([]map[string]any, 0, len(s.order))
	for _, id := range s.order {
		if j := s.jobs[id]; j != nil {
			out = append(out, j.details())
		}
	}
	writeJSON(w, out)
}

// logs answers {"logs": …}; with LogMaxBytes the tail only, as the
// newest job_log_storage_client.py does (RAY_JOB_LOG_MAX_READ_BYTES).
func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	j := s.lookup(w, r)
	s.mu.Unlock()
	if j == nil {
		return
	}
	text := j.logs.String()
	if max := s.opts.LogMaxBytes; max > 0 && len(text) > max {
		text = fmt.Sprintf("[LOG TRUNCATED: showing the last %d of %d bytes]\n", max, len(text)) + text[len(text)-max:]
	}
	writeJSON(w, map[string]string{"logs": text})
}

// stop follows JobManager.stop_job (job_manager.py): only a job whose
// supervisor actor runs can be stopped; one still waiting for resources
// answers {"stopped": false} and stays PENDING (it may start later). A
// running entrypoint gets SIGTERM (RAY_JOB_STOP_SIGNAL), SIGKILL after
// StopWait (job_supervisor.py).
func (s *Server) stop(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookup(w, r)
	if j == nil {
		return
	}
	s.stops++
	if j.Status != "RUNNING" {
		j.StopRefused = j.StopRefused || j.Status == "PENDING"
		writeJSON(w, map[string]bool{"stopped": false})
		return
	}
	j.StopRequested = true
	pid := j.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	go func() {
		select {
		case <-j.done:
		case <-time.After(s.opts.StopWait):
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		}
	}()
	writeJSON(w, map[string]bool{"stopped": true})
}
