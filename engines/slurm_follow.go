package engines

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// follow polls the arrays and the components' statuses until every
// component ended (or the arrays are gone), reporting each as it ends.
func (s *slurm) follow(ctx context.Context, job *Job, info SlurmInfo, todo []*runtime.ScheduledComponent) ([]runtime.Outcome, error) {
	exp := job.Experiment
	left := map[string]*runtime.ScheduledComponent{}
	for _, sc := range todo {
		left[sc.ID] = sc
	}
	started := map[string]bool{}
	var outcomes []runtime.Outcome
	begin := time.Now()
	lastLine := ""
	done := func(o runtime.Outcome) {
		delete(left, o.Component.ID)
		outcomes = append(outcomes, o)
		if job.Done != nil {
			job.Done(o)
		}
	}
	interrupted := false
	onInterrupt := interruptDecision(job, s.opts.onInterrupt, fmt.Sprintf(
		"The Slurm job arrays of experiment %s are still queued or running. Cancel them (scancel), or detach and leave them running?", exp.ID))
	failing := map[string]runtime.Outcome{}
	var goneSince time.Time   // when the arrays left the queue while a task requeues
	var failedSince time.Time // when squeue started failing
	var timedOut error        // set when the timeout passed: the arrays were cancelled
	var cancelledAt time.Time // when the arrays were cancelled (interrupt or timeout)
	for {
		for id, sc := range left {
			if _, ok := failing[id]; ok {
				continue
			}
			st, err := exp.ComponentStatus(id)
			if err != nil {
				continue // unreadable for a moment (written right now)
			}
			if o, ok := finalOutcome(sc, st); ok {
				if st.Status != storage.StatusFinished && st.Status != storage.StatusStopped {
					// Reported once its task has left the queue, with the
					// Slurm state and exit code.
					failing[id] = o
					continue
				}
				done(o)
			} else if st.Status == storage.StatusRunning {
				if !started[id] && job.Started != nil {
					job.Started(sc)
				}
				started[id] = true
			}
		}
		if len(left) == 0 {
			break
		}
		tasks, err := squeue(ctx, info.Arrays)
		if err != nil {
			// A busy or restarting slurmctld: keep the last picture for a
			// while rather than take the arrays for gone.
			if failedSince.IsZero() {
				failedSince = time.Now()
				if job.Console != nil {
					fmt.Fprintf(job.Console, "slurm: %v; trying again for up to %s\n", err, squeueGrace)
				}
			}
			if time.Since(failedSince) > squeueGrace {
				return outcomes, err
			}
			if ctx.Err() == nil {
				time.Sleep(s.opts.poll)
				continue
			}
		} else {
			failedSince = time.Time{}
		}
		s.reportFailing(ctx, info, tasks, failing, done)
		if len(left) == 0 {
			break
		}
		if len(tasks) == 0 && (interrupted || timedOut != nil) {
			break // cancelled: what never started stays not run
		}
		if !cancelledAt.IsZero() && time.Since(cancelledAt) > cancelGrace {
			break // cancelled, but the tasks do not leave the queue
		}
		if len(tasks) == 0 && ctx.Err() == nil {
			// A task being requeued can vanish from squeue for a moment
			// between its end and its return as PENDING: give it time.
			if s.requeueing(exp, left) && (goneSince.IsZero() || time.Since(goneSince) < requeueGrace) {
				if goneSince.IsZero() {
					goneSince = time.Now()
				}
				time.Sleep(s.opts.poll)
				continue
			}
			// The arrays are gone: whatever has no final status failed on
			// the Slurm side (cancelled, node failure, out of memory, ...).
			s.reportLost(ctx, job, info, left, done)
			break
		}
		goneSince = time.Time{}
		if line := progressLine(tasks, outcomes, len(left)); line != lastLine && job.Console != nil {
			fmt.Fprintf(job.Console, "slurm: %s (%s)\n", line, time.Since(begin).Round(time.Second))
			lastLine = line
		}
		if s.opts.timeout > 0 && timedOut == nil && time.Since(begin) > s.opts.timeout {
			queue := queueReport(ctx, tasks)
			timedOut = fmt.Errorf("gave up waiting for the Slurm job arrays after %s (option timeout) and cancelled them; %d component(s) had not ended. The queue then:\n%s",
				s.opts.timeout, len(left), queue)
			if job.Console != nil {
				fmt.Fprintf(job.Console, "slurm: timeout %s passed; the queue:\n%s\nslurm: cancelling the job arrays (scancel)\n", s.opts.timeout, queue)
			}
			s.cancel(info.Arrays)
			cancelledAt = time.Now()
		}
		if ctx.Err() != nil && !interrupted {
			interrupted = true
			if onInterrupt() == InterruptDetach {
				if job.Console != nil {
					fmt.Fprintf(job.Console, "slurm: detached; the arrays keep running: machinable status %s --storage %s\n", exp.ID, exp.Storage().URL)
				}
				return outcomes, &DetachedError{Running: len(left)}
			}
			s.cancel(info.Arrays)
			cancelledAt = time.Now()
			if job.Console != nil {
				fmt.Fprintf(job.Console, "slurm: cancelled the job arrays (scancel)\n")
			}
		}
		time.Sleep(s.opts.poll)
	}
	if interrupted {
		return outcomes, ctx.Err()
	}
	return outcomes, timedOut
}

// task is one array task as squeue shows it.
type task struct {
	array, index string
	state        string
	reason       string // why it pends ("Resources", "Priority", "BeginTime", ...); "None" when running
	single       bool   // a plain job (array=False): index is "0"
}

// String is the task as progress lines and errors show it: "4211_2
// PENDING (Resources)".
func (t task) String() string {
	s := t.array + "_" + t.index
	if t.single {
		s = t.array
	}
	s += " " + t.state
	if t.reason != "" && t.reason != "None" {
		s += " (" + t.reason + ")"
	}
	return s
}

// squeue lists the tasks of the arrays still known to the queue.
func squeue(ctx context.Context, arrays []SlurmArray) ([]task, error) {
	ids := make([]string, len(arrays))
	for i, a := range arrays {
		ids[i] = a.JobID
	}
	// A fresh context: squeue must still answer after Ctrl-C.
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	out, err := slurmCommand(qctx, "squeue", "-h", "-r", "-j", strings.Join(ids, ","), "-o", "%i|%T|%r")
	if err != nil {
		if strings.Contains(out, "Invalid job id") { // all gone
			return nil, nil
		}
		return nil, fmt.Errorf("engine slurm: %w", err)
	}
	return parseSqueue(out), nil
}

// parseSqueue reads `squeue -h -r -o %i|%T|%r` lines: "4211_3|PENDING|Resources",
// "4212|RUNNING|None" (a single job, task "0").
func parseSqueue(out string) []task {
	var tasks []task
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.SplitN(strings.TrimSpace(line), "|", 3)
		if len(f) < 2 {
			continue
		}
		arr, idx, _ := strings.Cut(f[0], "_")
		single := idx == ""
		if single { // a single job (array=False): its one "task"
			idx = "0"
		}
		t := task{array: arr, index: idx, state: f[1], single: single}
		if len(f) == 3 {
			t.reason = f[2]
		}
		tasks = append(tasks, t)
	}
	return tasks
}

// progressLine sums up the queue and what ended: "2 pending (Resources),
// 1 running, 0 other; 3 done, 1 failed; 3 component(s) left". Why tasks
// pend comes from squeue: "(Resources)" when they all wait for the same,
// "(2 Priority, 1 JobArrayTaskLimit)" otherwise.
func progressLine(tasks []task, ended []runtime.Outcome, left int) string {
	counts := map[string]int{}
	reasons := map[string]int{}
	var order []string
	for _, t := range tasks {
		counts[t.state]++
		if t.state == "PENDING" && t.reason != "" && t.reason != "None" {
			if reasons[t.reason] == 0 {
				order = append(order, t.reason)
			}
			reasons[t.reason]++
		}
	}
	pending := fmt.Sprintf("%d pending", counts["PENDING"])
	switch {
	case len(order) == 1:
		pending += " (" + order[0] + ")"
	case len(order) > 1:
		sort.SliceStable(order, func(i, j int) bool { return reasons[order[i]] > reasons[order[j]] })
		parts := make([]string, len(order))
		for i, r := range order {
			parts[i] = fmt.Sprintf("%d %s", reasons[r], r)
		}
		pending += " (" + strings.Join(parts, ", ") + ")"
	}
	failed := 0
	for _, o := range ended {
		if o.Status != storage.StatusFinished && o.Status != storage.StatusStopped {
			failed++
		}
	}
	return fmt.Sprintf("%s, %d running, %d other; %d done, %d failed; %d component(s) left", pending, counts["RUNNING"],
		len(tasks)-counts["PENDING"]-counts["RUNNING"], len(ended)-failed, failed, left)
}

// queueReport describes the queue for someone wondering why nothing
// happens: each task of the arrays with its state and why it pends, and
// the partitions' nodes by state (sinfo), with the reason a node is
// down or drained.
func queueReport(ctx context.Context, tasks []task) string {
	var b strings.Builder
	if len(tasks) == 0 {
		b.WriteString("  (no task of the arrays in squeue)\n")
	}
	for i, t := range tasks {
		if i == 20 {
			fmt.Fprintf(&b, "  ... and %d more task(s)\n", len(tasks)-i)
			break
		}
		fmt.Fprintf(&b, "  %s\n", t)
	}
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	out, err := slurmCommand(qctx, "sinfo", "-h", "-o", "%P %a %D %T %E")
	if err != nil {
		fmt.Fprintf(&b, "  sinfo: %v\n", err)
		return strings.TrimRight(b.String(), "\n")
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	b.WriteString("  nodes (sinfo: partition, availability, count, state, reason):\n")
	for i, l := range lines {
		if i == 20 {
			fmt.Fprintf(&b, "  ... and %d more line(s)\n", len(lines)-i)
			break
		}
		fmt.Fprintf(&b, "    %s\n", strings.TrimSpace(l))
	}
	return strings.TrimRight(b.String(), "\n")
}

// cancel scancels the arrays.
func (s *slurm) cancel(arrays []SlurmArray) {
	for _, a := range arrays {
		_, _ = slurmCommand(context.Background(), "scancel", a.JobID)
	}
}

// reportLost reports the components whose task ended without a final
// status, with the Slurm state, exit code and the tail of its output.
func (s *slurm) reportLost(ctx context.Context, job *Job, info SlurmInfo, left map[string]*runtime.ScheduledComponent, done func(runtime.Outcome)) {
	for _, a := range info.Arrays {
		states := finalStates(ctx, a)
		for i, id := range a.Components {
			sc, ok := left[id]
			if !ok {
				continue
			}
			idx := fmt.Sprint(i)
			msg := "the Slurm task ended without a final status"
			if st, ok := states[idx]; ok {
				msg = fmt.Sprintf("Slurm task %s ended %s with exit code %s", a.Task(i), st.state, st.exit)
			}
			if cur, err := job.Experiment.ComponentStatus(id); err == nil && cur.Status == storage.StatusRequeued {
				msg += fmt.Sprintf("; it was requeued %d time(s) (max_requeue %d) and did not finish", cur.Requeues, s.opts.maxRequeue)
			}
			out := a.OutputOf(i)
			if tail := fileTail(out, 1500); tail != "" {
				// the last line on the first line (it is what consoles show),
				// the tail below it
				lines := strings.Split(tail, "\n")
				msg += ": " + strings.TrimSpace(lines[len(lines)-1]) + " (output " + out + ")\n" + tail
			}
			done(runtime.Outcome{Component: sc, Status: storage.StatusFailed, Error: msg})
		}
	}
}

type taskState struct{ state, exit string }

// finalStates reads the state of each task of an array (or single job)
// that Slurm still knows: from scontrol, which keeps a job MinJobAge
// seconds after its end, then from sacct for the tasks scontrol forgot;
// sacct needs accounting, which many small clusters do not run, so its
// failure only means less to report.
func finalStates(ctx context.Context, a SlurmArray) map[string]taskState {
	out := scontrolStates(ctx, a.JobID)
	if len(out) < len(a.Components) {
		for idx, st := range sacctStates(ctx, a.JobID) {
			if _, ok := out[idx]; !ok {
				out[idx] = st
			}
		}
	}
	return out
}

// sacctStates reads task states from the accounting database.
func sacctStates(ctx context.Context, jobID string) map[string]taskState {
	out := map[string]taskState{}
	if _, err := exec.LookPath("sacct"); err != nil {
		return out
	}
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	text, err := slurmCommand(qctx, "sacct", "-n", "-P", "-X", "-j", jobID, "-o", "JobID,State,ExitCode")
	if err != nil {
		return out
	}
	return parseSacct(text)
}

// parseSacct reads `sacct -n -P -X -o JobID,State,ExitCode` lines
// ("4211_3|FAILED|7:0", "4212|CANCELLED by 0|0:15") by task index.
func parseSacct(text string) map[string]taskState {
	out := map[string]taskState{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Split(line, "|")
		state := strings.Fields(f[min(1, len(f)-1)])
		if len(f) != 3 || len(state) == 0 {
			continue
		}
		_, idx, _ := strings.Cut(f[0], "_")
		if idx == "" {
			idx = "0"
		}
		out[idx] = taskState{state: state[0], exit: f[2]}
	}
	return out
}

// scontrolStates reads the state of each task of an array from scontrol.
func scontrolStates(ctx context.Context, jobID string) map[string]taskState {
	out := map[string]taskState{}
	text, err := slurmCommand(context.WithoutCancel(ctx), "scontrol", "show", "job", jobID, "-o")
	if err != nil {
		return out
	}
	for _, line := range strings.Split(text, "\n") {
		fields := map[string]string{}
		for _, f := range strings.Fields(line) {
			if k, v, ok := strings.Cut(f, "="); ok {
				fields[k] = v
			}
		}
		if _, ok := fields["JobState"]; !ok {
			continue
		}
		idx, ok := fields["ArrayTaskId"]
		if !ok {
			idx = "0" // a single job
		}
		st := taskState{state: fields["JobState"], exit: fields["ExitCode"]}
		// Tasks that never started stay in one record for the array,
		// "ArrayTaskId=2-5%2" (cancelled while pending, say).
		for _, i := range taskIndexes(idx) {
			if _, ok := out[i]; !ok {
				out[i] = st
			}
		}
	}
	return out
}

// taskIndexes expands an ArrayTaskId such as "3", "0-5%2" or "1,3-4" into
// its task indexes; what it cannot read it returns as it is.
func taskIndexes(id string) []string {
	id, _, _ = strings.Cut(id, "%")
	var out []string
	for _, part := range strings.Split(id, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if !isRange || err1 != nil || err2 != nil || b < a || b-a > 1_000_000 {
			out = append(out, part)
			continue
		}
		for i := a; i <= b; i++ {
			out = append(out, strconv.Itoa(i))
		}
	}
	return out
}

// fileTail returns the last n bytes of a file, or "".
func fileTail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	off := fi.Size() - n
	if off < 0 {
		off = 0
	}
	buf := make([]byte, fi.Size()-off)
	_, _ = f.ReadAt(buf, off)
	return strings.TrimSpace(string(buf))
}

// reportFailing reports failed components whose task is no longer queued,
// adding the task's Slurm state and exit code to the error.
func (s *slurm) reportFailing(ctx context.Context, info SlurmInfo, tasks []task, failing map[string]runtime.Outcome, done func(runtime.Outcome)) {
	if len(failing) == 0 {
		return
	}
	queued := map[string]bool{}
	for _, t := range tasks {
		queued[t.array+"_"+t.index] = true
	}
	for _, a := range info.Arrays {
		var states map[string]taskState
		for i, id := range a.Components {
			o, ok := failing[id]
			key := fmt.Sprintf("%s_%d", a.JobID, i)
			if !ok || queued[key] {
				continue
			}
			if states == nil {
				states = finalStates(ctx, a)
			}
			if st, ok := states[fmt.Sprint(i)]; ok {
				o.Error = fmt.Sprintf("Slurm task %s %s, exit code %s: %s", a.Task(i), st.state, st.exit, o.Error)
			}
			delete(failing, id)
			done(o)
		}
	}
}

// SlurmStates maps the components of submitted arrays to their task and
// its state: the queue state while it is queued ("5_2 RUNNING"), the
// final state and exit code once it left the queue ("5_2 FAILED 7:0"),
// or just the task when Slurm forgot it. `machinable status` shows it.
func SlurmStates(ctx context.Context, info SlurmInfo) (map[string]string, error) {
	tasks, err := squeue(ctx, info.Arrays)
	if err != nil {
		return nil, err
	}
	byTask := map[string]string{}
	for _, t := range tasks {
		_, state, _ := strings.Cut(t.String(), " ")
		byTask[t.array+"_"+t.index] = state
	}
	out := map[string]string{}
	for _, a := range info.Arrays {
		var final map[string]taskState
		for i, id := range a.Components {
			if st, ok := byTask[fmt.Sprintf("%s_%d", a.JobID, i)]; ok {
				out[id] = a.Task(i) + " " + st
				continue
			}
			if final == nil {
				final = finalStates(ctx, a)
			}
			out[id] = a.Task(i)
			if st, ok := final[fmt.Sprint(i)]; ok {
				out[id] += " " + st.state + " " + st.exit
			}
		}
	}
	return out, nil
}

// squeueGrace is how long squeue may fail before following gives up.
const squeueGrace = time.Minute

// requeueGrace is how long a requeued task may be missing from the queue.
const requeueGrace = 30 * time.Second

// cancelGrace is how long cancelled tasks (after Ctrl-C or the timeout)
// may take to leave the queue before following stops anyway.
const cancelGrace = time.Minute

// requeueing reports whether a component left is requeued, so its task
// should come back to the queue.
func (s *slurm) requeueing(exp *storage.Experiment, left map[string]*runtime.ScheduledComponent) bool {
	for id := range left {
		if st, err := exp.ComponentStatus(id); err == nil && st.Status == storage.StatusRequeued {
			return true
		}
	}
	return false
}
