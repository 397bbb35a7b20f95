package dsl

import (
	"fmt"

	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
)

// experiment is the Starlark face of *runtime.Experiment. Every method
// returns the experiment so calls chain.
type experiment struct {
	plan   *runtime.Experiment
	frozen bool
}

var (
	_ starlark.HasAttrs = (*experiment)(nil)
)

func (e *experiment) String() string        { return e.plan.String() }
func (e *experiment) Type() string          { return "Experiment" }
func (e *experiment) Freeze()               { e.frozen = true }
func (e *experiment) Truth() starlark.Bool  { return true }
func (e *experiment) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: Experiment") }

type experimentMethod func(e *experiment, thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

var experimentMethods map[string]*starlark.Builtin

func init() {
	methods := map[string]experimentMethod{
		"component":  expComponent,
		"components": expComponents,
		"version":    expVersion,
		"repeat":     expRepeat,
		"split":      expSplit,
		"directory":  expDirectory,
		"to_json":    expToJSON,
		"tune":       expTune,
	}
	experimentMethods = map[string]*starlark.Builtin{}
	for name, fn := range methods {
		fn := fn
		experimentMethods[name] = starlark.NewBuiltin(name, func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			e := b.Receiver().(*experiment)
			if e.frozen && name != "to_json" {
				return nil, fmt.Errorf("cannot change a frozen experiment (experiments defined at the top of a loaded file are frozen; build a new one with Experiment())")
			}
			return fn(e, thread, b, args, kwargs)
		})
	}
}

func (e *experiment) Attr(name string) (starlark.Value, error) {
	if b, ok := experimentMethods[name]; ok {
		return b.BindReceiver(e), nil
	}
	return nil, noSuchAttr(e, name)
}

func (e *experiment) AttrNames() []string {
	return []string{"component", "components", "directory", "repeat", "split", "to_json", "tune", "version"}
}

// componentSpec reads a component entry: a name or a (name, version) tuple.
func componentSpec(v starlark.Value) (runtime.ComponentSpec, error) {
	switch x := v.(type) {
	case starlark.String:
		return runtime.ComponentSpec{Name: string(x)}, nil
	case starlark.Tuple:
		if len(x) == 0 || len(x) > 2 {
			break
		}
		name, ok := x[0].(starlark.String)
		if !ok {
			break
		}
		spec := runtime.ComponentSpec{Name: string(name)}
		if len(x) == 2 {
			ver, err := toVersion(x[1])
			if err != nil {
				return spec, fmt.Errorf("component %q: %w", string(name), err)
			}
			spec.Version = ver
		}
		return spec, nil
	}
	return runtime.ComponentSpec{}, fmt.Errorf("expected a component name or a (name, version) tuple, got %s", v.String())
}

func expComponent(e *experiment, thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) > 0 {
		if cmd, ok := args[0].(*commandValue); ok { // .component(command([...]), flags=..., resources=...)
			return componentFromCommand(e, thread, b, cmd, args[1:], kwargs)
		}
	}
	var name string
	var version, flags, resources starlark.Value
	var checkpoint starlark.Value = starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "name", &name, "version?", &version,
		"checkpoint?", &checkpoint, "flags?", &flags, "resources?", &resources); err != nil {
		return nil, err
	}
	spec, err := buildSpec(thread, name, version, checkpoint, flags, resources)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	e.plan.Component(spec)
	return e, nil
}

func buildSpec(thread *starlark.Thread, name string, version, checkpoint, flags, resources starlark.Value) (runtime.ComponentSpec, error) {
	spec := runtime.ComponentSpec{Name: name}
	if name == "" {
		return spec, fmt.Errorf("expected a component name")
	}
	var err error
	if spec.Version, err = toVersion(version); err != nil {
		return spec, err
	}
	switch c := checkpoint.(type) {
	case starlark.String:
		spec.Checkpoint = string(c)
	case starlark.NoneType, nil:
	default:
		return spec, fmt.Errorf("checkpoint: expected a string, got %s", checkpoint.Type())
	}
	if spec.Flags, err = fromStarlarkMap("flags", flags); err != nil {
		return spec, err
	}
	if err := setResources(thread, &spec, resources); err != nil {
		return spec, err
	}
	return spec, nil
}

// setResources reads a resources argument: a dict, or a function of the
// component's config returning one (called for each variant when the plan
// is resolved, on the thread of the script that built the plan).
func setResources(thread *starlark.Thread, spec *runtime.ComponentSpec, v starlark.Value) error {
	fn, ok := v.(starlark.Callable)
	if !ok {
		var err error
		spec.Resources, err = fromStarlarkMap("resources", v)
		return err
	}
	st := stateOf(thread)
	spec.ResourcesFunc = func(config map[string]any) (map[string]any, error) {
		cfg := newMapping("config", config, false)
		cfg.Freeze()
		// The thread may be that of a loaded file, which nothing watches
		// once its top level ran: the context of the script run stops
		// the function (Ctrl-C).
		if st != nil {
			defer watchContext(st.ctx, thread)()
		}
		out, err := starlark.Call(thread, fn, starlark.Tuple{cfg}, nil)
		if err != nil {
			return nil, evalError(err)
		}
		return fromStarlarkMap("resources "+fn.Name()+"(config)", out)
	}
	return nil
}

func expComponents(e *experiment, thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var node, components, resources starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "node", &node, "components?", &components, "resources?", &resources); err != nil {
		return nil, err
	}
	spec, err := componentSpec(node)
	if err != nil {
		return nil, fmt.Errorf("%s: node: %w", b.Name(), err)
	}
	if err := setResources(thread, &spec, resources); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	var subs []runtime.ComponentSpec
	switch c := components.(type) {
	case nil, starlark.NoneType:
	case starlark.String, starlark.Tuple:
		sub, err := componentSpec(c)
		if err != nil {
			return nil, fmt.Errorf("%s: components: %w", b.Name(), err)
		}
		subs = append(subs, sub)
	case *starlark.List:
		for i := 0; i < c.Len(); i++ {
			sub, err := componentSpec(c.Index(i))
			if err != nil {
				return nil, fmt.Errorf("%s: components[%d]: %w", b.Name(), i, err)
			}
			subs = append(subs, sub)
		}
	default:
		return nil, fmt.Errorf("%s: expected the sub-components as a list of names or (name, version) tuples, got %s", b.Name(), c.Type())
	}
	e.plan.Node(spec, subs...)
	return e, nil
}

func expVersion(e *experiment, _ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var config starlark.Value = starlark.None
	if len(args) > 1 {
		return nil, fmt.Errorf("%s: expected one positional argument (config), got %d", b.Name(), len(args))
	}
	if len(args) == 1 {
		config = args[0]
	}
	var patch *starlark.Dict
	for _, kv := range kwargs {
		k := string(kv[0].(starlark.String))
		if k == "config" {
			config = kv[1]
			continue
		}
		if patch == nil {
			patch = starlark.NewDict(len(kwargs))
		}
		_ = patch.SetKey(kv[0], kv[1])
	}
	versions := []starlark.Value{config}
	if patch != nil {
		versions = append(versions, patch)
	}
	for _, c := range versions {
		if c == starlark.None {
			continue
		}
		v, err := toVersion(sectionForm(c))
		if err != nil {
			return nil, prefixOnce(b.Name(), err)
		}
		e.plan.Version(v)
	}
	return e, nil
}

// sectionForm unwraps machinable 2.0's section form of an experiment
// version, {"components": patch} (or components=patch), to the patch: in
// 2.0 only that section reached the components. Any other dict is the
// patch itself, as from 2.4 on.
func sectionForm(v starlark.Value) starlark.Value {
	d, ok := v.(*starlark.Dict)
	if !ok || d.Len() != 1 {
		return v
	}
	if inner, found, _ := d.Get(starlark.String("components")); found {
		return inner
	}
	return v
}

func expRepeat(e *experiment, _ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return repeatLike(e, b, args, kwargs, "REPEAT", e.plan.Repeat)
}

func expSplit(e *experiment, _ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return repeatLike(e, b, args, kwargs, "SPLIT", e.plan.Split)
}

// repeatLike reads repeat(k, name, mode) and split(k, name, mode). As in
// machinable 2.x a call covers the whole experiment, so it may come
// before the components it repeats.
func repeatLike(e *experiment, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, def string, add func(int, string) *runtime.Experiment) (starlark.Value, error) {
	var k int
	name, mode := def, runtime.RepeatModeIndependent
	if err := unpackArgs(b.Name(), args, kwargs, "k", &k, "name?", &name, "mode?", &mode); err != nil {
		return nil, err
	}
	if k < 0 {
		return nil, fmt.Errorf("%s: expected k >= 0, got %d", b.Name(), k)
	}
	if k > runtime.MaxScheduledComponents {
		return nil, fmt.Errorf("%s: expected k <= %d (the most components an experiment schedules), got %d", b.Name(), runtime.MaxScheduledComponents, k)
	}
	if name == "" {
		return nil, fmt.Errorf("%s: expected a flag prefix for name (like %q), got an empty string", b.Name(), def)
	}
	if mode != runtime.RepeatModeIndependent {
		return nil, fmt.Errorf("%s: mode %q: expected %q, the only mode machinable has", b.Name(), mode, runtime.RepeatModeIndependent)
	}
	add(k, name)
	return e, nil
}

func expDirectory(e *experiment, _ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var dir string
	if err := unpackArgs(b.Name(), args, kwargs, "path", &dir); err != nil {
		return nil, err
	}
	if err := e.plan.SetDirectory(dir); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return e, nil
}

func expToJSON(e *experiment, _ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	data, err := e.plan.JSON()
	if err != nil {
		return nil, err
	}
	return starlark.String(data), nil
}

// builtinExperiment is Experiment(json=None): a new empty plan, or one
// rebuilt from to_json() output.
func builtinExperiment(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var js string
	if err := unpackArgs(b.Name(), args, kwargs, "json?", &js); err != nil {
		return nil, err
	}
	if js == "" {
		return &experiment{plan: runtime.NewExperiment()}, nil
	}
	plan, err := runtime.ParseExperiment([]byte(js))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return &experiment{plan: plan}, nil
}

// planOf converts execute()'s experiment argument: an Experiment, a
// component name, or a (name, version) tuple.
func planOf(v starlark.Value) (*runtime.Experiment, error) {
	switch x := v.(type) {
	case *experiment:
		// A copy: the script may keep changing its experiment after this
		// execution started, which must not change what was executed.
		return x.plan.Clone(), nil
	case starlark.String, starlark.Tuple:
		spec, err := componentSpec(x)
		if err != nil {
			return nil, err
		}
		return runtime.NewExperiment().Component(spec), nil
	case *commandValue:
		return runtime.NewExperiment().Component(x.spec), nil
	}
	return nil, fmt.Errorf("expected an Experiment, a component name or a (name, version) tuple, got %s", v.Type())
}

// componentFromCommand adds an external program; version patches its
// config like any component's.
func componentFromCommand(e *experiment, thread *starlark.Thread, b *starlark.Builtin, cmd *commandValue, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var version, flags, resources starlark.Value
	var checkpoint starlark.Value = starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "version?", &version,
		"checkpoint?", &checkpoint, "flags?", &flags, "resources?", &resources); err != nil {
		return nil, err
	}
	spec, err := buildSpec(thread, cmd.spec.Name, version, checkpoint, flags, resources)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	spec.Command = cmd.spec.Command
	if !cmd.spec.Version.IsDefault() {
		spec.Version = runtime.Merge(cmd.spec.Version, spec.Version)
	}
	e.plan.Component(spec)
	return e, nil
}
