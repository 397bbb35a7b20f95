package runtime

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// allEvents is every event of the sequence, in 2.14's order.
var allEvents = []string{OnBeforeInit, OnInit, OnAfterInit, OnStart, OnSeeding, OnInitStorage, OnAfterInitStorage,
	OnInitComponents, OnAfterInitComponents, OnBeforeCreate, OnCreate, OnRestore, OnAfterCreate,
	OnBeforeExecute, OnExecute, OnBeforeExecuteIteration, OnExecuteIteration, OnAfterExecuteIteration, OnAfterExecute,
	OnBeforeDestroy, OnDestroy, OnAfterDestroy, OnSuccess, OnFailure, OnFinish}

// TestEventsList: Events, which warnings about unknown on_* functions
// check against, is the sequence and on_save.
func TestEventsList(t *testing.T) {
	if !slices.Equal(Events, append(slices.Clone(allEvents), OnSave)) {
		t.Errorf("Events = %v", Events)
	}
}

// tracer is a Go component that logs every event with its arguments as
// "tag:event(args)", tag being its config's "tag"; reply, if set, gives an
// event's return value (the event is logged first).
type tracer struct {
	log   *[]string
	reply map[string]EventFunc
}

func (tr tracer) component(events ...string) GoComponent {
	if len(events) == 0 {
		events = allEvents
	}
	c := GoComponent{}
	for _, ev := range events {
		c[ev] = func(ctx context.Context, self *Self, args ...any) (any, error) {
			*tr.log = append(*tr.log, fmt.Sprintf("%v:%s(%s)", self.Config["tag"], ev, describeArgs(ev, args)))
			if f := tr.reply[ev]; f != nil {
				return f(ctx, self, args...)
			}
			return nil, nil
		}
	}
	return c
}

func describeArgs(event string, args []any) string {
	if event == OnBeforeInit || event == OnInit {
		// (config, flags, node): the node tells the calls apart
		return "config, flags, " + describe(args[2])
	}
	var out []string
	for _, a := range args {
		out = append(out, describe(a))
	}
	return strings.Join(out, ", ")
}

func describe(a any) string {
	switch x := a.(type) {
	case nil:
		return "None"
	case *goInstance:
		return fmt.Sprint(x.self.Config["tag"])
	case []Instance:
		var tags []string
		for _, i := range x {
			tags = append(tags, describe(i))
		}
		return "[" + strings.Join(tags, " ") + "]"
	case []map[string]any:
		var tags []string
		for _, c := range x {
			tags = append(tags, describe(c))
		}
		return "[" + strings.Join(tags, " ") + "]"
	case map[string]any:
		if c, ok := x["config"].(map[string]any); ok {
			return "cfg " + fmt.Sprint(c["tag"])
		}
		if _, ok := x["url"]; ok {
			return fmt.Sprintf("storage %v", x["component"])
		}
	case *ExecutionError:
		return x.Reason + ": " + x.Error()
	}
	return fmt.Sprint(a)
}

func tagged(name, tag string) ComponentSpec {
	return ComponentSpec{Name: name, Version: Patch(map[string]any{"tag": tag})}
}

// stopAt returns Stop from on_execute_iteration at iteration n.
func stopAt(n int) EventFunc {
	return func(ctx context.Context, self *Self, args ...any) (any, error) {
		if args[0].(int) == n {
			return Stop, nil
		}
		return nil, nil
	}
}

// TestLifecycleOrderGo: every event of a node with two sub-components, in
// 2.14's order, with 2.x's arguments: init events at construction (the
// node's first, the sub-components' inside on_init_components), seeding
// and storage for the node only, on_init_components for the list then per
// sub-component with its index, sub-components created inside the node's
// create and destroyed inside its destroy, execution and end events for
// the node only; on_success and on_finish get on_execute's result.
func TestLifecycleOrderGo(t *testing.T) {
	var log []string
	tr := tracer{log: &log, reply: map[string]EventFunc{
		OnExecuteIteration: stopAt(1),
		OnExecute:          func(context.Context, *Self, ...any) (any, error) { return int64(42), nil },
	}}
	reg := NewRegistry()
	reg.Register("traced", tr.component())
	plan := NewExperiment().Node(tagged("traced", "n"), tagged("traced", "a"), tagged("traced", "b"))
	sched, outs := runOne(t, reg, plan, RunEnv{})
	if outs[0].Status != storage.StatusFinished {
		t.Fatal(outs[0].Error)
	}
	want := []string{
		"n:on_before_init(config, flags, None)", "n:on_init(config, flags, None)", "n:on_after_init()",
		"n:on_start()", "n:on_seeding()",
		"n:on_init_storage(storage " + sched[0].ID + ")", "n:on_after_init_storage(storage " + sched[0].ID + ")",
		"n:on_init_components([cfg a cfg b])",
		"n:on_init_components(cfg a, 0)",
		"a:on_before_init(config, flags, n)", "a:on_init(config, flags, n)", "a:on_after_init()",
		"n:on_after_init_components(a, 0)",
		"n:on_init_components(cfg b, 1)",
		"b:on_before_init(config, flags, n)", "b:on_init(config, flags, n)", "b:on_after_init()",
		"n:on_after_init_components(b, 1)",
		"n:on_after_init_components([a b])",
		"n:on_before_create()",
		"a:on_before_create()", "a:on_create()", "a:on_after_create()",
		"b:on_before_create()", "b:on_create()", "b:on_after_create()",
		"n:on_create(a, b)", "n:on_after_create()",
		"n:on_before_execute()", "n:on_execute()",
		"n:on_before_execute_iteration(0)", "n:on_execute_iteration(0)", "n:on_after_execute_iteration(0)",
		"n:on_before_execute_iteration(1)", "n:on_execute_iteration(1)", "n:on_after_execute_iteration(1)",
		"n:on_after_execute()",
		"n:on_before_destroy()",
		"a:on_before_destroy()", "a:on_destroy()", "a:on_after_destroy()",
		"b:on_before_destroy()", "b:on_destroy()", "b:on_after_destroy()",
		"n:on_destroy()", "n:on_after_destroy()",
		"n:on_success(42)", "n:on_finish(42, true)",
	}
	if !reflect.DeepEqual(log, want) {
		t.Errorf("events:\n got %q\nwant %q", log, want)
	}
}

// TestInitComponentsProtocolGo: on_init_components(list) returning False
// builds no sub-component (on_create gets none, no sub-component event
// runs); False for one (config, index) skips that one, and the next takes
// its index: index is the position among the sub-components built, as 2.x.
func TestInitComponentsProtocolGo(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply EventFunc
		want  []string
		built int
	}{
		{"none", func(ctx context.Context, self *Self, args ...any) (any, error) {
			return len(args) == 2, nil // False for the list
		}, []string{
			"n:on_init_components([cfg a cfg b])", "n:on_before_create()", "n:on_create()",
		}, 0},
		{"skip a", func(ctx context.Context, self *Self, args ...any) (any, error) {
			if len(args) == 2 && describe(args[0]) == "cfg a" {
				return false, nil
			}
			return nil, nil
		}, []string{
			"n:on_init_components([cfg a cfg b])", "n:on_init_components(cfg a, 0)", "n:on_init_components(cfg b, 0)",
			"b:on_init(config, flags, n)", "n:on_after_init_components(b, 0)", "n:on_after_init_components([b])",
			"n:on_before_create()", "b:on_create()", "n:on_create(b)",
			"b:on_destroy()",
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log []string
			tr := tracer{log: &log, reply: map[string]EventFunc{OnInitComponents: tc.reply}}
			reg := NewRegistry()
			reg.Register("sub", tr.component(OnInit, OnCreate, OnDestroy))
			node := tr.component(OnInitComponents, OnAfterInitComponents, OnBeforeCreate, OnCreate)
			built := -1
			node[OnExecute] = func(ctx context.Context, self *Self, args ...any) (any, error) {
				built = len(self.Components)
				return nil, nil
			}
			reg.Register("node", node)
			plan := NewExperiment().Node(tagged("node", "n"), tagged("sub", "a"), tagged("sub", "b"))
			_, outs := runOne(t, reg, plan, RunEnv{})
			if outs[0].Status != storage.StatusFinished {
				t.Fatal(outs[0].Error)
			}
			if !reflect.DeepEqual(log, tc.want) {
				t.Errorf("events:\n got %q\nwant %q", log, tc.want)
			}
			if built != tc.built {
				t.Errorf("self.Components has %d, want %d", built, tc.built)
			}
		})
	}
}

// TestFailureEventsGo: a failing on_execute skips the rest (no destroy),
// then on_failure and on_finish(…, false) receive the error, and the
// component ends failed with it. An error in on_failure or on_finish is
// logged and follows the original error, which stays first.
func TestFailureEventsGo(t *testing.T) {
	boom := func(context.Context, *Self, ...any) (any, error) { return nil, errors.New("boom") }
	var log []string
	tr := tracer{log: &log, reply: map[string]EventFunc{OnExecute: boom}}
	reg := NewRegistry()
	reg.Register("failing", tr.component(OnExecute, OnAfterExecute, OnDestroy, OnSuccess, OnFailure, OnFinish))
	tr2 := tracer{log: &log, reply: map[string]EventFunc{OnExecute: boom, OnFailure: func(context.Context, *Self, ...any) (any, error) {
		return nil, errors.New("cleanup broke")
	}}}
	reg.Register("worse", tr2.component(OnExecute, OnFailure, OnFinish))
	_, outs := runOne(t, reg, NewExperiment().Component(tagged("failing", "f")).Component(tagged("worse", "w")), RunEnv{})
	want := []string{
		"f:on_execute()", "f:on_failure(exception: on_execute: boom)", "f:on_finish(exception: on_execute: boom, false)",
		"w:on_execute()", "w:on_failure(exception: on_execute: boom)", "w:on_finish(exception: on_execute: boom, false)",
	}
	if !reflect.DeepEqual(log, want) {
		t.Errorf("events:\n got %q\nwant %q", log, want)
	}
	if outs[0].Status != storage.StatusFailed || outs[0].Error != "on_execute: boom" {
		t.Errorf("failing: %+v", outs[0])
	}
	if outs[1].Status != storage.StatusFailed || outs[1].Error != "on_execute: boom\nthen on_failure: cleanup broke" {
		t.Errorf("worse: %q", outs[1].Error)
	}
}

// TestEndEventsGo: an error in on_success turns the run into a failure
// (2.x); a Go panic in an event reaches on_failure like any error.
func TestEndEventsGo(t *testing.T) {
	var log []string
	tr := tracer{log: &log, reply: map[string]EventFunc{OnSuccess: func(context.Context, *Self, ...any) (any, error) {
		return nil, errors.New("not good enough")
	}}}
	reg := NewRegistry()
	reg.Register("picky", tr.component(OnSuccess, OnFailure, OnFinish))
	panics := tracer{log: &log, reply: map[string]EventFunc{OnExecute: func(context.Context, *Self, ...any) (any, error) {
		var m map[string]int
		m["x"] = 1
		return nil, nil
	}}}
	reg.Register("panics", panics.component(OnExecute, OnFailure))
	_, outs := runOne(t, reg, NewExperiment().Component(tagged("picky", "p")).Component(tagged("panics", "x")), RunEnv{})
	want := []string{
		"p:on_success(None)", "p:on_failure(exception: on_success: not good enough)",
		"p:on_finish(exception: on_success: not good enough, false)",
		"x:on_execute()",
	}
	if len(log) != 5 || !reflect.DeepEqual(log[:4], want) || !strings.HasPrefix(log[4], "x:on_failure(exception: on_execute: panic: assignment to entry in nil map") {
		t.Errorf("events:\n got %q\nwant %q and x:on_failure(...panic...)", log, want)
	}
	if outs[0].Status != storage.StatusFailed || outs[0].Error != "on_success: not good enough" {
		t.Errorf("picky: %+v", outs[0])
	}
	if outs[1].Status != storage.StatusFailed {
		t.Errorf("panics: %+v", outs[1])
	}
}

// TestInterruptEventsGo: a cancelled run calls on_failure and on_finish
// with reason user_interrupt (2.x's KeyboardInterrupt), with a context of
// their own, and ends interrupted.
func TestInterruptEventsGo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log []string
	var endCtxErr error
	tr := tracer{log: &log, reply: map[string]EventFunc{
		OnExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
			cancel()
			<-ctx.Done()
			return nil, ctx.Err()
		},
		OnFinish: func(ctx context.Context, self *Self, args ...any) (any, error) {
			endCtxErr = ctx.Err()
			return nil, nil
		},
	}}
	reg := NewRegistry()
	reg.Register("slow", tr.component(OnExecute, OnDestroy, OnFailure, OnFinish))
	sched, env := prepareRun(t, reg, NewExperiment().Component(tagged("slow", "s")))
	out := RunComponent(ctx, env, &sched[0])
	want := []string{"s:on_execute()", "s:on_failure(user_interrupt: on_execute: context canceled)",
		"s:on_finish(user_interrupt: on_execute: context canceled, false)"}
	if !reflect.DeepEqual(log, want) || endCtxErr != nil {
		t.Errorf("events:\n got %q (ctx %v)\nwant %q", log, endCtxErr, want)
	}
	if out.Status != storage.StatusInterrupted {
		t.Errorf("status %s: %s", out.Status, out.Error)
	}
}

// TestIterationProtocolGo: only Stop ends the loop, returned (after
// on_after_execute_iteration, whose row is saved) or raised (return nil,
// Stop: on_after_execute_iteration skipped, the row saved after
// on_after_execute without _iteration); False from on_execute_iteration
// goes on; False from on_after_execute_iteration keeps the row pending.
// A Stop raised by on_execute is its result. TUNING skips the loop.
func TestIterationProtocolGo(t *testing.T) {
	iterate := func(returnFalseAt, noSaveAt int, stop func(i int) (any, error)) GoComponent {
		return GoComponent{
			OnExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
				return nil, Stop // raised: on_success receives Stop
			},
			OnExecuteIteration: func(ctx context.Context, self *Self, args ...any) (any, error) {
				i := args[0].(int)
				self.Record.Set(fmt.Sprintf("i%d", i), i)
				if i == returnFalseAt {
					return false, nil
				}
				return stop(i)
			},
			OnAfterExecuteIteration: func(ctx context.Context, self *Self, args ...any) (any, error) {
				self.Attrs["after"] = append(self.Attrs["after"].([]int), args[0].(int))
				return args[0].(int) != noSaveAt, nil
			},
			OnAfterInit: func(ctx context.Context, self *Self, args ...any) (any, error) {
				self.Attrs["after"] = []int{}
				return nil, nil
			},
			OnSuccess: func(ctx context.Context, self *Self, args ...any) (any, error) {
				if args[0] != Stop {
					return nil, fmt.Errorf("result %v", args[0])
				}
				rows, err := self.Store.ReadRecords("default")
				if err != nil {
					return nil, err
				}
				var keys []string
				for _, r := range rows {
					var ks []string
					for k := range r {
						if k == "_iteration" || !strings.HasPrefix(k, "_") { // not the meta fields
							ks = append(ks, k)
						}
					}
					sortStrings(ks)
					keys = append(keys, strings.Join(ks, ","))
				}
				return nil, self.Store.StoreWrite("rows", map[string]any{"rows": strings.Join(keys, " | "),
					"after": fmt.Sprint(self.Attrs["after"])}, false)
			},
		}
	}
	reg := NewRegistry()
	reg.Register("returned", iterate(1, 2, func(i int) (any, error) {
		if i == 3 {
			return Stop, nil
		}
		return nil, nil
	}))
	reg.Register("raised", iterate(-1, -1, func(i int) (any, error) {
		if i == 2 {
			return nil, Stop
		}
		return nil, nil
	}))
	reg.Register("tuning", iterate(-1, -1, func(i int) (any, error) { return nil, errors.New("iterated") }))
	plan := NewExperiment().Component(ComponentSpec{Name: "returned"}).Component(ComponentSpec{Name: "raised"}).
		Component(ComponentSpec{Name: "tuning", Flags: map[string]any{"TUNING": true}})
	st, _ := storage.Open("mem://" + t.Name() + time.Now().String())
	sched, err := (&Resolver{Registry: reg}).Resolve(context.Background(), plan, 7957417341)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.CreateExperiment("", "8gWVkz")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for i := range sched {
		out := RunComponent(context.Background(), RunEnv{Execution: &Execution{Schedule: sched}, Experiment: exp, Registry: reg}, &sched[i])
		if out.Status != storage.StatusFinished {
			t.Fatalf("%s: %s", sched[i].Name, out.Error)
		}
		c, _ := exp.OpenComponent(sched[i].ID)
		got[sched[i].Name], _ = c.StoreRead("rows")
	}
	want := map[string]any{
		// i1 returned False and went on; i2's row waited for i3's save
		"returned": map[string]any{"rows": "_iteration,i0 | _iteration,i1 | _iteration,i2,i3", "after": "[0 1 2 3]"},
		// raised at 2: no on_after_execute_iteration(2); its row is saved at the end
		"raised": map[string]any{"rows": "_iteration,i0 | _iteration,i1 | i2", "after": "[0 1]"},
		"tuning": map[string]any{"rows": "", "after": "[]"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestInitEventsGo: on_before_init and on_init receive (config, flags,
// node) and a returned tuple replaces config and flags; on_init returning
// False leaves the component without config and flags (so unseeded) and
// skips on_after_init; on_before_init may not replace the node.
func TestInitEventsGo(t *testing.T) {
	seen := map[string]any{}
	reg := NewRegistry()
	reg.Register("replaces", GoComponent{
		OnBeforeInit: func(ctx context.Context, self *Self, args ...any) (any, error) {
			config := map[string]any{"lr": 0.5, "seen": args[0].(map[string]any)["lr"]}
			flags := args[1].(map[string]any)
			flags["EXTRA"] = "x"
			return []any{config, flags, args[2]}, nil
		},
		OnInit: func(ctx context.Context, self *Self, args ...any) (any, error) {
			seen["on_init config"] = args[0]
			return []any{map[string]any{"lr": 0.25}, args[1], "ignored"}, nil
		},
		OnExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
			seen["config"], seen["extra"] = self.Config, self.Flags["EXTRA"]
			return nil, nil
		},
	})
	reg.Register("uninitialised", GoComponent{
		OnInit: func(ctx context.Context, self *Self, args ...any) (any, error) { return false, nil },
		OnAfterInit: func(ctx context.Context, self *Self, args ...any) (any, error) {
			return nil, errors.New("on_after_init ran")
		},
		OnExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
			seen["empty"] = len(self.Config) + len(self.Flags)
			return nil, nil
		},
	})
	reg.Register("orphan", GoComponent{})
	reg.Register("adopts", GoComponent{
		OnBeforeInit: func(ctx context.Context, self *Self, args ...any) (any, error) {
			return []any{args[0], args[1], nil}, nil
		},
	})
	plan := NewExperiment().Component(ComponentSpec{Name: "replaces", Version: Patch(map[string]any{"lr": 0.1})}).
		Component(ComponentSpec{Name: "uninitialised", Version: Patch(map[string]any{"lr": 0.1})}).
		Node(ComponentSpec{Name: "orphan"}, ComponentSpec{Name: "adopts"})
	_, outs := runOne(t, reg, plan, RunEnv{})
	for _, o := range outs[:2] {
		if o.Status != storage.StatusFinished {
			t.Fatal(o.Error)
		}
	}
	want := map[string]any{
		"on_init config": map[string]any{"lr": 0.5, "seen": 0.1},
		"config":         map[string]any{"lr": 0.25},
		"extra":          "x",
		"empty":          0,
	}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("got  %v\nwant %v", seen, want)
	}
	if outs[2].Status != storage.StatusFailed || !strings.Contains(outs[2].Error, "sub-component adopts") ||
		!strings.Contains(outs[2].Error, "on_before_init: returned another node") {
		t.Errorf("adopts: %s %s", outs[2].Status, outs[2].Error)
	}
}

// TestInitFailureGo: an error in the node's init events ends the run
// before it starts (2.x raises in the constructor): no end event runs; an
// error in a sub-component's init events is the node's failure.
func TestInitFailureGo(t *testing.T) {
	var log []string
	fails := func(context.Context, *Self, ...any) (any, error) { return nil, errors.New("no") }
	reg := NewRegistry()
	reg.Register("broken", tracer{log: &log, reply: map[string]EventFunc{OnInit: fails}}.component(OnInit, OnStart, OnFailure, OnFinish))
	reg.Register("node", tracer{log: &log}.component(OnStart, OnFailure))
	plan := NewExperiment().Component(tagged("broken", "b")).Node(tagged("node", "n"), tagged("broken", "s"))
	_, outs := runOne(t, reg, plan, RunEnv{})
	want := []string{"b:on_init(config, flags, None)",
		"n:on_start()", "s:on_init(config, flags, n)", "n:on_failure(exception: sub-component broken (" + outs[1].Component.Components[0].ID + "): on_init: no)"}
	if !reflect.DeepEqual(log, want) {
		t.Errorf("events:\n got %q\nwant %q", log, want)
	}
	if outs[0].Status != storage.StatusFailed || outs[0].Error != "on_init: no" || outs[1].Status != storage.StatusFailed {
		t.Errorf("outcomes %+v", outs)
	}
}

// TestSeedingAndInitDrawsGo: draws in on_init come from the unseeded
// stream; the default seeding (after on_seeding) reseeds it with SEED, so
// draws from then on equal python3's random.Random(SEED); sub-components
// draw from their node's stream.
func TestSeedingAndInitDrawsGo(t *testing.T) {
	draws := map[string][]float64{}
	draw := func(key string) EventFunc {
		return func(ctx context.Context, self *Self, args ...any) (any, error) {
			draws[key] = append(draws[key], self.Random.Random())
			return nil, nil
		}
	}
	reg := NewRegistry()
	reg.Register("node", GoComponent{OnInit: draw("init"), OnExecute: draw("node")})
	reg.Register("sub", GoComponent{OnCreate: draw("sub")})
	reg.Register("unseeded", GoComponent{OnSeeding: func(context.Context, *Self, ...any) (any, error) { return false, nil },
		OnExecute: draw("unseeded")})
	plan := NewExperiment().Node(ComponentSpec{Name: "node"}, ComponentSpec{Name: "sub"}).Component(ComponentSpec{Name: "unseeded"})
	sched, outs := runOne(t, reg, plan, RunEnv{})
	for _, o := range outs {
		if o.Status != storage.StatusFinished {
			t.Fatal(o.Error)
		}
	}
	r, _ := NewRandom()
	r.Seed(sched[0].Flags["SEED"].(int64))
	first, second := r.Random(), r.Random()
	if len(draws["sub"]) != 1 || draws["sub"][0] != first || len(draws["node"]) != 1 || draws["node"][0] != second {
		t.Errorf("after seeding: sub %v node %v, want %v then %v", draws["sub"], draws["node"], first, second)
	}
	if len(draws["init"]) != 1 || draws["init"][0] == first {
		t.Errorf("on_init drew %v, from the seeded stream", draws["init"])
	}
	r.Seed(sched[1].Flags["SEED"].(int64))
	if v := r.Random(); len(draws["unseeded"]) != 1 || draws["unseeded"][0] == v {
		t.Errorf("on_seeding False: drew %v, the SEED stream's %v", draws["unseeded"], v)
	}
}

// TestRestoreAndCreateArgsGo: on_restore runs between on_create and
// on_after_create only with a checkpoint.
func TestRestoreAndCreateArgsGo(t *testing.T) {
	var log []string
	reg := NewRegistry()
	reg.Register("c", tracer{log: &log}.component(OnCreate, OnRestore, OnAfterCreate))
	plan := NewExperiment().Component(ComponentSpec{Name: "c", Version: Patch(map[string]any{"tag": "x"}), Checkpoint: "ckpt"}).
		Component(tagged("c", "y"))
	_, outs := runOne(t, reg, plan, RunEnv{})
	if outs[0].Status != storage.StatusFinished {
		t.Fatal(outs[0].Error)
	}
	want := []string{"x:on_create()", "x:on_restore(ckpt)", "x:on_after_create()", "y:on_create()", "y:on_after_create()"}
	if !reflect.DeepEqual(log, want) {
		t.Errorf("events:\n got %q\nwant %q", log, want)
	}
}
