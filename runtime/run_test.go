package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// runOne resolves a plan against reg and runs its components one after
// the other in a fresh in-memory experiment.
func runOne(t *testing.T, reg *Registry, plan *Experiment, env RunEnv) ([]ScheduledComponent, []Outcome) {
	t.Helper()
	sched, prepared := prepareRun(t, reg, plan)
	env.Execution, env.Experiment, env.Registry = prepared.Execution, prepared.Experiment, prepared.Registry
	var outs []Outcome
	for i := range sched {
		outs = append(outs, RunComponent(context.Background(), env, &sched[i]))
	}
	return sched, outs
}

// prepareRun resolves a plan with seed 42's global seed and creates its
// experiment in a fresh in-memory storage: what RunComponent needs.
func prepareRun(t *testing.T, reg *Registry, plan *Experiment) ([]ScheduledComponent, RunEnv) {
	t.Helper()
	sched, err := (&Resolver{Registry: reg}).Resolve(context.Background(), plan, 7957417341)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := storage.Open("mem://" + t.Name() + time.Now().String())
	exp, err := st.CreateExperiment("", "8gWVkz")
	if err != nil {
		t.Fatal(err)
	}
	return sched, RunEnv{Execution: &Execution{Schedule: sched}, Experiment: exp, Registry: reg}
}

// recorder is a Go component that appends every event it sees to a shared
// list, tagged with its name.
func recorder(events *[]string, tag string, extra GoComponent) GoComponent {
	c := GoComponent{}
	for _, ev := range []string{OnSeeding, OnInit, OnBeforeCreate, OnCreate, OnAfterCreate, OnBeforeExecute, OnExecute,
		OnAfterExecute, OnBeforeDestroy, OnDestroy, OnAfterDestroy} {
		ev := ev
		c[ev] = func(ctx context.Context, self *Self, args ...any) (any, error) {
			*events = append(*events, tag+":"+ev)
			return nil, nil
		}
	}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

// TestNodeLifecycleOrder: sub-components are constructed in the node's
// run, created between its on_before_create and on_create (which receives
// them), are neither seeded nor executed, and are destroyed between its
// on_before_destroy and on_destroy (2.x's order; lifecycle_test.go checks
// every event).
func TestNodeLifecycleOrder(t *testing.T) {
	var events []string
	var received []*Self
	reg := NewRegistry()
	reg.Register("node", recorder(&events, "node", GoComponent{
		OnCreate: func(ctx context.Context, self *Self, args ...any) (any, error) {
			events = append(events, "node:on_create")
			for _, a := range args {
				received = append(received, a.(*goInstance).self)
			}
			return nil, nil
		},
	}))
	reg.Register("sub", recorder(&events, "sub", nil))
	plan := NewExperiment().Node(ComponentSpec{Name: "node"}, ComponentSpec{Name: "sub"})
	sched, outs := runOne(t, reg, plan, RunEnv{})
	if outs[0].Status != storage.StatusFinished {
		t.Fatal(outs[0].Error)
	}
	want := []string{
		"node:on_init", "node:on_seeding", "sub:on_init",
		"node:on_before_create", "sub:on_before_create", "sub:on_create", "sub:on_after_create",
		"node:on_create", "node:on_after_create",
		"node:on_before_execute", "node:on_execute", "node:on_after_execute",
		"node:on_before_destroy", "sub:on_before_destroy", "sub:on_destroy", "sub:on_after_destroy",
		"node:on_destroy", "node:on_after_destroy",
	}
	if !reflect.DeepEqual(events, want) {
		t.Errorf("events:\n got %v\nwant %v", events, want)
	}
	if len(received) != 1 || received[0].ID != sched[0].Components[0].ID || received[0].Node == nil {
		t.Errorf("on_create received %v", received)
	}
}

// TestIterationStops: False from on_after_execute_iteration no longer
// ends the loop (2.x): it keeps that iteration's row pending, to be saved
// with the next one; only Stop ends the loop.
func TestIterationStops(t *testing.T) {
	var rows []map[string]any
	reg := NewRegistry()
	reg.Register("it", GoComponent{
		OnExecuteIteration: func(ctx context.Context, self *Self, args ...any) (any, error) {
			self.Record.Set(fmt.Sprintf("i%d", args[0]), args[0])
			if args[0].(int) == 4 {
				return Stop, nil
			}
			return nil, nil
		},
		OnAfterExecuteIteration: func(ctx context.Context, self *Self, args ...any) (any, error) {
			return args[0].(int) != 2, nil
		},
		OnAfterExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
			var err error
			rows, err = self.Store.ReadRecords("default")
			return nil, err
		},
	})
	_, outs := runOne(t, reg, NewExperiment().Component(ComponentSpec{Name: "it"}), RunEnv{})
	if outs[0].Status != storage.StatusFinished {
		t.Fatal(outs[0].Error)
	}
	if len(rows) != 4 || rows[2]["i2"] != int64(2) || rows[2]["i3"] != int64(3) || rows[2]["_iteration"] != int64(3) ||
		rows[3]["i4"] != int64(4) || rows[3]["_iteration"] != int64(4) {
		t.Errorf("rows after iterations: %v", rows)
	}
}

// TestFailuresContained: an error or a Go panic ends that component as
// failed with the message; the next one still runs.
func TestFailuresContained(t *testing.T) {
	reg := NewRegistry()
	reg.Register("panics", GoComponent{OnExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
		var m map[string]int
		m["x"] = 1 // nil map write: a real runtime panic
		return nil, nil
	}})
	reg.Register("errors", GoComponent{OnCreate: func(ctx context.Context, self *Self, args ...any) (any, error) {
		return nil, errors.New("bad input")
	}})
	reg.Register("fine", GoComponent{})
	plan := NewExperiment().Component(ComponentSpec{Name: "panics"}).Component(ComponentSpec{Name: "errors"}).Component(ComponentSpec{Name: "fine"})
	_, outs := runOne(t, reg, plan, RunEnv{})
	if outs[0].Status != storage.StatusFailed || !strings.Contains(outs[0].Error, "panic: assignment to entry in nil map") {
		t.Errorf("panic: %+v", outs[0])
	}
	if outs[1].Status != storage.StatusFailed || outs[1].Error != "on_create: bad input" {
		t.Errorf("error: %+v", outs[1])
	}
	if outs[2].Status != storage.StatusFinished {
		t.Errorf("fine: %+v", outs[2])
	}
}

// TestHeartbeat: status.json's heartbeat moves while a component runs.
func TestHeartbeat(t *testing.T) {
	var seen []storage.Status
	reg := NewRegistry()
	reg.Register("slow", GoComponent{OnExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
		for i := 0; i < 2; i++ {
			time.Sleep(60 * time.Millisecond)
			st, err := self.Store.ReadStatus()
			if err != nil {
				return nil, err
			}
			seen = append(seen, st)
		}
		return nil, nil
	}})
	_, outs := runOne(t, reg, NewExperiment().Component(ComponentSpec{Name: "slow"}), RunEnv{Heartbeat: 10 * time.Millisecond})
	if outs[0].Status != storage.StatusFinished {
		t.Fatal(outs[0].Error)
	}
	if len(seen) != 2 || seen[0].Status != storage.StatusRunning || !seen[1].HeartbeatAt.After(*seen[0].HeartbeatAt) || !seen[0].HeartbeatAt.After(*seen[0].StartedAt) {
		t.Errorf("heartbeat did not advance: %+v", seen)
	}
}

// TestConsolePrefix: with a prefix (parallel runs) every console line of
// the component starts with it; output.log stays unprefixed.
func TestConsolePrefix(t *testing.T) {
	var console bytes.Buffer
	reg := NewRegistry()
	reg.Register("talks", GoComponent{OnExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
		self.Output.Write([]byte("one\ntwo\n"))
		return nil, self.Log.Log("INFO", "three")
	}})
	_, outs := runOne(t, reg, NewExperiment().Component(ComponentSpec{Name: "talks"}), RunEnv{Console: &console, Prefix: "ID | "})
	if outs[0].Status != storage.StatusFinished {
		t.Fatal(outs[0].Error)
	}
	if got := console.String(); got != "ID | one\nID | two\nID | INFO: three\n" {
		t.Errorf("console %q", got)
	}
}

// TestGoComponentRandom: a Go component's Random and Rand are seeded with
// its SEED by the default seeding, so it is reproducible; on_seeding
// returning false keeps its own seed.
func TestGoComponentRandom(t *testing.T) {
	draws := map[string][]float64{}
	reg := NewRegistry()
	draw := func(ctx context.Context, self *Self, args ...any) (any, error) {
		draws[self.Name] = append(draws[self.Name], self.Random.Random(), float64(self.Rand.IntN(1000)))
		return nil, nil
	}
	reg.Register("seeded", GoComponent{OnExecute: draw})
	reg.Register("own", GoComponent{OnExecute: draw,
		OnSeeding: func(ctx context.Context, self *Self, args ...any) (any, error) {
			self.Random.Seed(7)
			return false, nil
		}})
	sched, outs := runOne(t, reg, NewExperiment().Component(ComponentSpec{Name: "seeded"}).Component(ComponentSpec{Name: "own"}), RunEnv{})
	for _, o := range outs {
		if o.Status != storage.StatusFinished {
			t.Fatal(o.Error)
		}
	}
	want := func(seed int64) []float64 {
		r, g := NewRandom()
		r.Seed(seed)
		return []float64{r.Random(), float64(g.IntN(1000))}
	}
	if got, w := draws["seeded"], want(sched[0].Flags["SEED"].(int64)); !reflect.DeepEqual(got, w) {
		t.Errorf("seeded: %v, want %v", got, w)
	}
	if got, w := draws["own"], want(7); !reflect.DeepEqual(got, w) {
		t.Errorf("own seed: %v, want %v", got, w)
	}
	// first draw equals python3's random.Random(263761070).random() for SEED of seed=42
	r, _ := NewRandom()
	r.Seed(263761070)
	if v := r.Random(); v != 0.7804488004906609 {
		t.Errorf("python stream: %v", v)
	}
}

// TestRequeueContinues: a requeue request stops an iterating component at
// the next iteration boundary after on_save; run again, it continues in
// the same directory and on_restore receives the checkpoint.
func TestRequeueContinues(t *testing.T) {
	requeue := make(chan struct{})
	var restored []any
	reg := NewRegistry()
	reg.Register("long", GoComponent{
		OnRestore: func(ctx context.Context, self *Self, args ...any) (any, error) {
			restored = append(restored, args[0])
			v, err := self.Store.StoreRead(args[0].(string) + "/state.json")
			self.Attrs["start"] = v
			return nil, err
		},
		OnExecuteIteration: func(ctx context.Context, self *Self, args ...any) (any, error) {
			i := args[0].(int)
			self.Record.Set("i", i)
			if i == 1 && len(restored) == 0 {
				close(requeue) // the scheduler's signal arrives during iteration 1
			}
			if i >= 3 {
				return Stop, nil
			}
			return nil, nil
		},
		OnSave: func(ctx context.Context, self *Self, args ...any) (any, error) {
			return nil, self.Store.StoreWrite(args[0].(string)+"/state.json", map[string]any{"i": args[1]}, true)
		},
	})
	sched, err := (&Resolver{Registry: reg}).Resolve(context.Background(), NewExperiment().Component(ComponentSpec{Name: "long"}), 7957417341)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := storage.Open("mem://" + t.Name())
	exp, _ := st.CreateExperiment("", "8gWVkz")
	env := RunEnv{Execution: &Execution{Schedule: sched}, Experiment: exp, Registry: reg, Requeue: requeue}
	out := RunComponent(context.Background(), env, &sched[0])
	if out.Status != storage.StatusRequeued {
		t.Fatalf("first run: %+v", out)
	}
	status, _ := exp.ComponentStatus(sched[0].ID)
	if status.Checkpoint != "checkpoints/1" || status.Requeues != 1 {
		t.Fatalf("status after requeue: %+v", status)
	}
	env.Requeue = nil
	out = RunComponent(context.Background(), env, &sched[0])
	if out.Status != storage.StatusFinished || len(restored) != 1 || restored[0] != "checkpoints/1" {
		t.Fatalf("continued run: %+v restored %v", out, restored)
	}
	comp, _ := exp.OpenComponent(sched[0].ID)
	rows, _ := comp.ReadRecords("default")
	if len(rows) != 2+4 { // iterations 0,1 before the requeue, then 0..3 again
		t.Errorf("rows %d: %v", len(rows), rows)
	}
}

// TestClaimedElsewhere: a component another process started first (its
// status.json appeared between the look for pending components and the
// start) is left to that process: not run, not reported failed, and its
// files untouched; one that the other process already finished is
// reported as finished there.
func TestClaimedElsewhere(t *testing.T) {
	ran := false
	reg := NewRegistry()
	reg.Register("c", GoComponent{OnExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
		ran = true
		return nil, nil
	}})
	sched, err := (&Resolver{Registry: reg}).Resolve(context.Background(), NewExperiment().Component(ComponentSpec{Name: "c"}), 7957417341)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := storage.Open("mem://" + t.Name())
	exp, _ := st.CreateExperiment("", "8gWVkz")
	other, _ := exp.CreateComponent(sched[0].ID)
	now := time.Now().UTC()
	theirs := storage.Status{Status: storage.StatusRunning, StartedAt: &now, HeartbeatAt: &now, Host: "elsewhere", PID: 4242}
	if err := other.WriteStatus(theirs); err != nil {
		t.Fatal(err)
	}
	env := RunEnv{Execution: &Execution{Schedule: sched}, Experiment: exp, Registry: reg}
	out := RunComponent(context.Background(), env, &sched[0])
	if ran || out.Status != storage.StatusRunning || !out.Previous || out.Error != "started by another process (host elsewhere, pid 4242); left to it" {
		t.Fatalf("ran %v, outcome %+v", ran, out)
	}
	if got, _ := exp.ComponentStatus(sched[0].ID); got.Host != "elsewhere" || got.Status != storage.StatusRunning {
		t.Errorf("their status was touched: %+v", got)
	}
	theirs.Status = storage.StatusFinished
	other.WriteStatus(theirs)
	if out := RunComponent(context.Background(), env, &sched[0]); ran || out.Status != storage.StatusFinished || !out.Previous {
		t.Errorf("finished elsewhere: ran %v, outcome %+v", ran, out)
	}
}
