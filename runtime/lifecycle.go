package runtime

import (
	"context"
	"errors"
	"fmt"
)

// Life-cycle events, in the order the runtime calls them (SPEC §4.2).
const (
	OnSeeding                = "on_seeding"                  // returning False skips seeding the random stream with SEED
	OnInit                   = "on_init"                     // first event after seeding
	OnBeforeCreate           = "on_before_create"            // a node's sub-components are created before it
	OnCreate                 = "on_create"                   // a node receives its sub-components as arguments
	OnRestore                = "on_restore"                  // with the checkpoint; only when there is one
	OnAfterCreate            = "on_after_create"             // after on_restore, if any
	OnBeforeExecute          = "on_before_execute"           // execution events run for the scheduled component, not its sub-components
	OnExecute                = "on_execute"                  // the component's main work
	OnBeforeExecuteIteration = "on_before_execute_iteration" // with the iteration number i (also the flag ITERATION)
	OnExecuteIteration       = "on_execute_iteration"        // with i; defining it starts the loop; Stop or False ends it
	OnAfterExecuteIteration  = "on_after_execute_iteration"  // with i, after the pending record row is saved; False ends the loop
	OnAfterExecute           = "on_after_execute"            // after on_execute and the iteration loop
	OnBeforeDestroy          = "on_before_destroy"           // only after a successful execution
	OnDestroy                = "on_destroy"                  // sub-components are destroyed after their node
	OnAfterDestroy           = "on_after_destroy"            // the last event
	OnSave                   = "on_save"                     // not in the sequence: save_checkpoint calls it with (path, timestep)
)

// Stop is returned by an iteration event to end the iteration loop (the
// Starlark StopIteration sentinel maps to it).
var Stop = stopIteration{}

type stopIteration struct{}

// String is the Starlark name of the sentinel.
func (stopIteration) String() string { return "StopIteration" }

// component pairs a live instance with its Self.
type component struct {
	inst    Instance
	self    *Self
	requeue *requeueState // nil for sub-components
}

// call runs an event if the component defines it.
func (c component) call(ctx context.Context, event string, args ...any) (any, bool, error) {
	if !c.inst.Has(event) {
		return nil, false, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, true, err
	}
	v, err := c.inst.Call(ctx, event, args...)
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

// seed runs on_seeding and, unless it returns False, the default seeding:
// the component's random stream (Starlark's random, Go's Self.Rand) is
// reseeded with SEED.
func (c component) seed(ctx context.Context) error {
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

// create runs the creation events; a node receives its sub-components.
func (c component) create(ctx context.Context, subs []component) error {
	if err := c.seed(ctx); err != nil {
		return err
	}
	for _, ev := range []string{OnInit, OnBeforeCreate} {
		if _, _, err := c.call(ctx, ev); err != nil {
			return err
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

// execute runs on_execute and the iteration protocol, saving the pending
// record row after each iteration.
func (c component) execute(ctx context.Context) error {
	for _, ev := range []string{OnBeforeExecute, OnExecute} {
		if _, _, err := c.call(ctx, ev); err != nil {
			return err
		}
	}
	if c.inst.Has(OnExecuteIteration) {
		for i := 0; ; i++ {
			c.self.Iteration = i
			c.self.Flags["ITERATION"] = int64(i)
			if _, _, err := c.call(ctx, OnBeforeExecuteIteration, i); err != nil {
				return err
			}
			v, _, err := c.call(ctx, OnExecuteIteration, i)
			if err != nil {
				return err
			}
			if c.self.Record.Pending() {
				if err := c.self.Record.Save(); err != nil {
					return err
				}
			}
			after, _, err := c.call(ctx, OnAfterExecuteIteration, i)
			if err != nil {
				return err
			}
			if v == Stop || isFalse(v) || isFalse(after) {
				break
			}
			if c.requeue.requested() {
				return c.checkpointForRequeue(ctx, i)
			}
		}
		c.self.Iteration = -1
		delete(c.self.Flags, "ITERATION")
	}
	_, _, err := c.call(ctx, OnAfterExecute)
	return err
}

func (c component) destroy(ctx context.Context) error {
	for _, ev := range []string{OnBeforeDestroy, OnDestroy, OnAfterDestroy} {
		if _, _, err := c.call(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

// runLifecycle drives a node and its sub-components through every event:
// sub-components are created first and handed to the node's on_create;
// only the node executes; sub-components are destroyed after the node.
func runLifecycle(ctx context.Context, node component, subs []component) error {
	for _, s := range subs {
		if err := s.create(ctx, nil); err != nil {
			return fmt.Errorf("sub-component %s (%s): %w", s.self.Name, s.self.ID, err)
		}
	}
	if err := node.create(ctx, subs); err != nil {
		return err
	}
	if err := node.execute(ctx); err != nil {
		return err
	}
	if node.self.Record.Pending() {
		if err := node.self.Record.Save(); err != nil {
			return err
		}
	}
	if err := node.destroy(ctx); err != nil {
		return err
	}
	for _, s := range subs {
		if err := s.destroy(ctx); err != nil {
			return fmt.Errorf("sub-component %s (%s): %w", s.self.Name, s.self.ID, err)
		}
	}
	return nil
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
func (c component) checkpointForRequeue(ctx context.Context, i int) error {
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
