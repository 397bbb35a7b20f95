package engines

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// runWhole submits one job, `machinable resume EXPERIMENT_URL --engine
// native`, for all components, and follows their statuses.
func (r *rayEngine) runWhole(ctx context.Context, job *Job, todo []*runtime.ScheduledComponent, reqs []rayRequest, rec *rayRecord) ([]runtime.Outcome, error) {
	exp := job.Experiment
	req := rayRequest{
		Entrypoint: shellQuote(r.binary) + " resume " + shellQuote(exp.URL()) + " --engine native",
		Metadata:   map[string]string{"machinable_experiment": exp.ID, "machinable_storage": exp.URL()},
	}
	if job.FailFast {
		req.Entrypoint += " --fail-fast"
	}
	// The components run one after the other: reserve the largest need.
	for _, q := range reqs {
		req.EntrypointNumCPUs = maxPtr(req.EntrypointNumCPUs, q.EntrypointNumCPUs)
		req.EntrypointNumGPUs = maxPtr(req.EntrypointNumGPUs, q.EntrypointNumGPUs)
		req.EntrypointMemory = maxPtr(req.EntrypointMemory, q.EntrypointMemory)
		for k, v := range q.EntrypointResources {
			if req.EntrypointResources == nil {
				req.EntrypointResources = map[string]float64{}
			}
			req.EntrypointResources[k] = max(req.EntrypointResources[k], v)
		}
	}
	id, err := r.submit(ctx, job, nil, req, rec)
	if err != nil {
		return nil, err
	}
	if !r.opts.wait {
		r.followHint(job)
		return nil, nil
	}
	left := map[string]*runtime.ScheduledComponent{}
	for _, sc := range todo {
		left[sc.ID] = sc
	}
	started := map[string]bool{}
	var outcomes []runtime.Outcome
	check := func() {
		for _, sc := range todo {
			if left[sc.ID] == nil {
				continue
			}
			st, err := exp.ComponentStatus(sc.ID)
			if err != nil {
				continue
			}
			if o, ok := finalOutcome(sc, st); ok {
				delete(left, sc.ID)
				outcomes = append(outcomes, o)
				if job.Done != nil {
					job.Done(o)
				}
			} else if st.Status == storage.StatusRunning {
				if !started[sc.ID] && job.Started != nil {
					job.Started(sc)
				}
				started[sc.ID] = true
			}
		}
	}
	interrupted := false
	var deadline time.Time
	for {
		if ctx.Err() != nil && !interrupted {
			interrupted = true
			if rec.onInterrupt() == InterruptDetach {
				if job.Console != nil {
					fmt.Fprintf(job.Console, "ray: detached; job %s keeps running: machinable status %s --storage %s\n", id, exp.ID, exp.Storage().URL)
				}
				return outcomes, &DetachedError{Running: len(left)}
			}
			stopped, err := r.stop(id)
			if err != nil {
				return outcomes, err
			}
			if !stopped {
				var rj rayJob
				if err := r.client.do(context.WithoutCancel(ctx), http.MethodGet, "/api/jobs/"+url.PathEscape(id), nil, &rj); err == nil && rj.Status == "PENDING" {
					rec.stillPending(id)
					if job.Console != nil {
						rec.pendingNotice(job.Console)
					}
					return outcomes, ctx.Err()
				}
			}
			if job.Console != nil {
				fmt.Fprintf(job.Console, "ray: stopped job %s\n", id)
			}
			deadline = time.Now().Add(rayStopWait)
		}
		var rj rayJob
		err := r.client.do(context.WithoutCancel(ctx), http.MethodGet, "/api/jobs/"+url.PathEscape(id), nil, &rj)
		check()
		gone := httpCode(err) == http.StatusNotFound
		if (err == nil && rayTerminal[rj.Status]) || gone {
			if len(left) > 0 && !interrupted {
				msg := r.failure(id, rj)
				if gone {
					msg = fmt.Sprintf("Ray job %s: the cluster no longer knows the job (deleted with `ray job delete`, or its head node restarted without GCS fault tolerance)", id)
				}
				for _, sc := range todo {
					if left[sc.ID] == nil {
						continue
					}
					o := runtime.Outcome{Component: sc, Status: storage.StatusFailed, Error: msg}
					outcomes = append(outcomes, o)
					if job.Done != nil {
						job.Done(o)
					}
				}
			}
			break
		}
		if len(left) == 0 && err == nil && interrupted {
			break
		}
		if interrupted && time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			if interrupted {
				time.Sleep(r.opts.poll)
			}
		case <-time.After(r.opts.poll):
		}
	}
	if interrupted {
		return outcomes, ctx.Err()
	}
	return outcomes, nil
}

func maxPtr[T int64 | float64](a, b *T) *T {
	if b == nil {
		return a
	}
	if a == nil || *b > *a {
		v := *b
		return &v
	}
	return a
}
