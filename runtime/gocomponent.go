package runtime

import "context"

// EventFunc handles one life-cycle event of a Go component. args are the
// event's arguments (see the On* constants): the node and sub-components
// arrive as Instance values (their Self is also on self.Node and
// self.Components), configs as map[string]any, iterations and indexes as
// int, the error of a failed run as *ExecutionError. The value returned
// is the event's reply: false, Stop, a (config, flags, node) []any for
// on_before_init/on_init, on_execute's result. Returning an error fails
// the component; returning Stop as the error raises it.
type EventFunc func(ctx context.Context, self *Self, args ...any) (any, error)

// GoComponent is a component written in Go as a table of event functions,
// keyed by event name ("on_execute", "on_execute_iteration", ...). Register
// it with Registry.Register(name, GoComponent{...}); every instance shares
// the table and keeps its state on Self.Attrs. The events run in the same
// order, with the same arguments, as a Starlark component's.
type GoComponent map[string]EventFunc

// New implements Factory.
func (g GoComponent) New(ctx context.Context, self *Self) (Instance, error) {
	return &goInstance{events: g, self: self}, nil
}

type goInstance struct {
	events GoComponent
	self   *Self
}

// Has reports whether the table has a function for the event.
func (g *goInstance) Has(event string) bool { _, ok := g.events[event]; return ok }

// Call runs the event's function with the instance's Self.
func (g *goInstance) Call(ctx context.Context, event string, args ...any) (any, error) {
	return g.events[event](ctx, g.self, args...)
}
