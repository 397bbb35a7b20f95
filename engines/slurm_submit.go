package engines

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// submit writes the batch script of one array and submits it.
func (s *slurm) submit(ctx context.Context, exp *storage.Experiment, dir string, gi int, group []*runtime.ScheduledComponent) (SlurmArray, error) {
	opts := s.optionsFor(group[0])
	ids := make([]string, len(group))
	for i, sc := range group {
		ids[i] = sc.ID
	}
	single := !s.opts.array
	output := filepath.Join(dir, fmt.Sprintf("%s-%d-%%A_%%a.out", exp.ID, gi))
	if single {
		output = filepath.Join(dir, fmt.Sprintf("%s-%d-%%j.out", exp.ID, gi))
	}
	script := s.script(exp, ids, opts, output, single)
	path := filepath.Join(dir, fmt.Sprintf("%s-%d.sbatch", exp.ID, gi))
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		return SlurmArray{}, fmt.Errorf("engine slurm: %w", err)
	}
	out, err := slurmCommand(ctx, "sbatch", "--parsable", path)
	if err != nil {
		return SlurmArray{}, fmt.Errorf("engine slurm: %w", err)
	}
	jobID := strings.TrimSpace(out)
	if i := strings.Index(jobID, ";"); i >= 0 { // "ID;cluster"
		jobID = jobID[:i]
	}
	return SlurmArray{JobID: jobID, Components: ids, Options: opts, Script: path, Output: output, Single: single}, nil
}

// script is the batch script of an array: task i runs component ids[i]
// through the worker, which receives the pre-timeout signal directly; a
// single job runs ids[0].
func (s *slurm) script(exp *storage.Experiment, ids []string, opts map[string]string, output string, single bool) string {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	line := func(flag, value string) { fmt.Fprintf(&b, "#SBATCH --%s=%s\n", flag, value) }
	if _, ok := opts["job-name"]; !ok {
		line("job-name", "machinable-"+exp.ID)
	}
	if !single {
		array := fmt.Sprintf("0-%d", len(ids)-1)
		if s.opts.parallelism > 0 {
			array += fmt.Sprintf("%%%d", s.opts.parallelism)
		}
		line("array", array)
	}
	line("output", output)
	b.WriteString("#SBATCH --open-mode=append\n#SBATCH --requeue\n")
	if s.opts.signal != "" {
		line("signal", s.opts.signal)
	}
	line("chdir", s.opts.workdir)
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		line(k, opts[k])
	}
	for _, a := range s.opts.extra {
		fmt.Fprintf(&b, "#SBATCH %s\n", a)
	}
	fmt.Fprintf(&b, "export MACHINABLE_MAX_REQUEUE=%d\n", s.opts.maxRequeue)
	if single {
		fmt.Fprintf(&b, "# machinable experiment %s\nCOMPONENT=%s\n", exp.ID, ids[0])
	} else {
		fmt.Fprintf(&b, "# machinable experiment %s: task i runs COMPONENTS[i]\n", exp.ID)
		fmt.Fprintf(&b, "COMPONENTS=(%s)\nCOMPONENT=${COMPONENTS[$SLURM_ARRAY_TASK_ID]}\n", strings.Join(ids, " "))
	}
	if s.opts.before != "" {
		b.WriteString(s.opts.before + "\n")
	}
	worker := fmt.Sprintf("%s worker %s --component \"$COMPONENT\"", shellQuote(s.binary), shellQuote(exp.URL()))
	if s.opts.after == "" {
		b.WriteString("exec " + worker + "\n")
	} else {
		// The worker runs in the background so after_script can follow;
		// the batch shell forwards the pre-timeout and cancel signals.
		fmt.Fprintf(&b, "%s &\npid=$!\ntrap 'kill -USR1 $pid' USR1\ntrap 'kill -TERM $pid' TERM\n", worker)
		b.WriteString("while true; do wait $pid; status=$?; kill -0 $pid 2>/dev/null || break; done\n")
		b.WriteString(s.opts.after + "\nexit $status\n")
	}
	return b.String()
}

// shellQuote quotes a word for bash.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}
