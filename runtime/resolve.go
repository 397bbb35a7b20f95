package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/runtime/project"
	"github.com/machinable-go/machinable/seeding"
)

// Resolver turns plans into schedules against one project and registry.
type Resolver struct {
	Project  *project.Project // nil: only Go components registered by name
	Registry *Registry        // required: where component code is found
	// SearchFrom is where machinable.yaml was looked for, named when
	// there was none ("" is the working directory).
	SearchFrom string
	// ProjectMethods are the project-wide config methods (the hook
	// file's config_<name>), looked up after the component's own.
	ProjectMethods ConfigMethods
	// SchemaValidation makes a key a plan sets that the component's
	// config does not have an error (2.10+'s schema_validation setting)
	// instead of a warning.
	SchemaValidation bool

	// Warnings collects, once each, what Resolve found worth saying but
	// not refusing: keys a plan sets that a component's config in
	// machinable.yaml does not have. Resolve appends to it, so a Resolver
	// is used by one goroutine at a time.
	Warnings []string
}

// warn records a warning once.
func (r *Resolver) warn(msgs ...string) {
	for _, m := range msgs {
		if !slices.Contains(r.Warnings, m) {
			r.Warnings = append(r.Warnings, m)
		}
	}
}

func (r *Resolver) projectDir() string {
	if r.Project == nil {
		return ""
	}
	return r.Project.Dir
}

// Resolve computes the schedule of a plan for a global seed, drawing seeds
// and component IDs in machinable 2.0's order (SPEC §5): one seed per
// repeat or split call first, then for each repeat combination (the last
// call the outermost loop) every component of the plan, in the order it
// was added, draws its SEED then its COMPONENT_ID. A repeat covers the
// whole experiment; sub-components draw nothing.
func (r *Resolver) Resolve(ctx context.Context, plan *Experiment, globalSeed int64) ([]ScheduledComponent, error) {
	stream, err := r.Stream(ctx, plan, globalSeed)
	if err != nil {
		return nil, err
	}
	schedule := make([]ScheduledComponent, 0, stream.Total())
	for {
		sc, err := stream.Next(ctx)
		if err == io.EOF {
			return schedule, nil
		}
		if err != nil {
			return nil, err
		}
		schedule = append(schedule, sc)
	}
}

// assignIdentity copies a variant and gives it its seed, ID and flags.
// Precedence as in 2.x: the user's flags, then the seed and ID flags,
// then the repeat flags. Sub-components keep the flags they were resolved
// with (the user's, NAME, MODULE, ...): 2.x gives them no seed or ID.
func assignIdentity(v ScheduledComponent, streams *seeding.Streams, globalSeed int64, experimentID string, repeatFlags map[string]any) ScheduledComponent {
	out := v
	// Each scheduled component owns its maps: an engine may adjust one
	// without touching the repeats that share its variant (or, in a
	// sweep, the patch values its config was built from).
	out.Config = jsonvalue.DeepCopy(v.Config).(map[string]any)
	out.Resources = jsonvalue.DeepCopy(v.Resources).(map[string]any)
	out.Flags = copySized(v.Flags, 6+len(repeatFlags))
	if len(v.Components) > 0 {
		out.Components = make([]ScheduledComponent, len(v.Components))
		for i, sub := range v.Components {
			out.Components[i] = sub
			out.Components[i].Config = jsonvalue.DeepCopy(sub.Config).(map[string]any)
			out.Components[i].Flags = copySized(sub.Flags, 0)
			out.Components[i].Resources = jsonvalue.DeepCopy(sub.Resources).(map[string]any)
		}
	}
	out.Flags["GLOBAL_SEED"] = globalSeed
	out.Flags["EXPERIMENT_ID"] = experimentID
	out.Flags["SUBMISSION_ID"] = experimentID // the name from 2.9 on
	out.Flags["SEED"] = streams.NextSeed()
	out.ID = streams.NextComponentID()
	out.Flags["COMPONENT_ID"] = out.ID
	maps.Copy(out.Flags, repeatFlags)
	return out
}

// copySized deep-copies a map into one with room for extra more keys, so
// adding the drawn flags does not grow it (a tenth of a 10,000-component
// resolution was map growth).
func copySized(m map[string]any, extra int) map[string]any {
	out := make(map[string]any, len(m)+extra)
	for k, v := range m {
		out[k] = jsonvalue.DeepCopy(v)
	}
	return out
}

// mayRunConfigOnly says whether a component without code runs with its
// config only: one declared in machinable.yaml whose key does not name its
// module on purpose (a "module.path=alias" key does, and so does a
// "^parent=alias" entry whose parent's does). Go components and
// components with _exec_ never get here.
func (r *Resolver) mayRunConfigOnly(name string) bool {
	if r.Project == nil {
		return false
	}
	c, err := r.Project.Component(name)
	if err != nil {
		return false
	}
	if c.Module != c.Name { // a nameless entry reuses its parent's code
		if c, err = r.Project.Component(c.Module); err != nil {
			return false
		}
	}
	return c.Alias == ""
}

// resolveOne builds the config of one alternative, including config methods.
func (r *Resolver) resolveOne(ctx context.Context, spec ComponentSpec, patches []project.Patch) (ScheduledComponent, error) {
	name, module := spec.Name, spec.Name
	patches, computed := takeComputed(patches)
	var res *project.Resolved
	var err error
	if spec.Command != nil { // an external program built in the plan
		if res, err = patchesOnly("command", spec.Name, nil, patches); err != nil {
			return ScheduledComponent{}, err
		}
		res.Config[ExecKey] = jsonvalue.DeepCopy(spec.Command)
	} else if res, err = r.config(spec.Name, patches); err != nil {
		return ScheduledComponent{}, err
	}
	config := res.Config
	// The config before versions: what 2.x hands a computed value, and
	// what a plan's keys are checked against. Resolved once, when needed.
	var base map[string]any
	baseConfig := func() (map[string]any, error) {
		if base == nil {
			base = map[string]any{}
			if spec.Command == nil {
				b, err := r.config(spec.Name, nil)
				if err != nil {
					return nil, err
				}
				base = b.Config
			}
		}
		return base, nil
	}
	if r.Project != nil && spec.Command == nil {
		if comp, err := r.Project.Component(spec.Name); err == nil {
			name, module = comp.Name, comp.Module
			if hasValues(patches) {
				if b, err := baseConfig(); err == nil {
					unknown := unknownKeys(name, b, patches)
					if r.SchemaValidation && len(unknown) > 0 {
						return ScheduledComponent{}, fmt.Errorf("%s; schema_validation is on in the settings, so this is an error", unknown[0])
					}
					r.warn(unknown...)
				}
			}
		}
	}
	var pending []computedKey
	if computed != nil {
		b, err := baseConfig()
		if err != nil {
			return ScheduledComponent{}, err
		}
		pending = pendingComputed(config, computed, b)
	}
	factory, err := r.Registry.factoryFor(r.projectDir(), name, module, config, false)
	configOnly := false
	if errors.Is(err, ErrNoCode) && r.mayRunConfigOnly(spec.Name) {
		configOnly, factory, err = true, configOnlyFactory{}, nil
		if _, said := r.Registry.saidConfigOnly.LoadOrStore(name, true); !said { // once per process
			r.warn(fmt.Sprintf("component %s has no code; it runs with its config only", name))
		}
	}
	if err != nil {
		return ScheduledComponent{}, err
	}
	if w, ok := factory.(Warner); ok {
		r.warn(w.Warnings()...)
	}
	// _evaluate: false (per component, or at the top of machinable.yaml)
	// leaves "method(args)" values as written, as in 2.x.
	var methods ConfigMethods
	if project.Evaluate(config) {
		cm, _ := factory.(ConfigMethods)
		methods = withProjectMethods(cm, r.ProjectMethods)
	}
	if methods != nil && len(pending) == 0 {
		if err := applyConfigMethods(ctx, methods, name, config); err != nil {
			return ScheduledComponent{}, err
		}
		methods = nil
	}
	flags := componentFlags(spec, module, res.Versioning)
	if _, set := spec.Flags["LINEAGE"]; !set {
		// 2.14 computes it while parsing machinable.yaml, and a LINEAGE
		// given with the component's flags replaces it
		flags["LINEAGE"] = r.lineage(spec)
	}
	if err := checkRunFlags(name, flags); err != nil {
		return ScheduledComponent{}, err
	}
	resources := spec.Resources
	if spec.ResourcesFunc != nil {
		computed, err := spec.ResourcesFunc(config)
		if err != nil {
			return ScheduledComponent{}, fmt.Errorf("component %q: resources: %w", name, err)
		}
		resources = project.Merge(jsonvalue.DeepCopy(spec.Resources).(map[string]any), computed)
	}
	return ScheduledComponent{
		Name:       name,
		Module:     module,
		ConfigOnly: configOnly,
		Config:     config,
		Flags:      flags,
		Checkpoint: spec.Checkpoint,
		Resources:  resources,
		computed:   pending,
		methods:    methods, // left for after the computed values
	}, nil
}

// lineage lists the components a component inherits from (child^parent
// in machinable.yaml), nearest first: the flag LINEAGE of 2.14.
func (r *Resolver) lineage(spec ComponentSpec) []any {
	out := []any{}
	if r.Project == nil || spec.Command != nil {
		return out
	}
	c, err := r.Project.Component(spec.Name)
	for err == nil && c.Parent != "" && len(out) < 100 {
		out = append(out, c.Parent)
		c, err = r.Project.Component(c.Parent)
	}
	return out
}

// EvaluateKey switches config methods off when it is false.
const EvaluateKey = "_evaluate"

// componentFlags are the flags every component gets, in 2.x's precedence:
// TUNING, COMPONENTS_ALIAS and OUTPUT_REDIRECTION as defaults, the user's flags over them,
// then CHECKPOINT, and the introspection flags NAME (the name as
// requested, an alias stays an alias), MODULE and VERSIONING (the named
// versions applied, in order, without their tilde, as 2.14) over
// everything.
func componentFlags(spec ComponentSpec, module string, versioning []string) map[string]any {
	flags := map[string]any{"TUNING": false, "COMPONENTS_ALIAS": map[string]any{}, "OUTPUT_REDIRECTION": OutputSysAndFile}
	maps.Copy(flags, jsonvalue.DeepCopy(spec.Flags).(map[string]any))
	if spec.Checkpoint != "" {
		flags["CHECKPOINT"] = spec.Checkpoint
	}
	flags["NAME"] = spec.Name
	flags["MODULE"] = module
	applied := make([]any, len(versioning))
	for i, v := range versioning {
		applied[i] = v
	}
	flags["VERSIONING"] = applied
	return flags
}

// config resolves the config of a component: from machinable.yaml when
// the project declares it, else from the patches alone for Go components
// registered by name.
func (r *Resolver) config(name string, patches []project.Patch) (*project.Resolved, error) {
	if r.Project != nil {
		_, err := r.Project.Component(name)
		if err == nil {
			return r.Project.ConfigInfo(name, patches)
		}
		if !r.Registry.Registered(name) {
			return nil, err // unknown: lists the known ones, suggests the nearest
		}
	} else if !r.Registry.Registered(name) {
		return nil, fmt.Errorf("unknown component %q: %s", name, project.NoProjectHelp(r.SearchFrom, name))
	}
	return patchesOnly("Go component", name, r.Registry.defaults(name), patches)
}

// patchesOnly is the config of a component without an entry in
// machinable.yaml: its defaults (a Go component's DefaultConfig) with the
// dict patches merged as 2.x merges them (dotted keys unflattened).
func patchesOnly(kind, name string, defaults map[string]any, patches []project.Patch) (*project.Resolved, error) {
	config := map[string]any{}
	if defaults != nil {
		config = jsonvalue.DeepCopy(defaults).(map[string]any)
	}
	for i, p := range patches {
		if p.Version != "" {
			return nil, fmt.Errorf("%s %q has no version %q: it has no entry in machinable.yaml", kind, name, p.Version)
		}
		values, err := project.Unflatten(p.Values)
		if err == nil {
			config, err = project.UpdateDict(config, values)
		}
		if err != nil {
			return nil, fmt.Errorf("%s %q: patch %d: %w", kind, name, i+1, err)
		}
	}
	return &project.Resolved{Config: config, Versions: []string{}, Versioning: []string{}}, nil
}

// applyConfigMethods replaces "method(args)" values whose component
// defines config_<method>, at any depth, in lists too, except in
// _mixins_ (as 2.x).
func applyConfigMethods(ctx context.Context, cm ConfigMethods, component string, config map[string]any) error {
	for k, v := range config {
		if k == MixinsKey {
			continue
		}
		val, err := configMethodValue(ctx, cm, component, k, config, v)
		if err != nil {
			return err
		}
		config[k] = val
	}
	return nil
}

// configMethodValue returns v with its config methods applied; path names
// the key for messages.
func configMethodValue(ctx context.Context, cm ConfigMethods, component, path string, root map[string]any, v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for k, item := range x {
			val, err := configMethodValue(ctx, cm, component, path+"."+k, root, item)
			if err != nil {
				return nil, err
			}
			x[k] = val
		}
	case []any:
		for i, item := range x {
			val, err := configMethodValue(ctx, cm, component, fmt.Sprintf("%s.%d", path, i), root, item)
			if err != nil {
				return nil, err
			}
			x[i] = val
		}
	case string:
		method, args, kwargs, ok := project.ParseMethodCallKw(x)
		if !ok {
			return v, nil
		}
		val, found, err := cm.ConfigMethod(ctx, method, root, args, kwargs)
		if err != nil {
			return nil, fmt.Errorf("component %q: config %q: %w", component, path, err)
		}
		if found {
			return val, nil
		}
	}
	return v, nil
}
