package runtime

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Instance is a live component: something that answers life-cycle events.
// The dsl package implements it for .star modules; GoComponent adapts
// plain Go functions.
type Instance interface {
	// Has reports whether the component defines the event.
	Has(event string) bool
	// Call runs the event. Sub-components passed to on_create arrive as
	// Instance arguments.
	Call(ctx context.Context, event string, args ...any) (any, error)
}

// Factory makes instances of one component.
type Factory interface {
	// New makes a fresh instance each time the component (or a
	// sub-component) runs; self is its identity, config and store.
	New(ctx context.Context, self *Self) (Instance, error)
}

// ConfigMethods is implemented by factories whose code defines config
// methods: a config value "base_lr(0.01)" is replaced by the result of
// config_base_lr(self, 0.01) when the schedule is resolved.
type ConfigMethods interface {
	// ConfigMethod calls config_<name> with the whole config and the
	// parsed arguments; found is false when the code defines no such
	// method, and the value is then left as written.
	ConfigMethod(ctx context.Context, name string, config map[string]any, args []any) (value any, found bool, err error)
}

// Loader finds the code of a component by its module path inside a
// project, e.g. dsl's loader maps models.baseline to models/baseline.star.
type Loader interface {
	// Load returns the factory, or found=false when the loader has no code
	// for the module; the expected location goes into the user's error.
	Load(projectDir, module string) (f Factory, found bool, err error)
	// Expect describes where the loader looks, for error messages.
	Expect(projectDir, module string) string
}

// ErrNoCode is returned when no loader and no Go registration provides a
// component's code.
var ErrNoCode = errors.New("no code for component")

// Registry resolves component names to code: Go components registered by
// name first, then loaders in the order they were added.
type Registry struct {
	mu        sync.RWMutex
	factories map[string]Factory
	loaders   []Loader
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{factories: map[string]Factory{}} }

// Register makes a Go component available under name.
func (r *Registry) Register(name string, f Factory) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.factories[name] = f
}

// AddLoader adds a source of component code.
func (r *Registry) AddLoader(l Loader) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.loaders = append(r.loaders, l)
}

// Registered reports whether a Go component of that name exists.
func (r *Registry) Registered(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.factories[name]
	return ok
}

// Names lists the Go components.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var names []string
	for n := range r.factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup finds the code of a component.
func (r *Registry) Lookup(projectDir, name, module string) (Factory, error) {
	r.mu.RLock()
	f, ok := r.factories[name]
	loaders := r.loaders
	r.mu.RUnlock()
	if ok {
		return f, nil
	}
	if module == "" {
		module = name
	}
	var expect []string
	for _, l := range loaders {
		f, found, err := l.Load(projectDir, module)
		if err != nil {
			return nil, err
		}
		if found {
			return f, nil
		}
		expect = append(expect, l.Expect(projectDir, module))
	}
	msg := fmt.Sprintf("%s %q", ErrNoCode, name)
	if len(expect) > 0 {
		msg += fmt.Sprintf(": expected %s", joinOr(expect))
	}
	return nil, &codeError{msg: msg}
}

type codeError struct{ msg string }

// Error is the message naming the component and where code was expected.
func (e *codeError) Error() string { return e.msg }

// Is makes errors.Is(err, ErrNoCode) true.
func (e *codeError) Is(target error) bool {
	return target == ErrNoCode
}

func joinOr(items []string) string {
	switch len(items) {
	case 1:
		return items[0]
	case 2:
		return items[0] + " or " + items[1]
	}
	s := ""
	for i, it := range items {
		if i == len(items)-1 {
			s += "or " + it
		} else {
			s += it + ", "
		}
	}
	return s
}

// factoryFor picks the code of a component: an external program when its
// config has _exec_, else what Lookup finds.
func (r *Registry) factoryFor(projectDir, name, module string, config map[string]any) (Factory, error) {
	if _, ok := config[ExecKey]; ok {
		return commandFactory{}, nil
	}
	return r.Lookup(projectDir, name, module)
}
