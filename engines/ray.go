package engines

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
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
		"per_component", "poll", "runtime_env", "wait"); err != nil {
		return nil, err
	}
	o := rayOptions{address: os.Getenv("RAY_ADDRESS"), perComponent: true, wait: true, poll: time.Second}
	if o.address == "" {
		o.address = "http://127.0.0.1:8265"
	}
	bad := func(key, want string, v any) error {
		return fmt.Errorf("engine ray: option %q: expected %s, got %v", key, want, v)
	}
	if v, ok := spec.Options["address"]; ok {
		s, ok := v.(string)
		if !ok || s == "" {
			return nil, bad("address", "the dashboard address such as \"http://head:8265\"", v)
		}
		o.address = s
	}
	addr, err := rayAddress(o.address)
	if err != nil {
		return nil, err
	}
	o.address = addr
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
		m, ok := v.(map[string]any)
		if !ok {
			return nil, bad("runtime_env", "a dict such as {\"env_vars\": {\"OMP_NUM_THREADS\": \"1\"}}", v)
		}
		if ev, ok := m["env_vars"]; ok {
			if _, ok := ev.(map[string]any); !ok {
				return nil, bad("runtime_env", "env_vars to be a dict of strings", ev)
			}
		}
		o.runtimeEnv = m
	}
	headers, err := rayHeaders(spec)
	if err != nil {
		return nil, err
	}
	bin, err := workerBinary(spec)
	if err != nil {
		return nil, err
	}
	return &rayEngine{opts: o, binary: bin, client: &rayClient{
		base: o.address, headers: headers, http: &http.Client{Timeout: 30 * time.Second},
	}}, nil
}

// rayAddress normalizes an address to the dashboard's base URL.
func rayAddress(a string) (string, error) {
	if strings.HasPrefix(a, "ray://") {
		return "", fmt.Errorf("engine ray: address %q is a Ray Client address; the job API is served by the dashboard, e.g. http://<head>:8265", a)
	}
	if !strings.Contains(a, "://") {
		a = "http://" + a
	}
	u, err := url.Parse(a)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("engine ray: address %q: expected the dashboard URL such as http://127.0.0.1:8265", a)
	}
	return strings.TrimRight(a, "/"), nil
}

// rayHeaders reads $RAY_JOB_HEADERS (a JSON object, as Ray's CLI does) and
// the headers option on top of it. "$VAR" in a value is read from the
// environment, so a token need not be written into the engine options,
// which execution.json keeps.
func rayHeaders(spec Spec) (map[string]string, error) {
	h := map[string]string{}
	if s := os.Getenv("RAY_JOB_HEADERS"); s != "" {
		var m map[string]string
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, fmt.Errorf("engine ray: $RAY_JOB_HEADERS: expected a JSON object of strings such as {\"Authorization\": \"Bearer ...\"}")
		}
		for k, v := range m {
			h[k] = v
		}
	}
	if v, ok := spec.Options["headers"]; ok {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("engine ray: option \"headers\": expected a dict such as {\"Authorization\": \"Bearer $RAY_TOKEN\"}")
		}
		for k, val := range m {
			s, ok := val.(string)
			if !ok {
				return nil, fmt.Errorf("engine ray: option \"headers\": the value of %q is not a string", k)
			}
			h[k] = os.ExpandEnv(s)
		}
	}
	return h, nil
}

func (r *rayEngine) Name() string { return "ray" }

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

func (r *rayEngine) Run(ctx context.Context, job *Job) (outcomes []runtime.Outcome, err error) {
	defer func() {
		// The executor names the engine itself.
		if err != nil && strings.HasPrefix(err.Error(), "engine ray: ") {
			err = trimmedError{err, strings.TrimPrefix(err.Error(), "engine ray: ")}
		}
	}()
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
	if err := r.client.reachable(ctx); err != nil {
		return nil, err
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
	if err := applyRayResources(&req, sc.Resources); err != nil {
		return req, fmt.Errorf("engine ray: component %s (%s): %w", sc.ID, sc.Name, err)
	}
	return req, nil
}

// applyRayResources maps a component's resources onto the entrypoint's:
// num_cpus/cpus, num_gpus/gpus, memory (bytes); anything else is a custom
// resource.
func applyRayResources(req *rayRequest, res map[string]any) error {
	keys := make([]string, 0, len(res))
	for k := range res {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := jsonvalue.Float(res[k])
		if !ok {
			return fmt.Errorf("resource %q: expected a number for Ray, got %v", k, res[k])
		}
		switch k {
		case "num_cpus", "cpus":
			req.EntrypointNumCPUs = &f
		case "num_gpus", "gpus":
			req.EntrypointNumGPUs = &f
		case "memory":
			n := int64(f)
			req.EntrypointMemory = &n
		default:
			if req.EntrypointResources == nil {
				req.EntrypointResources = map[string]float64{}
			}
			req.EntrypointResources[k] = f
		}
	}
	return nil
}

// runtimeEnv is the runtime_env option with the env_vars the engine adds.
func (r *rayEngine) runtimeEnv(submissionID string) map[string]any {
	env := map[string]any{}
	for k, v := range r.opts.runtimeEnv {
		env[k] = v
	}
	vars := map[string]string{}
	if m, ok := r.opts.runtimeEnv["env_vars"].(map[string]any); ok {
		for k, v := range m {
			vars[k] = fmt.Sprint(v) // Ray wants strings
		}
	}
	vars["MACHINABLE_RAY_SUBMISSION_ID"] = submissionID
	env["env_vars"] = vars
	return env
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

// submit posts a job under machinable-<EXPERIMENT>-<COMPONENT>, adding
// -2, -3, ... when the cluster knows that ID already (a resume).
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
	for attempt := 1; attempt <= 100; attempt++ {
		id := base
		if attempt > 1 {
			id = fmt.Sprintf("%s-%d", base, attempt)
		}
		req.SubmissionID = id
		req.RuntimeEnv = r.runtimeEnv(id)
		var resp struct {
			JobID        string `json:"job_id"`
			SubmissionID string `json:"submission_id"`
		}
		// Not cut short by Ctrl-C: a job the server accepted must be known
		// here, so it can be stopped.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		err := r.client.do(sctx, http.MethodPost, "/api/jobs/", req, &resp)
		cancel()
		var he *rayHTTPError
		if errors.As(err, &he) && he.code == http.StatusBadRequest && strings.Contains(he.body, "already exists") {
			continue
		}
		if err != nil {
			return "", err
		}
		if resp.SubmissionID != "" {
			id = resp.SubmissionID
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
	st, serr := job.Experiment.ComponentStatus(sc.ID)
	switch {
	case serr == nil && (st.Status == storage.StatusFinished || st.Status == storage.StatusFailed || st.Status == storage.StatusInterrupted):
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

// follow polls a job until it is terminal. When ctx ends, it stops the job
// (on_interrupt cancel) and waits a while for it to end, or (detach)
// returns at once; interrupted says ctx ended.
func (r *rayEngine) follow(ctx context.Context, id string, onInterrupt func() string) (rayJob, bool, error) {
	var (
		rj        rayJob
		failSince time.Time
		lastErr   error
	)
	interrupted := false
	var deadline time.Time
	for {
		if ctx.Err() != nil && !interrupted {
			interrupted = true
			if onInterrupt() == InterruptDetach {
				return rj, true, nil
			}
			if err := r.stop(id); err != nil {
				return rj, true, err
			}
			deadline = time.Now().Add(20 * time.Second)
		}
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		err := r.client.do(pctx, http.MethodGet, "/api/jobs/"+url.PathEscape(id), nil, &rj)
		cancel()
		switch {
		case err == nil:
			failSince, lastErr = time.Time{}, nil
			if rayTerminal[rj.Status] {
				return rj, interrupted, nil
			}
		case failSince.IsZero():
			failSince, lastErr = time.Now(), err
		default:
			lastErr = err
			if time.Since(failSince) > time.Minute {
				return rj, interrupted, fmt.Errorf("lost contact with the Ray job server for a minute: %w", lastErr)
			}
		}
		if interrupted && time.Now().After(deadline) {
			return rj, true, fmt.Errorf("still %s 20s after the stop request", rj.Status)
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
func (r *rayEngine) stop(id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var resp struct {
		Stopped bool `json:"stopped"`
	}
	return r.client.do(ctx, http.MethodPost, "/api/jobs/"+url.PathEscape(id)+"/stop", nil, &resp)
}

func (r *rayEngine) stopAll(ids []string) {
	for _, id := range ids {
		_ = r.stop(id)
	}
}

// failure describes a job that ended without a final component status:
// the last log line first (consoles show only the first line), then the
// Ray status and message, then the tail of the logs.
func (r *rayEngine) failure(id string, rj rayJob) string {
	msg := fmt.Sprintf("Ray job %s ended %s without a final status", id, rj.Status)
	if m := strings.TrimSpace(rj.Message); m != "" {
		first, _, _ := strings.Cut(m, "\n")
		first, _, _ = strings.Cut(first, ", last available logs") // the logs follow anyway
		msg += ": " + strings.TrimSpace(first)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var logs struct {
		Logs string `json:"logs"`
	}
	if err := r.client.do(ctx, http.MethodGet, "/api/jobs/"+url.PathEscape(id)+"/logs", nil, &logs); err != nil {
		return msg + "; logs: " + err.Error()
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

func (r *rayEngine) followHint(job *Job) {
	if job.Console != nil {
		exp := job.Experiment
		fmt.Fprintf(job.Console, "Follow it with: machinable status %s --storage %s\n", exp.ID, exp.Storage().URL)
	}
}

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
			if err := r.stop(id); err != nil {
				return outcomes, err
			}
			if job.Console != nil {
				fmt.Fprintf(job.Console, "ray: stopped job %s\n", id)
			}
			deadline = time.Now().Add(20 * time.Second)
		}
		var rj rayJob
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		err := r.client.do(pctx, http.MethodGet, "/api/jobs/"+url.PathEscape(id), nil, &rj)
		cancel()
		check()
		if err == nil && rayTerminal[rj.Status] {
			if len(left) > 0 && !interrupted {
				msg := r.failure(id, rj)
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

// redactedAddress drops a password from an address before it is shown
// or stored.
func redactedAddress(a string) string {
	u, err := url.Parse(a)
	if err != nil {
		return a
	}
	return u.Redacted()
}

// trimmedError is an error with a shorter message.
type trimmedError struct {
	err error
	msg string
}

func (e trimmedError) Error() string { return e.msg }
func (e trimmedError) Unwrap() error { return e.err }

// rayClient talks to the job API of a Ray dashboard.
type rayClient struct {
	base    string
	headers map[string]string
	http    *http.Client
}

// rayHTTPError is an answer other than 2xx.
type rayHTTPError struct {
	code int
	body string
}

func (e *rayHTTPError) Error() string { return e.body }

// do sends a request with the headers and decodes a JSON answer into out.
// Errors name the method, address and endpoint, never the headers.
func (c *rayClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	where := fmt.Sprintf("%s %s%s", method, redactedAddress(c.base), path)
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("engine ray: %s: %w", where, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in where already
		}
		return fmt.Errorf("engine ray: %s: %w", where, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("engine ray: %s: %w", where, err)
	}
	if resp.StatusCode/100 != 2 {
		text := strings.TrimSpace(string(data))
		if len(text) > 2000 {
			text = text[len(text)-2000:] // Ray answers with a Python traceback: its end says why
		}
		hint := ""
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			hint = " (an authenticated cluster? set the headers option or $RAY_JOB_HEADERS)"
		}
		return fmt.Errorf("engine ray: %s: %s%s: %w", where, resp.Status, hint, &rayHTTPError{code: resp.StatusCode, body: text})
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("engine ray: %s: unexpected answer (is this a Ray dashboard?): %w", where, err)
		}
	}
	return nil
}

// reachable checks the job server answers (GET /api/version) before
// anything is submitted.
func (c *rayClient) reachable(ctx context.Context) error {
	var v struct {
		Version string `json:"version"`
	}
	err := c.do(ctx, http.MethodGet, "/api/version", nil, &v)
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("engine ray: nothing listens at %s (connection refused): start a cluster (`ray start --head` serves the job API on port 8265) or set the address option or $RAY_ADDRESS to its dashboard", redactedAddress(c.base))
	}
	return fmt.Errorf("%w (the Ray dashboard address comes from the address option or $RAY_ADDRESS)", err)
}
