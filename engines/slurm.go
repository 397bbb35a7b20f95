package engines

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/machinable-go/machinable/runtime"
)

// slurm submits the components as Slurm job arrays, one array per set of
// components with the same resources (`--array=0-N%P`); each task runs
// `machinable worker EXPERIMENT_URL --component ID` on a node. With wait
// (the default) it follows the arrays until they end and reports each
// component; without, it returns after submitting.
type slurm struct {
	opts   slurmOptions
	binary string
	// detached is set by Run when it submitted without waiting.
	detached bool
}

type slurmOptions struct {
	sbatch      map[string]string // option -> value, from the engine spec
	extra       []string          // sbatch_args
	parallelism int
	before      string
	after       string
	wait        *bool // nil: wait when someone watches (Job.Unattended false)
	array       bool  // false: one job per component instead of arrays
	maxRequeue  int
	signal      string
	onInterrupt string // InterruptAsk, InterruptCancel (scancel) or InterruptDetach
	poll        time.Duration
	timeout     time.Duration // 0: follow as long as it takes
	workdir     string
}

// sbatchKeys are the engine options (and resource keys) that become
// #SBATCH lines, with their sbatch flag.
var sbatchKeys = map[string]string{
	"partition": "partition", "time": "time", "cpus_per_task": "cpus-per-task", "mem": "mem",
	"gres": "gres", "account": "account", "qos": "qos", "nodes": "nodes", "ntasks": "ntasks",
	"mem_per_cpu": "mem-per-cpu", "constraint": "constraint", "exclude": "exclude", "nodelist": "nodelist",
	"gpus": "gpus", "job_name": "job-name",
}

func newSlurm(spec Spec) (Engine, error) {
	known := []string{"array", "array_parallelism", "sbatch_args", "before_script", "after_script", "wait",
		"max_requeue", "signal", "on_interrupt", "poll", "timeout", "binary", "workdir"}
	for k := range sbatchKeys {
		known = append(known, k)
	}
	sort.Strings(known)
	if err := checkOptions(spec, known...); err != nil {
		return nil, err
	}
	o := slurmOptions{sbatch: map[string]string{}, parallelism: 16, maxRequeue: 3, array: true,
		signal: "B:USR1@120", poll: time.Second}
	var err error
	for k, v := range spec.Options {
		if flag, ok := sbatchKeys[k]; ok {
			o.sbatch[flag] = fmt.Sprint(v)
		}
	}
	if o.parallelism, err = optionInt(spec, "array_parallelism", 16); err != nil {
		return nil, err
	}
	if o.maxRequeue, err = optionInt(spec, "max_requeue", 3); err != nil {
		return nil, err
	}
	str := func(key string, dst *string) error {
		if v, ok := spec.Options[key]; ok {
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("engine slurm: option %q: expected a string, got %v", key, v)
			}
			*dst = s
		}
		return nil
	}
	for key, dst := range map[string]*string{"before_script": &o.before, "after_script": &o.after, "signal": &o.signal,
		"workdir": &o.workdir} {
		if err := str(key, dst); err != nil {
			return nil, err
		}
	}
	if o.onInterrupt, err = onInterruptOption(spec); err != nil {
		return nil, err
	}
	if v, ok := spec.Options["wait"]; ok {
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("engine slurm: option \"wait\": expected true or false, got %v", v)
		}
		o.wait = &b
	}
	if v, ok := spec.Options["array"]; ok {
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("engine slurm: option \"array\": expected true (job arrays) or false (one job per component), got %v", v)
		}
		o.array = b
	}
	if v, ok := spec.Options["poll"]; ok {
		d, err := time.ParseDuration(fmt.Sprint(v))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("engine slurm: option \"poll\": expected a duration such as \"1s\", got %v", v)
		}
		o.poll = d
	}
	if v, ok := spec.Options["timeout"]; ok {
		d, err := time.ParseDuration(fmt.Sprint(v))
		if err != nil || d < 0 {
			return nil, fmt.Errorf("engine slurm: option \"timeout\": expected a duration such as \"2h\" (0: no limit), got %v", v)
		}
		o.timeout = d
	}
	if v, ok := spec.Options["sbatch_args"]; ok {
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("engine slurm: option \"sbatch_args\": expected a list of strings such as [\"--exclusive\"]")
		}
		for _, a := range list {
			o.extra = append(o.extra, fmt.Sprint(a))
		}
	}
	if o.workdir == "" {
		if o.workdir, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	bin, err := workerBinary(spec)
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		return nil, fmt.Errorf("engine slurm: sbatch not found on PATH: run on a Slurm login node (or install slurm-client)")
	}
	return &slurm{opts: o, binary: bin}, nil
}

func (s *slurm) Name() string { return "slurm" }

// RunsWorkers implements WorkerRunner.
func (s *slurm) RunsWorkers() bool { return true }

// Detached: without wait, the execution goes on in the cluster.
func (s *slurm) Detached() bool { return s.detached }

// waits tells whether to follow the arrays: as the "wait" option says,
// else when someone watches (a terminal): a script run unattended (a
// pipe, a batch job, cron) submits and returns rather than poll Slurm
// for as long as the arrays queue.
func (o slurmOptions) waits(job *Job) bool {
	if o.wait != nil {
		return *o.wait
	}
	return !job.Unattended
}

// SlurmInfo is slurm.json in the experiment directory: what was submitted.
type SlurmInfo struct {
	SubmittedAt time.Time    `json:"submitted_at"` // when the arrays were submitted (UTC)
	Binary      string       `json:"binary"`       // machinable as the nodes run it
	Workdir     string       `json:"workdir"`      // the tasks' working directory (--chdir)
	Arrays      []SlurmArray `json:"arrays"`       // in submission order
}

// SlurmArray is one submitted job array, or (Single) one job.
type SlurmArray struct {
	JobID      string            `json:"job_id"`               // the array's (or job's) ID
	Components []string          `json:"components"`           // task i runs Components[i]
	Options    map[string]string `json:"sbatch"`               // sbatch flag -> value, as in the script
	Script     string            `json:"script"`               // path of the batch script
	Output     string            `json:"output"`               // %A_%a (or %j) pattern of the tasks' output files
	Single     bool              `json:"single_job,omitempty"` // a plain job running Components[0]
}

// Task names task i as Slurm does: "4211_3", or "4212" for a single job.
func (a SlurmArray) Task(i int) string {
	if a.Single {
		return a.JobID
	}
	return fmt.Sprintf("%s_%d", a.JobID, i)
}

// OutputOf is the output file of task i.
func (a SlurmArray) OutputOf(i int) string {
	return strings.NewReplacer("%A", a.JobID, "%a", fmt.Sprint(i), "%j", a.JobID).Replace(a.Output)
}

func (s *slurm) Run(ctx context.Context, job *Job) ([]runtime.Outcome, error) {
	exp := job.Experiment
	if err := s.Preflight(ctx, job.Execution, exp.Storage()); err != nil {
		return nil, err
	}
	todo := job.Todo()
	if len(todo) == 0 {
		return nil, nil
	}
	dir := filepath.Join(exp.Path, "slurm")
	if exp.Storage().Object {
		dir = filepath.Join(s.opts.workdir, ".machinable-slurm", exp.ID)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("engine slurm: %w", err)
	}
	info := SlurmInfo{SubmittedAt: time.Now().UTC(), Binary: s.binary, Workdir: s.opts.workdir}
	for gi, group := range s.group(todo) {
		arr, err := s.submit(ctx, exp, dir, gi, group)
		if err != nil {
			s.cancel(info.Arrays)
			return nil, err
		}
		info.Arrays = append(info.Arrays, arr)
		if job.Console != nil && !arr.Single {
			fmt.Fprintf(job.Console, "slurm: submitted job array %s (%d task(s), at most %d at once)\n", arr.JobID, len(arr.Components), s.opts.parallelism)
		}
	}
	if n := len(info.Arrays); job.Console != nil && !s.opts.array {
		fmt.Fprintf(job.Console, "slurm: submitted %d job(s), %s to %s\n", n, info.Arrays[0].JobID, info.Arrays[n-1].JobID)
	}
	if err := exp.ReplaceJSON("slurm.json", info); err != nil {
		return nil, err
	}
	if !s.opts.waits(job) {
		s.detached = true
		if job.Console != nil {
			fmt.Fprintf(job.Console, "Follow it with: machinable status %s --storage %s\n", exp.ID, exp.Storage().URL)
		}
		return nil, nil
	}
	return s.follow(ctx, job, info, todo)
}

// group splits components by their sbatch options (engine options with
// the component's resources on top), keeping schedule order; without
// arrays every component is a group of its own.
func (s *slurm) group(todo []*runtime.ScheduledComponent) [][]*runtime.ScheduledComponent {
	if !s.opts.array {
		out := make([][]*runtime.ScheduledComponent, len(todo))
		for i, sc := range todo {
			out[i] = []*runtime.ScheduledComponent{sc}
		}
		return out
	}
	var keys []string
	groups := map[string][]*runtime.ScheduledComponent{}
	for _, sc := range todo {
		k := optionsKey(s.optionsFor(sc))
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], sc)
	}
	out := make([][]*runtime.ScheduledComponent, len(keys))
	for i, k := range keys {
		out[i] = groups[k]
	}
	return out
}

// optionsFor merges the engine's sbatch options with a component's
// resources: known keys map to their flag, others pass as --key=value.
func (s *slurm) optionsFor(sc *runtime.ScheduledComponent) map[string]string {
	opts := map[string]string{}
	for k, v := range s.opts.sbatch {
		opts[k] = v
	}
	for k, v := range sc.Resources {
		flag, ok := sbatchKeys[k]
		if !ok {
			flag = strings.ReplaceAll(strings.TrimLeft(k, "-"), "_", "-")
		}
		opts[flag] = fmt.Sprint(v)
	}
	return opts
}

func optionsKey(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s;", k, m[k])
	}
	return b.String()
}

// sbatchCommand runs sbatch/squeue/scontrol/scancel with a context.
func slurmCommand(ctx context.Context, name string, args ...string) (string, error) {
	out, err := helperCommand(ctx, name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}
