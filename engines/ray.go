package engines

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// rayEngine submits components as jobs to a Ray cluster through the Job
// Submission REST API of its dashboard (what `ray job submit` uses). Each
// job's entrypoint is `machinable worker EXPERIMENT_URL --component ID`
// (per_component, the default) or one `machinable resume EXPERIMENT_URL
// --engine native` for the whole execution; the outcome is read from the
// component's status.json, as with the process engine, so the storage must
// be one the cluster's nodes can reach (shared file system or s3://).
type rayEngine struct {
	opts   rayOptions
	binary string
	client *rayClient
}

type rayOptions struct {
	address      string
	perComponent bool
	wait         bool
	runtimeEnv   map[string]any
	poll         time.Duration
	parallelism  int
	onInterrupt  string // InterruptAsk, InterruptCancel (POST stop) or InterruptDetach
}

// rayTerminal are the job states a job never leaves.
var rayTerminal = map[string]bool{"SUCCEEDED": true, "FAILED": true, "STOPPED": true}

func newRay(spec Spec) (Engine, error) {
	if err := checkOptions(spec, "address", "binary", "headers", "on_interrupt", "parallelism",
		"per_component", "poll", "runtime_env", "verify", "wait"); err != nil {
		return nil, err
	}
	o := rayOptions{perComponent: true, wait: true, poll: time.Second}
	var err error
	if o.address, err = rayAddressFrom(spec); err != nil {
		return nil, err
	}
	bad := func(key, want string, v any) error {
		return fmt.Errorf("engine ray: option %q: expected %s, got %v", key, want, v)
	}
	for key, dst := range map[string]*bool{"per_component": &o.perComponent, "wait": &o.wait} {
		if v, ok := spec.Options[key]; ok {
			b, ok := v.(bool)
			if !ok {
				return nil, bad(key, "true or false", v)
			}
			*dst = b
		}
	}
	if o.onInterrupt, err = onInterruptOption(spec); err != nil {
		return nil, err
	}
	if v, ok := spec.Options["poll"]; ok {
		d, err := time.ParseDuration(fmt.Sprint(v))
		if err != nil || d <= 0 {
			return nil, bad("poll", "a duration such as \"1s\"", v)
		}
		o.poll = d
	}
	if o.parallelism, err = optionInt(spec, "parallelism", 16); err != nil {
		return nil, err
	}
	if o.parallelism < 1 {
		return nil, bad("parallelism", "a positive number of jobs in flight", o.parallelism)
	}
	if v, ok := spec.Options["runtime_env"]; ok {
		if o.runtimeEnv, err = rayRuntimeEnv(v); err != nil {
			return nil, err
		}
	}
	headers, authFrom, err := rayHeaders(spec)
	if err != nil {
		return nil, err
	}
	hc, err := rayTransport(spec)
	if err != nil {
		return nil, err
	}
	bin, err := workerBinary(spec)
	if err != nil {
		return nil, err
	}
	return &rayEngine{opts: o, binary: bin, client: &rayClient{
		base: o.address, headers: headers, authFrom: authFrom, http: hc, timeout: 30 * time.Second,
	}}, nil
}

func (r *rayEngine) Name() string { return "ray" }

// RunsWorkers implements WorkerRunner: per component, each job is a
// worker; otherwise one job runs the whole execution, which judges its
// trials itself.
func (r *rayEngine) RunsWorkers() bool { return r.opts.perComponent }

// Detached: without wait, the jobs go on in the cluster.
func (r *rayEngine) Detached() bool { return !r.opts.wait }

// RayInfo is ray.json in the experiment directory: where the jobs went.
// It never holds the headers.
type RayInfo struct {
	Address      string            `json:"address"`       // the dashboard, credentials removed
	Binary       string            `json:"binary"`        // machinable as the cluster runs it
	PerComponent bool              `json:"per_component"` // one job per component, else one for all
	SubmittedAt  time.Time         `json:"submitted_at"`  // when the jobs were submitted (UTC)
	Jobs         map[string]string `json:"jobs"`          // component ID -> submission ID (its latest)
}

// rayRequest is the body of POST /api/jobs/.
type rayRequest struct {
	Entrypoint          string             `json:"entrypoint"`
	SubmissionID        string             `json:"submission_id,omitempty"`
	RuntimeEnv          map[string]any     `json:"runtime_env,omitempty"`
	Metadata            map[string]string  `json:"metadata,omitempty"`
	EntrypointNumCPUs   *float64           `json:"entrypoint_num_cpus,omitempty"`
	EntrypointNumGPUs   *float64           `json:"entrypoint_num_gpus,omitempty"`
	EntrypointMemory    *int64             `json:"entrypoint_memory,omitempty"`
	EntrypointResources map[string]float64 `json:"entrypoint_resources,omitempty"`
}

// rayJob is the part of JobDetails the engine reads.
type rayJob struct {
	SubmissionID string `json:"submission_id"`
	Status       string `json:"status"`
	Message      string `json:"message"`
}

// Run submits the jobs. Preflight, which the executor calls first, has
// checked the dashboard answers and that its Ray takes every request.
func (r *rayEngine) Run(ctx context.Context, job *Job) (outcomes []runtime.Outcome, err error) {
	exp := job.Experiment
	if err := sharedStorage("ray", "the jobs run in other processes (on other nodes) and", exp.Storage()); err != nil {
		return nil, err
	}
	todo := job.Todo()
	if len(todo) == 0 {
		return nil, nil
	}
	reqs := make([]rayRequest, len(todo))
	for i, sc := range todo {
		var err error
		if reqs[i], err = r.request(job, sc); err != nil {
			return nil, err
		}
	}
	info := RayInfo{Address: redactedAddress(r.opts.address), Binary: r.binary, PerComponent: r.opts.perComponent,
		SubmittedAt: time.Now().UTC(), Jobs: map[string]string{}}
	var old RayInfo
	if exp.ReadJSON("ray.json", &old) == nil {
		for k, v := range old.Jobs {
			info.Jobs[k] = v
		}
	}
	rec := &rayRecord{exp: exp, info: info, onInterrupt: interruptDecision(job, r.opts.onInterrupt, fmt.Sprintf(
		"The Ray jobs of experiment %s are still running. Stop them, or detach and leave them running?", exp.ID))}
	if !r.opts.perComponent {
		return r.runWhole(ctx, job, todo, reqs, rec)
	}
	if !r.opts.wait {
		for i, sc := range todo {
			if _, err := r.submit(ctx, job, sc, reqs[i], rec); err != nil {
				r.stopAll(rec.submitted())
				return nil, err
			}
		}
		r.followHint(job)
		return nil, nil
	}
	index := map[*runtime.ScheduledComponent]int{}
	for i, sc := range todo {
		index[sc] = i
	}
	// Components whose job was left running (detach) or never started
	// before Ctrl-C are not reported: they did not run here.
	var skipMu sync.Mutex
	skip := map[string]bool{}
	inner := *job
	inner.Done = func(o runtime.Outcome) {
		skipMu.Lock()
		s := skip[o.Component.ID]
		skipMu.Unlock()
		if !s && job.Done != nil {
			job.Done(o)
		}
	}
	outcomes, err = runPool(ctx, &inner, r.opts.parallelism, func(ctx context.Context, sc *runtime.ScheduledComponent, prefix string) runtime.Outcome {
		o, report := r.runOne(ctx, job, sc, reqs[index[sc]], rec)
		if !report {
			skipMu.Lock()
			skip[sc.ID] = true
			skipMu.Unlock()
		}
		return o
	})
	var out []runtime.Outcome
	for _, o := range outcomes {
		if !skip[o.Component.ID] {
			out = append(out, o)
		}
	}
	if ctx.Err() != nil {
		detach := rec.onInterrupt() == InterruptDetach
		if job.Console != nil {
			if detach {
				fmt.Fprintf(job.Console, "ray: detached; the submitted jobs keep running: machinable status %s --storage %s\n", exp.ID, exp.Storage().URL)
			} else {
				fmt.Fprintf(job.Console, "ray: stopped the jobs still running (POST .../stop)\n")
			}
			rec.pendingNotice(job.Console)
		}
		if detach && (err == nil || errors.Is(err, context.Canceled)) {
			err = &DetachedError{Running: int(rec.leftRunning.Load())}
		}
	}
	return out, err
}

// request builds the submission of one component (or, per_component
// false, of the whole execution when sc is nil).
func (r *rayEngine) request(job *Job, sc *runtime.ScheduledComponent) (rayRequest, error) {
	exp := job.Experiment
	req := rayRequest{
		Entrypoint: shellQuote(r.binary) + " worker " + shellQuote(exp.URL()) + " --component " + shellQuote(sc.ID),
		Metadata: map[string]string{"machinable_experiment": exp.ID, "machinable_component": sc.ID,
			"machinable_name": sc.Name, "machinable_storage": exp.URL()},
	}
	return req, applyComponentResources(&req, sc)
}

// applyComponentResources maps sc's resources onto req, naming sc in an
// error.
func applyComponentResources(req *rayRequest, sc *runtime.ScheduledComponent) error {
	if err := applyRayResources(req, sc.Resources); err != nil {
		return fmt.Errorf("engine ray: component %s (%s): %w", sc.ID, sc.Name, err)
	}
	return nil
}

// rayRecord keeps ray.json up to date as jobs are submitted.
type rayRecord struct {
	mu   sync.Mutex
	exp  *storage.Experiment
	info RayInfo
	ids  []string
	// onInterrupt decides, once for the run, whether to stop the jobs
	// after Ctrl-C or to detach.
	onInterrupt func() string
	// leftRunning counts the jobs left running by a detach.
	leftRunning atomic.Int32
	// pending are the jobs still PENDING after a stop request.
	pending []string
}

func (rr *rayRecord) stillPending(id string) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	rr.pending = append(rr.pending, id)
}

// pendingNotice says which jobs Ray could not stop because they had not
// started: they may still run later, or fail at the cluster's start
// timeout.
func (rr *rayRecord) pendingNotice(w io.Writer) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if len(rr.pending) == 0 {
		return
	}
	sort.Strings(rr.pending)
	fmt.Fprintf(w, "ray: %d job(s) were still waiting for resources, and Ray cannot stop a job before it starts: they may still run later (or fail after the cluster's start timeout, 15 minutes by default). Stop them once they run with `ray job stop ID`: %s\n",
		len(rr.pending), strings.Join(rr.pending, " "))
}

func (rr *rayRecord) add(ids []string, submissionID string) error {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	for _, id := range ids {
		rr.info.Jobs[id] = submissionID
	}
	rr.ids = append(rr.ids, submissionID)
	return rr.exp.ReplaceJSON("ray.json", rr.info)
}

func (rr *rayRecord) submitted() []string {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return append([]string(nil), rr.ids...)
}

// runOne submits one component, follows its job until it ends and reads
// the outcome. report is false for a component that did not run here:
// its job was left running (detach) or stopped before it started.
func (r *rayEngine) runOne(ctx context.Context, job *Job, sc *runtime.ScheduledComponent, req rayRequest, rec *rayRecord) (runtime.Outcome, bool) {
	start := time.Now()
	out := runtime.Outcome{Component: sc, Status: storage.StatusFailed}
	if ctx.Err() != nil {
		return out, false
	}
	id, err := r.submit(ctx, job, sc, req, rec)
	if err != nil {
		out.Error = err.Error()
		out.Duration = time.Since(start)
		return out, true
	}
	rj, interrupted, err := r.follow(ctx, id, rec.onInterrupt)
	out.Duration = time.Since(start)
	if interrupted && rec.onInterrupt() == InterruptDetach {
		rec.leftRunning.Add(1)
		return out, false
	}
	if errors.Is(err, errRayStillPending) {
		rec.stillPending(id)
		return out, false // it did not run (yet)
	}
	st, serr := job.Experiment.ComponentStatus(sc.ID)
	switch {
	case serr == nil && (st.Status == storage.StatusFinished || st.Status == storage.StatusStopped || st.Status == storage.StatusFailed || st.Status == storage.StatusInterrupted):
		out.Status, out.Error = st.Status, st.Error
		if st.StartedAt != nil && st.FinishedAt != nil {
			out.Duration = st.FinishedAt.Sub(*st.StartedAt)
		}
		return out, true
	case interrupted && (serr != nil || st.Status == storage.StatusCreated || st.Status == ""):
		return out, false // stopped before its worker started
	case err != nil:
		out.Error = fmt.Sprintf("Ray job %s: %v", id, err)
		return out, true
	}
	out.Error = r.failure(id, rj)
	return out, true
}

func (r *rayEngine) followHint(job *Job) {
	if job.Console != nil {
		exp := job.Experiment
		fmt.Fprintf(job.Console, "Follow it with: machinable status %s --storage %s\n", exp.ID, exp.Storage().URL)
	}
}
