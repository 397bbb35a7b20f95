package runtime

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/machinable-go/machinable/runtime/project"
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

// Warner is implemented by factories whose code looks wrong without
// being an error, e.g. a module defining on_exceute: the resolver passes
// the warnings on (printed once per execution, kept in its record).
type Warner interface {
	Warnings() []string
}

// ConfigMethods is implemented by factories whose code defines config
// methods: a config value "base_lr(0.01)" is replaced by the result of
// config_base_lr(self, 0.01) when the schedule is resolved.
type ConfigMethods interface {
	// ConfigMethod calls config_<name> with the whole config and the
	// parsed arguments; found is false when the code defines no such
	// method, and the value is then left as written.
	ConfigMethod(ctx context.Context, name string, config map[string]any, args []any, kwargs []project.KeyValue) (value any, found bool, err error)
}

// DefaultConfig is implemented by Go components that bring a default
// config, used when machinable.yaml has no entry for them (WithDefaults
// adds one to any factory). It may list mixins under _mixins_.
type DefaultConfig interface {
	DefaultConfig() map[string]any
}

// WithDefaults gives a Go component (or mixin) a default config: the
// config it has without an entry in machinable.yaml, before patches.
func WithDefaults(f Factory, config map[string]any) Factory {
	return withDefaults{Factory: f, config: config}
}

type withDefaults struct {
	Factory
	config map[string]any
}

// DefaultConfig implements DefaultConfig.
func (w withDefaults) DefaultConfig() map[string]any { return w.config }

// HasMixinFunc implements MixinCaller when the wrapped code does.
func (w withDefaults) HasMixinFunc(fn string) bool {
	c, ok := w.Factory.(MixinCaller)
	return ok && c.HasMixinFunc(fn)
}

// CallMixin implements MixinCaller when the wrapped code does.
func (w withDefaults) CallMixin(ctx context.Context, self *Self, fn string, args ...any) (any, error) {
	c, ok := w.Factory.(MixinCaller)
	if !ok {
		return nil, fmt.Errorf("%T cannot be called as a mixin", w.Factory)
	}
	return c.CallMixin(ctx, self, fn, args...)
}

// defaults is the default config of a Go component registered by name,
// with the defaults of the Go mixins it lists merged under it (the
// component wins, earlier mixins over later ones, as 2.x merges mixins).
func (r *Registry) defaults(name string) map[string]any {
	r.mu.RLock()
	f := r.factories[name]
	r.mu.RUnlock()
	d, ok := f.(DefaultConfig)
	if !ok {
		return nil
	}
	config := d.DefaultConfig()
	refs, err := parseMixins(config)
	if err != nil {
		return config
	}
	for _, ref := range refs {
		r.mu.RLock()
		m, ok := r.factories[ref.Name].(DefaultConfig)
		r.mu.RUnlock()
		if ok {
			config = project.Merge(m.DefaultConfig(), config)
		}
	}
	return config
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
	hooks     HooksLoader // the project hook files (hooks.go)

	saidConfigOnly sync.Map // names of config-only components already said
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
// config has _exec_, none when the schedule says it runs with its config
// only, else what Lookup finds.
func (r *Registry) factoryFor(projectDir, name, module string, config map[string]any, configOnly bool) (Factory, error) {
	if _, ok := config[ExecKey]; ok {
		return commandFactory{}, nil
	}
	if configOnly {
		return configOnlyFactory{}, nil
	}
	return r.Lookup(projectDir, name, module)
}

// configOnlyFactory is the code of a component declared in machinable.yaml
// without a module: it defines no event, so a run writes its config,
// flags and status and nothing else.
type configOnlyFactory struct{}

func (configOnlyFactory) New(_ context.Context, self *Self) (Instance, error) {
	return noEvents{self: self}, nil
}

type noEvents struct{ self *Self }

func (noEvents) Has(string) bool { return false }

func (noEvents) Call(_ context.Context, event string, _ ...any) (any, error) {
	return nil, fmt.Errorf("%s: the component has no code", event)
}

// Self is the component's identity, config and store, so a node's code
// can read the config of a config-only sub-component it receives.
func (n noEvents) Self() *Self { return n.self }
