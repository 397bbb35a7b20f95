package engines

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// errRayStillPending: after a stop request the job is still PENDING. Ray
// cannot stop a job whose supervisor has not started (JobManager.stop_job
// answers {"stopped": false}, job_manager.py): it may start later.
var errRayStillPending = errors.New("still PENDING after the stop request: Ray cannot stop a job before it starts")

// rayStopWait is how long a stopped job may take to end: Ray sends
// SIGTERM, then SIGKILL after RAY_JOB_STOP_WAIT_TIME_S (3 s by default,
// job_supervisor.py); the rest is for polling and a slow cluster.
const rayStopWait = 20 * time.Second

// rayPendingStopWait is how long a job whose stop was refused is watched
// for starting (then it is stopped) before it is left PENDING.
const rayPendingStopWait = 3 * time.Second

// follow polls a job until it is terminal. When ctx ends, it stops the job
// (on_interrupt cancel) and waits a while for it to end, or (detach)
// returns at once; interrupted says ctx ended.
func (r *rayEngine) follow(ctx context.Context, id string, onInterrupt func() string) (rayJob, bool, error) {
	var (
		rj          rayJob
		failSince   time.Time
		lastErr     error
		interrupted bool
		refused     bool // the stop request answered {"stopped": false}
		deadline    time.Time
	)
	for {
		if ctx.Err() != nil && !interrupted {
			interrupted = true
			if onInterrupt() == InterruptDetach {
				return rj, true, nil
			}
			stopped, err := r.stop(id)
			if err != nil {
				return rj, true, err
			}
			refused = !stopped
			deadline = time.Now().Add(rayStopWait)
			if refused {
				deadline = time.Now().Add(rayPendingStopWait)
			}
		}
		err := r.client.do(context.WithoutCancel(ctx), http.MethodGet, "/api/jobs/"+url.PathEscape(id), nil, &rj)
		switch {
		case err == nil:
			failSince, lastErr = time.Time{}, nil
			if rayTerminal[rj.Status] {
				return rj, interrupted, nil
			}
			if refused && rj.Status == "RUNNING" {
				// It started after all: now it can be stopped.
				if stopped, err := r.stop(id); err == nil && stopped {
					refused, deadline = false, time.Now().Add(rayStopWait)
				}
			}
		case httpCode(err) == http.StatusNotFound:
			return rj, interrupted, fmt.Errorf("the cluster no longer knows the job (deleted with `ray job delete`, or its head node restarted without GCS fault tolerance)")
		case failSince.IsZero():
			failSince, lastErr = time.Now(), err
		default:
			lastErr = err
			if time.Since(failSince) > time.Minute {
				return rj, interrupted, fmt.Errorf("lost contact with the Ray job server for a minute: %w", lastErr)
			}
		}
		if interrupted && time.Now().After(deadline) {
			if rj.Status == "PENDING" {
				return rj, true, errRayStillPending
			}
			return rj, true, fmt.Errorf("still %s %s after the stop request", rj.Status, rayStopWait)
		}
		select {
		case <-ctx.Done():
			if !interrupted {
				continue // stop it at once
			}
			time.Sleep(r.opts.poll)
		case <-time.After(r.opts.poll):
		}
	}
}

// stop asks the cluster to stop a job; it must work after Ctrl-C.
// stopped is Ray's answer: false for a job that has not started (or has
// ended).
func (r *rayEngine) stop(id string) (stopped bool, err error) {
	var resp struct {
		Stopped bool `json:"stopped"`
	}
	err = r.client.do(context.Background(), http.MethodPost, "/api/jobs/"+url.PathEscape(id)+"/stop", nil, &resp)
	return resp.Stopped, err
}

func (r *rayEngine) stopAll(ids []string) {
	for _, id := range ids {
		_, _ = r.stop(id)
	}
}

// failure describes a job that ended without a final component status:
// the last log line first (consoles show only the first line), then the
// Ray status and message, then the tail of the logs. When the logs cannot
// be read (the driver's node is gone, or they are too large), the tail of
// the logs that Ray puts into a FAILED job's message stands in.
func (r *rayEngine) failure(id string, rj rayJob) string {
	msg := fmt.Sprintf("Ray job %s ended %s without a final status", id, rj.Status)
	first, tailInMessage, _ := strings.Cut(strings.TrimSpace(rj.Message), "\n")
	if first != "" {
		first, _, _ = strings.Cut(first, ", last available logs") // the logs follow anyway
		msg += ": " + strings.TrimSpace(first)
	}
	var logs struct {
		Logs string `json:"logs"`
	}
	err := r.client.do(context.Background(), http.MethodGet, "/api/jobs/"+url.PathEscape(id)+"/logs", nil, &logs)
	var he *rayHTTPError
	switch {
	case errors.As(err, &he):
		msg += "; logs: " + he.status // Ray's body is a traceback of its own trouble
		logs.Logs = tailInMessage
	case err != nil:
		msg += "; logs: " + err.Error()
		logs.Logs = tailInMessage
	}
	tail := lastLines(logs.Logs, 20)
	if tail == "" {
		return msg
	}
	lines := strings.Split(tail, "\n")
	return strings.TrimSpace(lines[len(lines)-1]) + " (" + msg + ")\n" + tail
}

// lastLines returns the last n non-empty-trailing lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n \t\r"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
