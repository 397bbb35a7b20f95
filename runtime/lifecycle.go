package runtime

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// Life-cycle events, in the order the runtime calls them: machinable
// 2.14's full list and order (SPEC §1b, §4.2). Events marked "node only"
// run for the scheduled component, never for its sub-components, which
// receive only the init, create and destroy events.
const (
	// Construction: the node's before anything else; a sub-component's
	// inside its node's on_init_components loop.
	OnBeforeInit = "on_before_init" // (config, flags, node); a returned (config, flags, node) replaces them
	OnInit       = "on_init"        // (config, flags, node); False: no config, no flags, no on_after_init; a returned tuple replaces config and flags
	OnAfterInit  = "on_after_init"  // draws made up to here come before seeding

	OnStart               = "on_start"                 // node only: the first event of the run
	OnSeeding             = "on_seeding"               // node only; returning False skips seeding the random stream with SEED
	OnInitStorage         = "on_init_storage"          // node only; (storage config)
	OnAfterInitStorage    = "on_after_init_storage"    // node only; (storage config)
	OnInitComponents      = "on_init_components"       // node only; (configs): False builds no sub-component; then (config, index) per sub-component: False skips it
	OnAfterInitComponents = "on_after_init_components" // node only; (component, index) per built sub-component, then (components)

	OnBeforeCreate = "on_before_create" // a node's sub-components are created after it
	OnCreate       = "on_create"        // a node receives its sub-components as arguments
	OnRestore      = "on_restore"       // (checkpoint); only when there is one
	OnAfterCreate  = "on_after_create"  // after on_restore, if any

	OnBeforeExecute          = "on_before_execute"           // node only
	OnExecute                = "on_execute"                  // node only; its return value is the result; a raised Stop is the result too
	OnBeforeExecuteIteration = "on_before_execute_iteration" // (i), also the flag ITERATION
	OnExecuteIteration       = "on_execute_iteration"        // (i); defining it starts the loop; only a returned or raised Stop ends it
	OnAfterExecuteIteration  = "on_after_execute_iteration"  // (i); skipped after a raised Stop; False: the pending row is not saved
	OnAfterExecute           = "on_after_execute"            // after on_execute and the iteration loop

	OnBeforeDestroy = "on_before_destroy" // only after a successful execution
	OnDestroy       = "on_destroy"        // a node's sub-components are destroyed just before it
	OnAfterDestroy  = "on_after_destroy"

	OnSuccess = "on_success" // node only; (result) after a successful run
	OnFailure = "on_failure" // node only; (*ExecutionError) after a failed or interrupted run
	OnFinish  = "on_finish"  // node only; (result, true) or (*ExecutionError, false): the last event

	OnSave = "on_save" // not in the sequence: save_checkpoint calls it with (path, timestep)
)

// Events lists every life-cycle event a component may define, in the
// order of the sequence, then on_save.
var Events = []string{
	OnBeforeInit, OnInit, OnAfterInit,
	OnStart, OnSeeding, OnInitStorage, OnAfterInitStorage, OnInitComponents, OnAfterInitComponents,
	OnBeforeCreate, OnCreate, OnRestore, OnAfterCreate,
	OnBeforeExecute, OnExecute, OnBeforeExecuteIteration, OnExecuteIteration, OnAfterExecuteIteration, OnAfterExecute,
	OnBeforeDestroy, OnDestroy, OnAfterDestroy,
	OnSuccess, OnFailure, OnFinish,
	OnSave,
}

// Stop ends the iteration loop when an iteration event returns it
// (`return Stop, nil`) or raises it (`return nil, Stop`: it is an error
// too). The Starlark StopIteration sentinel maps to it, returned or
// raised with fail(StopIteration).
var Stop = stopIteration{}

type stopIteration struct{}

// String is the Starlark name of the sentinel.
func (stopIteration) String() string { return "StopIteration" }

// Error makes Stop an error, so that returning it as one "raises" it.
func (stopIteration) Error() string { return "StopIteration" }

// ExecutionError is what on_failure and on_finish receive when a run
// fails, as 2.x's ExecutionException: the error and why.
type ExecutionError struct {
	// Reason is "exception", or "user_interrupt" when the run was
	// cancelled (Ctrl-C, SIGTERM).
	Reason string
	Err    error // the error that ended the run
}

// Error is the message of the error that ended the run.
func (e *ExecutionError) Error() string { return e.Err.Error() }

// Unwrap returns the error that ended the run.
func (e *ExecutionError) Unwrap() error { return e.Err }

// EndEventGrace bounds on_failure and on_finish after an interrupt: the
// run's context is cancelled by then, so they get one of their own.
var EndEventGrace = 10 * time.Second

// component pairs a live instance with its Self.
type component struct {
	inst    Instance
	self    *Self
	requeue *requeueState // nil for sub-components
}

// call runs an event if the component defines it; a Go panic in the event
// becomes its error.
func (c *component) call(ctx context.Context, event string, args ...any) (v any, defined bool, err error) {
	if !c.inst.Has(event) {
		return nil, false, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, true, err
	}
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, &EventError{Event: event, Err: fmt.Errorf("panic: %v\n%s", r, debug.Stack())}
		}
	}()
	v, err = c.inst.Call(ctx, event, args...)
	if err != nil {
		return nil, true, &EventError{Event: event, Err: err}
	}
	return v, true, nil
}

// EventError says which event of a component failed.
type EventError struct {
	Event string // the event's name, e.g. "on_execute"
	Err   error  // what the event returned
}

// Error names the event and the error.
func (e *EventError) Error() string { return fmt.Sprintf("%s: %v", e.Event, e.Err) }

// Unwrap returns the event's error.
func (e *EventError) Unwrap() error { return e.Err }

// isFalse reports whether an event returned False.
func isFalse(v any) bool { b, ok := v.(bool); return ok && !b }

// isTrue reports whether a flag is True.
func isTrue(v any) bool { b, ok := v.(bool); return ok && b }

// raised reports whether an event raised Stop.
func raised(err error) bool { return errors.Is(err, Stop) }

// lifecycle is one run of a scheduled component: the node, and what it
// needs to build its sub-components in on_init_components.
type lifecycle struct {
	node *component
	// specs are the node's sub-components, built (and constructed) one by
	// one unless on_init_components refuses them.
	specs []ScheduledComponent
	// build makes a sub-component's Self and instance; its init events
	// have not run yet.
	build func(spec *ScheduledComponent, node *component) (*component, error)
	// storage is what on_init_storage and on_after_init_storage receive.
	storage map[string]any
}

// runLifecycle drives a scheduled component through every event, in
// 2.14's order: construction (init events), then the run — on_start,
// seeding, storage events, sub-components built in on_init_components,
// create, execute, destroy — and last on_success or on_failure, then
// on_finish. An error in the node's init events ends the run before it
// starts, so no end event runs for it (as 2.x, where the constructor
// raises before dispatch).
func runLifecycle(ctx context.Context, l lifecycle) error {
	if err := l.node.construct(ctx, nil); err != nil {
		return err
	}
	result, err := l.run(ctx)
	return l.node.end(ctx, result, err)
}

// run is 2.x's dispatch without its end events: it returns on_execute's
// result.
func (l lifecycle) run(ctx context.Context) (any, error) {
	n := l.node
	if _, _, err := n.call(ctx, OnStart); err != nil {
		return nil, err
	}
	if err := n.seed(ctx); err != nil {
		return nil, err
	}
	if _, _, err := n.call(ctx, OnInitStorage, jsonvalue.DeepCopy(l.storage)); err != nil {
		return nil, err
	}
	if _, _, err := n.call(ctx, OnAfterInitStorage, jsonvalue.DeepCopy(l.storage)); err != nil {
		return nil, err
	}
	subs, err := l.initComponents(ctx)
	if err != nil {
		return nil, err
	}
	if err := n.create(ctx, subs); err != nil {
		return nil, err
	}
	result, err := n.execute(ctx)
	if err != nil {
		return nil, err
	}
	if n.self.Record.Pending() {
		if err := n.self.Record.Save(); err != nil {
			return nil, err
		}
	}
	if err := n.destroy(ctx, subs); err != nil {
		return nil, err
	}
	return result, nil
}

// construct runs the init events, as 2.x's constructor does. node is nil
// for a node, else the sub-component's node; events receive its instance.
func (c *component) construct(ctx context.Context, node *component) error {
	var nodeArg any // an untyped nil for a node, so Starlark sees None
	if node != nil {
		nodeArg = node.inst
	}
	v, _, err := c.call(ctx, OnBeforeInit, c.self.Config, c.self.Flags, nodeArg)
	if err != nil {
		return err
	}
	if err := c.replaceInit(OnBeforeInit, v, nodeArg); err != nil {
		return err
	}
	v, _, err = c.call(ctx, OnInit, c.self.Config, c.self.Flags, nodeArg)
	if err != nil {
		return err
	}
	if isFalse(v) {
		// 2.x then sets neither config nor flags (nor mixins) and skips
		// on_after_init; the component is left to initialise itself.
		c.self.Config, c.self.Flags = map[string]any{}, map[string]any{}
		return nil
	}
	if err := c.replaceInit(OnInit, v, nodeArg); err != nil {
		return err
	}
	_, _, err = c.call(ctx, OnAfterInit)
	return err
}

// replaceInit applies a (config, flags, node) tuple returned by
// on_before_init or on_init: config and flags replace the component's
// (None: empty). The node cannot change: on_before_init must return the
// one it received; on_init's is ignored, as in 2.14.
func (c *component) replaceInit(event string, v any, node any) error {
	t, ok := v.([]any)
	if !ok {
		return nil
	}
	if len(t) != 3 {
		return &EventError{Event: event, Err: fmt.Errorf("returned %d values; expected (config, flags, node)", len(t))}
	}
	config, err := initMap("config", t[0])
	if err != nil {
		return &EventError{Event: event, Err: err}
	}
	flags, err := initMap("flags", t[1])
	if err != nil {
		return &EventError{Event: event, Err: err}
	}
	if event == OnBeforeInit && t[2] != node {
		return &EventError{Event: event, Err: errors.New("returned another node; the node of a component cannot be replaced (return the node it received)")}
	}
	c.self.Config, c.self.Flags = config, flags
	return nil
}

func initMap(what string, v any) (map[string]any, error) {
	switch m := v.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return m, nil
	}
	return nil, fmt.Errorf("returned (config, flags, node) whose %s is %v (%T); expected a dict or None", what, v, v)
}

// seed runs on_seeding and, unless it returns False, the default seeding:
// the component's random stream (Starlark's random, Go's Self.Random and
// Self.Rand), shared with its sub-components, is reseeded with SEED.
func (c *component) seed(ctx context.Context) error {
	v, _, err := c.call(ctx, OnSeeding)
	if err != nil {
		return err
	}
	if isFalse(v) {
		return nil
	}
	if seed, ok := c.self.Flags["SEED"].(int64); ok && c.self.Random != nil {
		c.self.Random.Seed(seed)
	}
	return nil
}

// initComponents builds the sub-components with 2.x's protocol:
// on_init_components(configs) returning False builds none; otherwise it is
// called per sub-component with (config, index), False skipping that one,
// and each one built is constructed (its init events run) and announced
// with on_after_init_components(component, index); the list follows.
// index is the position the sub-component takes among those built.
func (l lifecycle) initComponents(ctx context.Context) ([]*component, error) {
	n := l.node
	configs := make([]map[string]any, len(l.specs))
	for i := range l.specs {
		configs[i] = subConfig(&l.specs[i])
	}
	v, _, err := n.call(ctx, OnInitComponents, configs)
	if err != nil || isFalse(v) {
		return nil, err
	}
	var subs []*component
	for i := range l.specs {
		index := len(subs)
		v, _, err := n.call(ctx, OnInitComponents, subConfig(&l.specs[i]), index)
		if err != nil {
			return nil, err
		}
		if isFalse(v) {
			continue
		}
		s, err := l.build(&l.specs[i], n)
		if err != nil {
			return nil, err
		}
		if err := s.construct(ctx, n); err != nil {
			return nil, subError(s, err)
		}
		subs = append(subs, s)
		n.self.Components = append(n.self.Components, s.self)
		if _, _, err := n.call(ctx, OnAfterInitComponents, s.inst, index); err != nil {
			return nil, err
		}
	}
	if _, _, err := n.call(ctx, OnAfterInitComponents, instances(subs)); err != nil {
		return nil, err
	}
	return subs, nil
}

// subConfig is what on_init_components sees of a sub-component: a copy
// of its name, module, config (also under 2.x's key "args") and flags.
func subConfig(s *ScheduledComponent) map[string]any {
	return map[string]any{"name": s.Name, "module": s.Module, "config": jsonvalue.DeepCopy(s.Config),
		"args": jsonvalue.DeepCopy(s.Config), "flags": jsonvalue.DeepCopy(s.Flags)}
}

func instances(cs []*component) []Instance {
	out := make([]Instance, len(cs))
	for i, c := range cs {
		out[i] = c.inst
	}
	return out
}

func subError(s *component, err error) error {
	return fmt.Errorf("sub-component %s (%s): %w", s.self.Name, s.self.ID, err)
}

// create runs the creation events. A node's sub-components are created
// between its on_before_create and its on_create, which receives them.
func (c *component) create(ctx context.Context, subs []*component) error {
	if _, _, err := c.call(ctx, OnBeforeCreate); err != nil {
		return err
	}
	for _, s := range subs {
		if err := s.create(ctx, nil); err != nil {
			return subError(s, err)
		}
	}
	args := make([]any, len(subs))
	for i, s := range subs {
		args[i] = s.inst
	}
	if _, _, err := c.call(ctx, OnCreate, args...); err != nil {
		return err
	}
	if c.self.Checkpoint != "" {
		if _, _, err := c.call(ctx, OnRestore, c.self.Checkpoint); err != nil {
			return err
		}
	}
	_, _, err := c.call(ctx, OnAfterCreate)
	return err
}

// execute runs on_execute and the iteration protocol, and returns
// on_execute's result.
//
// Iterations (unless the flag TUNING is True): before, iteration, after,
// for i = 0, 1, ... until on_execute_iteration returns or raises Stop.
// After each iteration not ended by a raised Stop, the pending record row
// is saved with _iteration unless on_after_execute_iteration returned
// False (then the row stays pending). A requeue request stops the loop at
// an iteration boundary.
func (c *component) execute(ctx context.Context) (any, error) {
	if _, _, err := c.call(ctx, OnBeforeExecute); err != nil {
		return nil, err
	}
	c.self.MarkExecuteStart() // after on_before_execute, as 2.0
	c.self.trial.setExecuting(true)
	result, _, err := c.call(ctx, OnExecute)
	if raised(err) {
		result, err = Stop, nil
	}
	if err != nil && c.self.trial.stopped() != nil {
		result, err = nil, nil // the trial's scheduler stopped it at a save
	}
	if err != nil {
		return nil, err
	}
	// 2.x left the iterations of a TUNING component to Ray Tune; trials
	// of the built-in tuning (they have TRIAL_NUMBER) run them here.
	_, trial := c.self.Flags[FlagTrialNumber]
	if c.inst.Has(OnExecuteIteration) && (!isTrue(c.self.Flags["TUNING"]) || trial) && c.self.trial.stopped() == nil {
		if err := c.iterate(ctx); err != nil {
			return nil, err
		}
	}
	c.self.trial.setExecuting(false)
	if _, _, err := c.call(ctx, OnAfterExecute); err != nil {
		return nil, err
	}
	return result, nil
}

func (c *component) iterate(ctx context.Context) error {
	// The flag ITERATION keeps the last iteration after the loop, as in
	// 2.x, which set it and never removed it.
	defer func() { c.self.Iteration = -1 }()
	for i := 0; ; i++ {
		c.self.Iteration = i
		c.self.Flags["ITERATION"] = int64(i)
		if _, _, err := c.call(ctx, OnBeforeExecuteIteration, i); err != nil {
			if c.self.trial.stopped() != nil {
				return nil
			}
			return err
		}
		v, _, err := c.call(ctx, OnExecuteIteration, i)
		if raised(err) || err != nil && c.self.trial.stopped() != nil {
			return nil
		} else if err != nil {
			return err
		}
		after, _, err := c.call(ctx, OnAfterExecuteIteration, i)
		if raised(err) || err != nil && c.self.trial.stopped() != nil {
			return nil
		} else if err != nil {
			return err
		}
		if !isFalse(after) && c.self.Record.Pending() {
			if err := c.self.Record.Save(); err != nil {
				if c.self.trial.stopped() != nil {
					return nil
				}
				return err
			}
		}
		if v == Stop {
			return nil
		}
		if c.requeue.requested() {
			return c.checkpointForRequeue(ctx, i)
		}
	}
}

// destroy runs the destroy events. A node's sub-components are destroyed
// between its on_before_destroy and its on_destroy.
func (c *component) destroy(ctx context.Context, subs []*component) error {
	if _, _, err := c.call(ctx, OnBeforeDestroy); err != nil {
		return err
	}
	for _, s := range subs {
		if err := s.destroy(ctx, nil); err != nil {
			return subError(s, err)
		}
	}
	for _, ev := range []string{OnDestroy, OnAfterDestroy} {
		if _, _, err := c.call(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

// end runs the end events of a run that returned result and err:
// on_success(result) then on_finish(result, true), or on_failure(failure)
// then on_finish(failure, false). An error in on_success turns the run
// into a failure (as 2.x); one in on_failure or on_finish is logged and
// added to the run's error, which stays first. A run stopped for a requeue
// is not over, so it gets no end event.
func (c *component) end(ctx context.Context, result any, err error) error {
	if err != nil && isRequeue(ctx, err) {
		return err
	}
	if err == nil {
		if _, _, err = c.call(ctx, OnSuccess, result); err == nil {
			_, _, err = c.call(ctx, OnFinish, result, true)
			return err
		}
	}
	failure := &ExecutionError{Reason: "exception", Err: err}
	if ctx.Err() != nil {
		// Interrupted: the end events get a context of their own, bounded.
		failure.Reason = "user_interrupt"
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), EndEventGrace)
		defer cancel()
	}
	var also []error
	for _, ev := range []struct {
		name string
		args []any
	}{{OnFailure, []any{failure}}, {OnFinish, []any{failure, false}}} {
		if _, _, e := c.call(ctx, ev.name, ev.args...); e != nil {
			also = append(also, e)
			if c.self.Log != nil {
				_ = c.self.Log.Log("ERROR", "after the component failed: "+e.Error())
			}
		}
	}
	if len(also) > 0 {
		return &endEventsError{err: err, also: also}
	}
	return err
}

// endEventsError is a run's error followed by those of its end events.
type endEventsError struct {
	err  error
	also []error
}

func (e *endEventsError) Error() string {
	s := e.err.Error()
	for _, a := range e.also {
		s += "\nthen " + a.Error()
	}
	return s
}

func (e *endEventsError) Unwrap() error { return e.err }

// isRequeue reports whether err ended a run stopped for a requeue.
func isRequeue(ctx context.Context, err error) bool {
	var rq *RequeueError
	return errors.As(err, &rq) || errors.Is(context.Cause(ctx), ErrRequeue)
}

// saveCheckpoint returns the function behind self.save_checkpoint().
func saveCheckpoint(ctx context.Context, c *component) func(timestep any) (string, error) {
	return func(timestep any) (string, error) {
		if !c.inst.Has(OnSave) {
			return "", errors.New("save_checkpoint: the component defines no on_save(path, timestep)")
		}
		path := fmt.Sprintf("checkpoints/%v", timestep)
		if timestep == nil {
			path = "checkpoints/latest"
		}
		v, _, err := c.call(ctx, OnSave, path, timestep)
		if err != nil {
			return "", err
		}
		if s, ok := v.(string); ok && s != "" {
			path = s
		}
		return path, nil
	}
}

// RequeueError ends a component that stopped for a requeue at an
// iteration boundary, with the checkpoint it saved ("" without on_save).
type RequeueError struct {
	Checkpoint string // path returned by on_save
}

// Error says why the component stopped.
func (e *RequeueError) Error() string { return "stopped to be requeued" }

// checkpointForRequeue saves a checkpoint through on_save (if defined)
// after iteration i, so the restarted component continues from it.
func (c *component) checkpointForRequeue(ctx context.Context, i int) error {
	if c.self.Record.Pending() {
		if err := c.self.Record.Save(); err != nil {
			return err
		}
	}
	if !c.inst.Has(OnSave) {
		return &RequeueError{}
	}
	path, err := c.self.SaveCheckpoint(i)
	if err != nil {
		return err
	}
	return &RequeueError{Checkpoint: path}
}
