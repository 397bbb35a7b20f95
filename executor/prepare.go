package executor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// How an experiment comes to be in a storage, when any number of
// processes (run, resume, worker) may work on it at once:
//
//  1. Each process that finds no execution.json stages its code backup
//     (nothing visible yet) and creates execution.json, once: exactly one
//     wins and prepares the experiment. Nothing is ever removed.
//  2. The winner writes host.json, code.zip and, last, schedule.jsonl: an
//     experiment is complete once schedule.jsonl is there and ends with
//     its {"complete":N} line. A streamed run (Execution.Stream) appends
//     each component as it hands it to the engine, and ends the file with
//     {"stopped":n} when it stops early.
//  3. Every other process waits (at most PrepareWait) for the schedule,
//     then proceeds as a resume; each component is then claimed by
//     creating its status.json, once. When the winner died before
//     the schedule (its process is gone, or it took too long), a waiting
//     process writes it whole from the plan in execution.json,
//     once as well.

// PrepareWait bounds how long a process waits for another one to finish
// preparing an experiment before it completes the experiment itself.
var PrepareWait = 60 * time.Second

// errPreparedElsewhere: another process created execution.json first.
var errPreparedElsewhere = errors.New("prepared by another process")

// Prepare creates the experiment of a resolved execution, backs up the
// code (code.zip, code version) and writes execution.json, schedule.jsonl
// and host.json: after it, any process that can open the storage can run
// a component by ID (RunStored). An experiment that exists (or that
// another process is creating at this moment) is refused with an error
// wrapping storage.ErrExperimentExists; nothing is removed. Warnings go
// to console.
func Prepare(ex *runtime.Execution, console io.Writer) (*storage.Experiment, error) {
	if err := ex.Collect(context.Background()); err != nil {
		return nil, err
	}
	exp, _, err := prepare(ex, console)
	if errors.Is(err, errPreparedElsewhere) {
		st, _ := storage.Open(ex.Storage)
		return nil, fmt.Errorf("%w: %s; stored results are never overwritten (use another seed, or another storage)",
			storage.ErrExperimentExists, st.Describe(st.ExperimentPath(ex.Directory, ex.ExperimentID)))
	}
	return exp, err
}

// prepare does Prepare's work; errPreparedElsewhere when another process
// holds execution.json. rebuilt is true when component directories were
// there already: the storage had lost execution.json (an object store
// that restarted empty, a file deleted by hand), and the components'
// statuses decide what runs.
func prepare(ex *runtime.Execution, console io.Writer) (exp *storage.Experiment, rebuilt bool, err error) {
	st, err := storage.Open(ex.Storage)
	if err != nil {
		return nil, false, err
	}
	exp, err = st.MakeExperiment(ex.Directory, ex.ExperimentID)
	if err != nil {
		return nil, false, err
	}
	if exp.HasFile("execution.json") {
		return nil, false, errPreparedElsewhere
	}
	found, err := exp.ComponentDirs()
	if err != nil {
		return nil, false, err
	}
	var warnings bytes.Buffer
	warn := func(format string, args ...any) { fmt.Fprintf(&warnings, format, args...) }
	staged, err := stageCodeBackup(exp, ex, warn)
	if err != nil {
		return nil, false, err
	}
	discard := func() {
		if staged != nil {
			staged.Discard()
		}
	}
	if err := exp.WriteJSON("execution.json", ex); err != nil {
		discard()
		if errors.Is(err, fs.ErrExist) {
			return nil, false, errPreparedElsewhere
		}
		return nil, false, err
	}
	// This process prepares the experiment.
	if console != nil {
		io.Copy(console, &warnings)
	}
	if len(found) > 0 && console != nil {
		fmt.Fprintf(console, "warning: %s had no execution.json but %d component director%s: the storage lost the experiment's files "+
			"(an object store that restarted empty?); execution.json and the schedule are written again, and components run again unless their status.json says finished\n",
			exp.Describe(""), len(found), plural(len(found), "y", "ies"))
	}
	if err := exp.WriteJSON("host.json", hostRecord(ex)); err != nil && !errors.Is(err, fs.ErrExist) {
		discard()
		return nil, false, err
	}
	if staged != nil {
		if err := staged.Commit(); errors.Is(err, fs.ErrExist) {
			if console != nil {
				fmt.Fprintf(console, "warning: %s exists from an earlier run of this experiment and is kept\n", exp.Describe("code.zip"))
			}
		} else if err != nil {
			return nil, false, err
		}
	}
	if ex.Stream != nil && len(found) == 0 {
		return exp, false, nil // schedule.jsonl is written as the run pulls the stream
	}
	if err := ex.Collect(context.Background()); err != nil {
		return nil, false, err
	}
	if err := writeSchedule(exp, ex.Schedule); err != nil {
		if !errors.Is(err, fs.ErrExist) {
			return nil, false, err
		}
		// Another process completed it, believing this one gone: it
		// wrote the same schedule, unless the project changed meanwhile.
		stored, lerr := LoadExecution(exp)
		if lerr != nil {
			return nil, false, lerr
		}
		if diff := scheduleDiff(stored.Schedule, ex.Schedule); diff != "" {
			return nil, false, fmt.Errorf("%w: %s holds a different schedule (%s)", storage.ErrExperimentExists, exp.Describe(storage.ScheduleName), diff)
		}
		rebuilt = true
	}
	return exp, rebuilt || len(found) > 0, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeSchedule writes a whole schedule at once (a filtered plan, a
// rebuilt schedule), in the layout a streamed run appends.
func writeSchedule(exp *storage.Experiment, sched []runtime.ScheduledComponent) error {
	data, err := storage.EncodeSchedule(sched)
	if err != nil {
		return err
	}
	return exp.WriteFile(storage.ScheduleName, data)
}

// readSchedule reads the stored schedule (schedule.jsonl, or an older
// experiment's schedule.json); null entries of an old file are skipped,
// their absence checked by CheckSchedule. It returns the file read and,
// for an incomplete schedule.jsonl, the components so far with an error
// wrapping storage.ErrScheduleIncomplete. Components that skip says
// true for (nil: none) are left undecoded (runtime.UndecodedComponent)
// when their line starts as machinable writes it.
func readSchedule(exp *storage.Experiment, skip func(id string) bool) ([]runtime.ScheduledComponent, string, error) {
	var out []runtime.ScheduledComponent
	var ids []string
	var present []bool
	lastName := ""
	name, err := exp.ReadSchedule(func(raw json.RawMessage) error {
		if skip != nil {
			if id, name, ok := storage.ScheduledHead(raw); ok && skip(id) {
				if name == lastName {
					name = lastName // one copy of a name many components share
				}
				lastName = name
				ids, present = append(ids, id), append(present, true)
				out = append(out, runtime.UndecodedComponent(id, name, raw))
				return nil
			}
		}
		c, err := runtime.DecodeScheduled(raw)
		if err != nil {
			return err
		}
		ids, present = append(ids, ""), append(present, c != nil)
		if c != nil {
			ids[len(ids)-1] = c.ID
			out = append(out, *c)
		}
		return nil
	})
	if err != nil && !errors.Is(err, storage.ErrScheduleIncomplete) {
		return nil, name, err
	}
	if cerr := storage.CheckSchedule(exp.Describe(name), ids, present); cerr != nil {
		return nil, name, cerr
	}
	return out, name, err
}

// openExisting checks that a stored experiment has the plan being
// executed and returns the stored execution, which is what runs. An
// experiment another process is preparing is waited for; one whose
// schedule.json is missing or corrupt gets the schedule just resolved,
// when the stored plan is the same.
func openExisting(ctx context.Context, st *storage.Storage, ex *runtime.Execution, console io.Writer) (*storage.Experiment, *runtime.Execution, error) {
	exp, err := st.MakeExperiment(ex.Directory, ex.ExperimentID)
	if err != nil {
		return nil, nil, err
	}
	different := func(diff string) error {
		return fmt.Errorf("%w: %s holds a different plan (%s); stored results are never overwritten: use another seed or storage to run a changed plan",
			storage.ErrExperimentExists, st.Describe(exp.Path), diff)
	}
	rebuild := func(stored *runtime.Execution) ([]runtime.ScheduledComponent, error) {
		if stored.ScheduleFormat != ex.ScheduleFormat {
			return nil, fmt.Errorf("it was resolved by another release (schedule format %d)", stored.ScheduleFormat)
		}
		if diff := planDiff(stored.Plan, ex.Plan); diff != "" {
			return nil, different(diff)
		}
		return ex.Schedule, nil
	}
	if err := recoverExecution(exp, ex, console); err != nil {
		return nil, nil, err
	}
	stored, err := loadComplete(ctx, exp, rebuild, console, nil)
	if err != nil {
		return nil, nil, err
	}
	diff := scheduleDiff(stored.Schedule, ex.Schedule)
	if stored.ScheduleFormat < runtime.ScheduleFormat {
		// Stored by an earlier release, whose rules gave other IDs and
		// flags for some plans: the same plan resumes what is stored.
		diff = planDiff(stored.Plan, ex.Plan)
	}
	if diff != "" {
		return nil, nil, different(diff)
	}
	return exp, stored, nil
}

// recoverExecution writes execution.json again when it does not decode
// but schedule.json shows that it held the plan being executed: the
// damaged file is kept as execution.json.corrupt-<hash>. Otherwise a
// damaged execution.json is an error naming it.
func recoverExecution(exp *storage.Experiment, ex *runtime.Execution, console io.Writer) error {
	var probe struct{}
	err := exp.ReadJSON("execution.json", &probe)
	if !errors.Is(err, storage.ErrCorrupt) {
		return nil // readable, or missing: LoadExecution says what is wrong
	}
	stored, name, serr := readSchedule(exp, nil)
	if serr != nil {
		return fmt.Errorf("experiment %s: %w; it cannot be rebuilt, as %s cannot be read whole either: %v", exp.ID, err, exp.Describe(name), serr)
	}
	if diff := scheduleDiff(stored, ex.Schedule); diff != "" {
		return fmt.Errorf("experiment %s: %w; it cannot be rebuilt from this plan: %s holds another schedule (%s)", exp.ID, err, exp.Describe(name), diff)
	}
	raw, rerr := exp.ReadFile("execution.json")
	if rerr != nil {
		return rerr
	}
	aside, aerr := exp.SetAside("execution.json", raw)
	if errors.Is(aerr, storage.ErrClaimed) {
		// Another process is at it: wait for its execution.json.
		for range 250 {
			if exp.ReadJSON("execution.json", &probe) == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		return nil
	} else if aerr != nil {
		return aerr
	}
	if werr := exp.WriteJSON("execution.json", ex); werr != nil && !errors.Is(werr, fs.ErrExist) {
		return werr
	}
	if console != nil {
		fmt.Fprintf(console, "warning: %s did not decode (kept as %s): written again from this run, whose schedule is the one stored\n",
			exp.Describe("execution.json"), aside)
	}
	return nil
}

// rebuildFunc makes the schedule of a stored execution again.
type rebuildFunc func(stored *runtime.Execution) ([]runtime.ScheduledComponent, error)

// loadComplete reads a stored execution, waiting while another process
// prepares it (at most PrepareWait, less when that process is gone).
// When schedule.json is then still missing, or does not decode, it is
// written from rebuild (a corrupt one is kept aside as
// schedule.json.corrupt-<hash>); without rebuild that is an error naming
// the file.
//
// Components that skip says true for are left undecoded (see
// readSchedule).
func loadComplete(ctx context.Context, exp *storage.Experiment, rebuild rebuildFunc, console io.Writer, skip func(id string) bool) (*runtime.Execution, error) {
	start := time.Now()
	pause := 10 * time.Millisecond
	for {
		ex, err := loadExecution(exp, skip)
		if err == nil {
			return ex, nil
		}
		var missing *scheduleMissing
		if !errors.As(err, &missing) {
			return nil, err
		}
		// Missing, or still being appended to by the run that streams it.
		if missing.raw == nil && !missing.stopped && preparerAlive(exp, missing.incomplete) {
			if time.Since(start) < PrepareWait {
				select {
				case <-ctx.Done():
					return nil, ctx.Err()
				case <-time.After(pause):
				}
				pause = min(2*pause, 500*time.Millisecond)
				continue
			}
			if missing.incomplete {
				return nil, fmt.Errorf("%w; the run that schedules it is still going (see host.json)", err)
			}
		}
		if rebuild == nil {
			return nil, err
		}
		sched, rerr := rebuild(missing.stored)
		if rerr != nil {
			if errors.Is(rerr, storage.ErrExperimentExists) {
				return nil, rerr
			}
			return nil, fmt.Errorf("%w; it cannot be rebuilt from the plan in %s: %v", err, exp.Describe("execution.json"), rerr)
		}
		what := "was missing (its preparation stopped before it was written)"
		aside, raw := "", missing.raw
		if missing.incomplete {
			// What was written must be where the plan's schedule starts.
			if derr := (&runtime.Execution{Schedule: missing.partial}).DecodeSchedule(); derr != nil {
				return nil, fmt.Errorf("%w; %v", err, derr)
			}
			n := len(missing.partial)
			if n > len(sched) {
				return nil, fmt.Errorf("%w; it holds %d components, the plan in %s schedules %d", err, n, exp.Describe("execution.json"), len(sched))
			}
			if diff := scheduleDiff(missing.partial, sched[:n]); diff != "" {
				return nil, fmt.Errorf("%w; it cannot be completed from the plan in %s: %s", err, exp.Describe("execution.json"), diff)
			}
			if !exp.HasFile(storage.ScheduleName) { // only parts, on an object store
				return nil, fmt.Errorf("%w; it was written in parts to an object store and cannot be completed in place", err)
			}
			if raw, rerr = exp.ReadFile(storage.ScheduleName); rerr != nil {
				return nil, rerr
			}
			what = fmt.Sprintf("was incomplete (%d of %d components", n, len(sched))
		}
		if raw != nil {
			var aerr error
			aside, aerr = exp.SetAside(missing.name, raw)
			if errors.Is(aerr, storage.ErrClaimed) {
				continue // another process is at it: read again
			} else if aerr != nil {
				return nil, aerr
			}
			if missing.incomplete {
				what += ", kept as " + aside + ")"
			} else {
				what = "did not decode (kept as " + aside + ")"
			}
		}
		if werr := writeSchedule(exp, sched); werr != nil && !errors.Is(werr, fs.ErrExist) {
			return nil, werr
		} else if werr == nil && console != nil {
			fmt.Fprintf(console, "warning: %s %s: rebuilt from the plan in execution.json\n", exp.Describe(missing.name), what)
		}
	}
}

// preparerAlive guesses whether the process that created execution.json
// is still preparing the experiment: its process exists (same host), or,
// elsewhere, execution.json is younger than PrepareWait.
func preparerAlive(exp *storage.Experiment, streaming bool) bool {
	var h runtime.Host
	if err := exp.ReadJSON("host.json", &h); err != nil {
		// host.json follows execution.json at once: give it a moment.
		fi, ferr := exp.FileInfo("execution.json")
		return ferr == nil && time.Since(fi.ModTime()) < 5*time.Second
	}
	if self, _ := os.Hostname(); h.Hostname == self && h.Hostname != "" {
		if h.PID == os.Getpid() {
			if streaming { // this process knows whether it still streams it
				_, ok := activeStreams.Load(exp.URL())
				return ok
			}
			return true // another goroutine of this process
		}
		err := syscall.Kill(h.PID, 0)
		return h.PID > 0 && (err == nil || errors.Is(err, syscall.EPERM))
	}
	return true // another host: PrepareWait bounds the wait
}

// scheduleMissing: execution.json was read, the schedule is missing (raw
// and partial nil), incomplete (partial holds what it has; stopped when
// its run stopped early) or does not decode (raw is its content). name
// is the schedule's file.
type scheduleMissing struct {
	stored     *runtime.Execution
	name       string
	raw        []byte
	partial    []runtime.ScheduledComponent
	incomplete bool
	stopped    bool
	err        error
}

func (e *scheduleMissing) Error() string { return e.err.Error() }
func (e *scheduleMissing) Unwrap() error { return e.err }

// LoadExecution reads an execution back from its experiment directory:
// the worker protocol's starting point. A file that is missing or does
// not decode, or that names a component or experiment with an invalid
// ID, is an error naming the file.
func LoadExecution(exp *storage.Experiment) (*runtime.Execution, error) {
	return loadExecution(exp, nil)
}

// LoadExecutionExcept is LoadExecution leaving the components that skip
// says true for undecoded: only their ID and Name are set (see
// runtime.UndecodedComponent). For readers that need no more of them,
// e.g. of components the journal says ended final.
func LoadExecutionExcept(exp *storage.Experiment, skip func(id string) bool) (*runtime.Execution, error) {
	return loadExecution(exp, skip)
}

func loadExecution(exp *storage.Experiment, skip func(id string) bool) (*runtime.Execution, error) {
	var ex runtime.Execution
	if err := exp.ReadJSON("execution.json", &ex); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("experiment %s: %s is missing", exp.ID, exp.Describe("execution.json"))
		}
		if errors.Is(err, storage.ErrCorrupt) {
			return nil, fmt.Errorf("experiment %s: %w (running the same plan with the same seed again writes it anew)", exp.ID, err)
		}
		return nil, fmt.Errorf("experiment %s: %w", exp.ID, err)
	}
	if err := storage.CheckExperimentID(ex.ExperimentID); err != nil {
		return nil, fmt.Errorf("experiment %s: %s: %w", exp.ID, exp.Describe("execution.json"), err)
	}
	if err := storage.CheckDirectory(ex.Directory); err != nil {
		return nil, fmt.Errorf("experiment %s: %s: %w", exp.ID, exp.Describe("execution.json"), err)
	}
	sched, name, err := readSchedule(exp, skip)
	if err != nil {
		m := &scheduleMissing{stored: &ex, name: name}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			m.name = storage.ScheduleName
			m.err = fmt.Errorf("experiment %s: %s is missing: the experiment is being prepared, or its preparation was interrupted (machinable resume %s completes it)",
				exp.ID, exp.Describe(storage.ScheduleName), exp.ID)
		case errors.Is(err, storage.ErrScheduleIncomplete):
			m.incomplete, m.partial, m.stopped = true, sched, errors.Is(err, storage.ErrScheduleStopped)
			m.err = fmt.Errorf("experiment %s: %w (machinable resume %s completes it)", exp.ID, err, exp.ID)
		case errors.Is(err, storage.ErrCorrupt):
			m.raw, _ = exp.ReadFile(name)
			if m.raw == nil {
				m.raw = []byte{}
			}
			m.err = fmt.Errorf("experiment %s: %w (machinable resume %s rebuilds it from execution.json)", exp.ID, err, exp.ID)
		default:
			return nil, fmt.Errorf("experiment %s: %w", exp.ID, err)
		}
		finishLoad(&ex)
		return nil, m
	}
	ex.Schedule = sched
	finishLoad(&ex)
	return &ex, nil
}

// finishLoad completes an execution read back: where its project is here
// and its plan as parsed.
func finishLoad(ex *runtime.Execution) {
	// The project may live elsewhere where this runs (the remote engine
	// copies it): $MACHINABLE_PROJECT says where.
	if dir := os.Getenv("MACHINABLE_PROJECT"); dir != "" {
		ex.Project = dir
	}
	if ex.Plan != nil {
		data, err := ex.Plan.JSON()
		if err == nil {
			if plan, err := runtime.ParseExperiment(data); err == nil {
				ex.Plan = plan
			}
		}
	}
}

// resolveStored resolves a stored execution's plan again, with its seed
// and project: what its schedule.json held, for the same project.
func (x *Executor) resolveStored(ctx context.Context) rebuildFunc {
	return func(stored *runtime.Execution) ([]runtime.ScheduledComponent, error) {
		if stored.ScheduleFormat != runtime.ScheduleFormat {
			return nil, fmt.Errorf("it was resolved by another release (schedule format %d)", stored.ScheduleFormat)
		}
		if stored.Plan == nil {
			return nil, errors.New("no plan stored")
		}
		proj, err := LoadProject(stored.Project, "")
		if err != nil {
			return nil, err
		}
		resolver := &runtime.Resolver{Project: proj, Registry: x.Components}
		sched, err := resolver.Resolve(ctx, stored.Plan, stored.Seed)
		if err != nil || stored.Kept == nil {
			return sched, err
		}
		return keepOnly(sched, stored.Kept)
	}
}

// checkIntact looks, after a run, whether the experiment's own files are
// still in the storage: an object store that restarted empty loses them
// while components keep writing theirs. What is missing is said and
// written again from this run; components of this run whose status.json
// or component.json went missing are reported failed (their status
// says so), so that a resume runs them again.
func checkIntact(exp *storage.Experiment, ex *runtime.Execution, outcomes []runtime.Outcome, rebuild rebuildFunc, console io.Writer) []runtime.Outcome {
	var missing []string
	for _, name := range []string{"execution.json", storage.ScheduleName} {
		if (name == storage.ScheduleName && hasSchedule(exp)) || exp.HasFile(name) {
			continue
		}
		var err error
		if name == "execution.json" {
			err = exp.WriteJSON(name, ex)
		} else if ex.Schedule != nil {
			if err = ex.DecodeSchedule(); err == nil {
				err = writeSchedule(exp, ex.Schedule)
			}
		} else { // streamed: resolved again
			var sched []runtime.ScheduledComponent
			if sched, err = rebuild(ex); err == nil {
				err = writeSchedule(exp, sched)
			}
		}
		switch {
		case errors.Is(err, fs.ErrExist):
			continue // it was there: the look failed, not the storage
		case err != nil && console != nil:
			fmt.Fprintf(console, "warning: writing %s again: %v\n", exp.Describe(name), err)
		}
		missing = append(missing, name)
	}
	if len(missing) == 0 {
		return outcomes
	}
	var lost []string
	for i, o := range outcomes {
		if o.Previous || !storage.Final(o.Status) {
			continue
		}
		st, err := exp.ComponentStatus(o.Component.ID)
		comp, cerr := exp.OpenComponent(o.Component.ID)
		if err == nil && st.Status == o.Status && cerr == nil && hasComponentFile(exp, o.Component.ID) {
			continue
		}
		lost = append(lost, o.Component.ID)
		msg := "its files were lost from the storage during the run; a resume runs it again"
		now := time.Now().UTC()
		if cerr == nil {
			_ = comp.WriteStatus(storage.Status{Status: storage.StatusFailed, Error: msg, FinishedAt: &now})
		}
		outcomes[i].Status, outcomes[i].Error = storage.StatusFailed, msg
	}
	if console != nil {
		fmt.Fprintf(console, "warning: the storage lost %s of experiment %s during the run (an object store that restarted empty?): written again",
			strings.Join(missing, " and "), ex.ExperimentID)
		if len(lost) > 0 {
			fmt.Fprintf(console, "; %d component(s) lost their files (%s) and are marked failed: machinable resume %s runs them again",
				len(lost), strings.Join(lost, ", "), ex.ExperimentID)
		}
		fmt.Fprintln(console)
	}
	return outcomes
}

// hasSchedule says whether the experiment has a schedule: schedule.jsonl
// (or, on an object store, its parts) or an older schedule.json.
func hasSchedule(exp *storage.Experiment) bool {
	if exp.HasFile(storage.ScheduleName) || exp.HasFile(storage.LegacyScheduleName) {
		return true
	}
	_, err := exp.ReadSchedule(func(json.RawMessage) error { return errStopReading })
	return !errors.Is(err, fs.ErrNotExist)
}

var errStopReading = errors.New("stop")

func hasComponentFile(exp *storage.Experiment, id string) bool {
	return exp.HasFile(filepath.Join(id, "component.json"))
}
