package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/storage"
)

// RunEnv is what running one component needs besides its spec.
type RunEnv struct {
	Execution  *Execution          // its Project is where code is looked up and run
	Experiment *storage.Experiment // where the component's directory is created
	Registry   *Registry           // resolves the component's code
	// Console receives print() output and log lines; nil keeps them in
	// the store only.
	Console io.Writer
	// Prefix starts every console line, e.g. the component ID when
	// several components run at once.
	Prefix string
	// Heartbeat is how often status.json is refreshed while running
	// (default $MACHINABLE_HEARTBEAT, else 10s).
	Heartbeat time.Duration
	// Requeue, when it is closed, asks the component to
	// save a checkpoint and stop so a cluster scheduler can restart it
	// (Slurm's pre-timeout signal): at the next iteration boundary if it
	// iterates, at once otherwise. It ends with status "requeued".
	Requeue <-chan struct{}
	// Tuner, when set, judges the record rows of tuning trials and may
	// stop them early (see Tuner).
	Tuner Tuner
}

// ErrRequeue is the cause of a component stopped for a requeue.
var ErrRequeue = errors.New("stopped to be requeued")

// RunComponent runs one scheduled component through its life cycle and
// records everything it produces. It never panics: failures, Go panics
// included, end in status "failed" with the error and backtrace.
func RunComponent(ctx context.Context, env RunEnv, sc *ScheduledComponent) (out Outcome) {
	start := time.Now()
	out = Outcome{Component: sc, Status: storage.StatusFailed}
	defer func() { out.Duration = time.Since(start) }()

	store, err := env.Experiment.CreateComponent(sc.ID)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	defer store.Close()
	started := time.Now().UTC()
	every := heartbeatEvery(env.Heartbeat, flagHeartbeat(sc.Flags))
	status := storage.Status{Status: storage.StatusRunning, StartedAt: &started, HeartbeatAt: &started,
		HeartbeatEvery: every.Seconds()}
	status.SetProcess() // host, PID and the PID's start time: how readers tell it still runs
	// A requeued component continues in its own directory, from its
	// checkpoint; anything else starts a fresh attempt.
	checkpoint := sc.Checkpoint
	if prev, err := store.ReadStatus(); err == nil && prev.Status == storage.StatusRequeued {
		checkpoint = prev.Checkpoint
		status.StartedAt, status.Requeues, status.Checkpoint = prev.StartedAt, prev.Requeues, prev.Checkpoint
		err = store.WriteStatus(status)
		if err == nil {
			err = writeComponentHost(env.Experiment, store)
		}
		if err != nil {
			out.Error = err.Error()
			return out
		}
	} else if err := writeComponentFiles(env.Experiment, store, sc, status); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return claimedElsewhere(store, out)
		}
		out.Error = err.Error()
		return out
	} else if _, trial := sc.Flags[FlagTrialNumber]; trial && checkpoint == "" {
		// A tuning trial run again (resume) continues from the newest
		// checkpoint its earlier attempt saved; one that cannot be
		// carried over starts afresh, and says so.
		var cerr error
		if checkpoint, cerr = store.CarryCheckpoint(); cerr != nil && env.Console != nil {
			fmt.Fprintf(env.Console, "%s%s: the earlier attempt's checkpoint could not be carried over, starting afresh: %v\n", env.Prefix, sc.ID, cerr)
		}
	}
	stopBeat := heartbeat(store, status, every)

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	rq := newRequeueState(env.Requeue, cancel)
	defer rq.stop()
	trial := newTrialState(env, sc)
	runErr := runGuarded(ctx, env, store, sc, checkpoint, rq, trial)
	stopBeat()
	stop := trial.stopped()
	var asStop *TrialStop
	if stop != nil && errors.As(runErr, &asStop) {
		runErr = nil // an event that ended at the stop, not a failure
	}

	finished := time.Now().UTC()
	status.FinishedAt, status.HeartbeatAt = &finished, &finished
	status.Status = storage.StatusFinished
	var requeued *RequeueError
	switch {
	case errors.As(runErr, &requeued) || (runErr != nil && errors.Is(context.Cause(ctx), ErrRequeue)):
		status.Status = storage.StatusRequeued
		status.FinishedAt = nil
		status.Requeues++
		if requeued != nil && requeued.Checkpoint != "" {
			status.Checkpoint = requeued.Checkpoint
		}
		out.Error = "requeued"
	case runErr != nil && ctx.Err() != nil:
		// Cancelled (Ctrl-C, SIGTERM): not finished, not the component's
		// fault; a resume runs it again.
		status.Status = storage.StatusInterrupted
		status.Error = "interrupted: " + context.Cause(ctx).Error()
		out.Error = status.Error
	case runErr != nil:
		status.Status = storage.StatusFailed
		status.Error = runErr.Error()
		out.Error = runErr.Error()
	case stop != nil && !stop.Finished:
		status.Status = storage.StatusStopped
		status.Error = stop.Reason
		out.Error = status.Error
	}
	// Every record row is on disk before the status says the component
	// ended: readers trust a final status to mean complete records.
	if err := store.SyncRecords(); err != nil && (status.Status == storage.StatusFinished || status.Status == storage.StatusStopped) {
		status.Status, status.Error = storage.StatusFailed, err.Error()
		out.Error = status.Error
	}
	if err := store.WriteStatus(status); err != nil && runErr == nil {
		status.Status = storage.StatusFailed
		out.Error = err.Error()
	}
	out.Status = status.Status
	return out
}

// claimedElsewhere is the outcome of a component another process started
// first (a resume next to the live run: both saw it pending): it is left
// to that process, and reported as its status says.
func claimedElsewhere(store *storage.Component, out Outcome) Outcome {
	out.Previous = true
	st, err := store.ReadStatus()
	if err != nil {
		out.Status, out.Error = storage.StatusRunning, "started by another process"
		return out
	}
	switch st.Status {
	case storage.StatusFinished, storage.StatusFailed, storage.StatusInterrupted, storage.StatusStopped:
		out.Status, out.Error = st.Status, st.Error
	default:
		out.Status = storage.StatusRunning
		out.Error = fmt.Sprintf("started by another process (host %s, pid %d); left to it", st.Host, st.PID)
	}
	return out
}

func writeComponentFiles(exp *storage.Experiment, store *storage.Component, sc *ScheduledComponent, st storage.Status) error {
	// Created, not replaced: a component that already has a status ran
	// before, and its results are never overwritten.
	if err := store.WriteJSON("status.json", st); err != nil {
		return err
	}
	shown := withoutHidden(sc)
	if err := store.PutJSON("component.json", shown); err != nil {
		return err
	}
	// Lean storage: components.json only for a component with
	// sub-components (readers take none as []), host.json only where it
	// ran elsewhere than the experiment was prepared.
	if len(shown.Components) > 0 {
		if err := store.PutJSON("components.json", shown.Components); err != nil {
			return err
		}
	}
	return writeComponentHost(exp, store)
}

// heartbeatEvery is the heartbeat interval: the component's HEARTBEAT
// flag (seconds, as 2.x), else the given one, else $MACHINABLE_HEARTBEAT
// (a Go duration such as "2s"), else 10s.
func heartbeatEvery(d, flag time.Duration) time.Duration {
	if flag > 0 {
		return flag
	}
	if d > 0 {
		return d
	}
	if v, err := time.ParseDuration(os.Getenv("MACHINABLE_HEARTBEAT")); err == nil && v > 0 {
		return v
	}
	return 10 * time.Second
}

// heartbeat refreshes heartbeat_at until stopped, so a crashed run is
// detectable by a stale heartbeat.
func heartbeat(store *storage.Component, st storage.Status, every time.Duration) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				now = now.UTC()
				st.HeartbeatAt = &now
				_ = store.WriteStatus(st) // a missed beat only ages the heartbeat
			}
		}
	}()
	return func() { close(done); <-finished }
}

// runGuarded builds the node's instance and runs its life cycle, which
// builds the sub-components in on_init_components; panics become errors.
func runGuarded(ctx context.Context, env RunEnv, store *storage.Component, sc *ScheduledComponent, checkpoint string, rq *requeueState, trial *trialState) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	prefix := env.Prefix
	logFile := store.AppendFile("log.txt")
	outFile := store.AppendFile("output.log")
	var console io.Writer
	if env.Console != nil {
		console = env.Console
	}
	var prefixed io.Writer
	if console != nil {
		prefixed = &prefixWriter{w: console, prefix: prefix}
	}
	output := outputWriter(sc.Flags["OUTPUT_REDIRECTION"], outFile, prefixed)
	logger := NewLogger(logFile, console, prefix)
	record, err := store.Records("default")
	if err != nil {
		return err
	}

	// newComponent makes a component's Self and instance; its events run
	// later. A sub-component (node != nil) draws from its node's random
	// stream, as 2.x's sub-components share the process's random.
	newComponent := func(c *ScheduledComponent, node *component) (*component, error) {
		// The component owns copies: it may assign to its config, as in
		// 2.x, without changing the schedule.
		self := &Self{ID: c.ID, Name: c.Name, Module: c.Module, Config: jsonvalue.DeepCopy(c.Config).(map[string]any), Flags: copyMap(c.Flags),
			Checkpoint: c.Checkpoint, Store: store, Log: logger, Output: output,
			Attrs: map[string]any{}, Iteration: -1}
		if node == nil {
			self.Random, self.Rand = NewRandom()
		} else {
			self.Random, self.Rand = node.self.Random, node.self.Rand
			self.Node = node.self
		}
		self.Record = newRecord(record, self)
		if node == nil && trial != nil {
			self.trial = trial
			self.Record.report = trial.report
		}
		self.Requeue = env.Requeue
		self.Project = env.Execution.Project
		factory, err := env.Registry.factoryFor(env.Execution.Project, c.Name, c.Module, c.Config, c.ConfigOnly)
		if err != nil {
			return nil, err
		}
		if err := bindMixins(env.Registry, env.Execution.Project, self); err != nil {
			return nil, err
		}
		inst, err := factory.New(ctx, self)
		if err != nil {
			return nil, fmt.Errorf("component %s: %w", c.Name, err)
		}
		comp := &component{inst: inst, self: self}
		self.SaveCheckpoint = saveCheckpoint(ctx, comp)
		return comp, nil
	}
	node, err := newComponent(sc, nil)
	if err != nil {
		return err
	}
	node.self.Checkpoint = checkpoint
	node.requeue = rq
	_, handles := node.inst.(RequeueHandler)
	rq.iterates(handles || node.inst.Has(OnExecuteIteration))
	return runLifecycle(ctx, lifecycle{node: node, specs: sc.Components, build: newComponent,
		storage: map[string]any{"url": env.Experiment.URL(), "experiment": env.Experiment.ID, "component": sc.ID}})
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// PrefixWriter returns a writer that starts every line with prefix; each
// Write goes to w in one piece. Not safe for concurrent use.
func PrefixWriter(w io.Writer, prefix string) io.Writer { return &prefixWriter{w: w, prefix: prefix} }

// prefixWriter starts every line with a prefix.
type prefixWriter struct {
	w       io.Writer
	prefix  string
	midLine bool
}

// Write writes b with the prefix inserted at every line start, in one
// write to the underlying writer.
func (p *prefixWriter) Write(b []byte) (int, error) {
	if p.prefix == "" {
		return p.w.Write(b)
	}
	var out []byte
	for _, c := range b {
		if !p.midLine {
			out = append(out, p.prefix...)
			p.midLine = true
		}
		out = append(out, c)
		if c == '\n' {
			p.midLine = false
		}
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}
