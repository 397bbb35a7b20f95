package engines

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/machinable-go/machinable/runtime"
)

// rayNoAgentRetries and rayNoAgentPause bound how long a submission waits
// for a head node that has no job agent yet (right after `ray start`): it
// answers 500 "No available agent to submit job" after waiting 10 s itself
// (job_head.py, WAIT_AVAILABLE_AGENT_TIMEOUT in dashboard/consts.py).
var (
	rayNoAgentRetries = 6
	rayNoAgentPause   = 2 * time.Second
)

// rayTaken says whether an error answers a submission whose ID is taken.
// A head node forwards the agent's 400 as a 500 whose body holds the
// agent's traceback (job_head.py, JobAgentSubmissionClient._raise_error);
// a Ray 2.0 head answered 400 itself.
func rayTaken(err error) bool {
	s := err.Error()
	return strings.Contains(s, "already exists") || strings.Contains(s, "Please use a different submission_id")
}

// submit posts a job under machinable-<EXPERIMENT>-<COMPONENT>, adding
// -2, -3, ... when the cluster knows that ID already (a resume). An ID is
// looked up (GET) before it is used, so a taken one is never posted; a
// submission whose answer is lost (timeout, broken connection) is looked
// up again before anything else, since the cluster may have accepted it.
func (r *rayEngine) submit(ctx context.Context, job *Job, sc *runtime.ScheduledComponent, req rayRequest, rec *rayRecord) (string, error) {
	base := "machinable-" + job.Experiment.ID
	ids := []string{}
	if sc != nil {
		base += "-" + sc.ID
		ids = append(ids, sc.ID)
	} else {
		for _, c := range job.Todo() {
			ids = append(ids, c.ID)
		}
	}
	// Not cut short by Ctrl-C: a job the server accepted must be known
	// here, so it can be stopped.
	sctx := context.WithoutCancel(ctx)
	for attempt := 1; attempt <= 100; attempt++ {
		id := base
		if attempt > 1 {
			id = fmt.Sprintf("%s-%d", base, attempt)
		}
		known, err := r.client.known(sctx, id)
		if err != nil {
			return "", err
		}
		if known {
			continue
		}
		req.SubmissionID = id
		req.RuntimeEnv = r.runtimeEnv(id)
		got, err := r.post(ctx, sctx, id, req)
		if err != nil && rayTaken(err) {
			continue // taken between the lookup and the submission
		}
		if err != nil {
			return "", err
		}
		if got != "" {
			id = got
		}
		if err := rec.add(ids, id); err != nil {
			return id, err
		}
		if job.Console != nil {
			what := "component " + strings.Join(ids, ", ")
			if sc == nil {
				what = fmt.Sprintf("%d component(s)", len(ids))
			}
			fmt.Fprintf(job.Console, "ray: submitted %s (%s)\n", id, what)
		}
		return id, nil
	}
	return "", fmt.Errorf("engine ray: %s: submission IDs %s to %s-100 all exist on %s", base, base, base, redactedAddress(r.opts.address))
}

// post submits one job, retrying while the head has no agent, and
// returns the submission ID the cluster gave it.
func (r *rayEngine) post(ctx, sctx context.Context, id string, req rayRequest) (string, error) {
	for try := 0; ; try++ {
		var resp struct {
			JobID        string `json:"job_id"`
			SubmissionID string `json:"submission_id"`
		}
		err := r.client.do(sctx, http.MethodPost, "/api/jobs/", req, &resp)
		switch {
		case err == nil:
			return resp.SubmissionID, nil
		case httpCode(err) == http.StatusInternalServerError && strings.Contains(err.Error(), "No available agent") && try < rayNoAgentRetries:
			select {
			case <-ctx.Done():
				return "", err
			case <-time.After(rayNoAgentPause):
			}
			continue
		case httpCode(err) == 0:
			// No answer: the job may have been accepted all the same.
			if known, kerr := r.client.known(sctx, id); kerr == nil && known {
				return id, nil
			} else if kerr == nil && try < 2 {
				continue
			}
		}
		return "", err
	}
}

// known says whether the cluster has a job with this submission ID.
func (c *rayClient) known(ctx context.Context, id string) (bool, error) {
	var rj rayJob
	err := c.do(ctx, http.MethodGet, "/api/jobs/"+url.PathEscape(id), nil, &rj)
	switch {
	case err == nil:
		return true, nil
	case httpCode(err) == http.StatusNotFound:
		return false, nil
	}
	return false, err
}
