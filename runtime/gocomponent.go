package runtime

import "context"

// EventFunc handles one life-cycle event of a Go component.
type EventFunc func(ctx context.Context, self *Self, args ...any) (any, error)

// GoComponent is a component written in Go as a table of event functions,
// keyed by event name ("on_execute", "on_execute_iteration", ...). Register
// it with Registry.Register(name, GoComponent{...}); every instance shares
// the table and keeps its state on Self.Attrs.
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
