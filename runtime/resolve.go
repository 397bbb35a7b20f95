package runtime

import (
	"context"
	"fmt"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/runtime/project"
	"github.com/machinable-go/machinable/seeding"
)

// Resolver turns plans into schedules against one project and registry.
type Resolver struct {
	Project  *project.Project // nil: only Go components registered by name
	Registry *Registry        // required: where component code is found
}

func (r *Resolver) projectDir() string {
	if r.Project == nil {
		return ""
	}
	return r.Project.Dir
}

// Resolve computes the schedule of a plan for a global seed, drawing seeds
// and component IDs in machinable 2.x order (SPEC §5): one seed per
// repeat call first, then for each repeat combination (last repeat
// outermost) every component in plan order draws SEED then COMPONENT_ID,
// its sub-components right after it.
func (r *Resolver) Resolve(ctx context.Context, plan *Experiment, globalSeed int64) ([]ScheduledComponent, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	experimentID, err := seeding.EncodeExperimentID(globalSeed)
	if err != nil {
		return nil, err
	}
	// Every alternative of every component, resolved once.
	variants := make([][]ScheduledComponent, len(plan.Components))
	for i, spec := range plan.Components {
		variants[i], err = r.expand(ctx, spec, plan.Versions)
		if err != nil {
			return nil, err
		}
	}

	streams := seeding.NewStreams(globalSeed)
	repeatSeeds := make([]int64, len(plan.Repeats))
	suffix := make([]string, len(plan.Repeats))
	level := map[string]int{}
	for i, rep := range plan.Repeats {
		repeatSeeds[i] = streams.NextSeed()
		if n := level[rep.Name]; n > 0 {
			suffix[i] = fmt.Sprintf("_%d", n)
		}
		level[rep.Name]++
	}

	total := 1
	for _, rep := range plan.Repeats {
		total *= rep.K
	}
	digits := make([]int, len(plan.Repeats))
	var schedule []ScheduledComponent
	for combo := 0; combo < total; combo++ {
		// The first repeat varies fastest, so the last one is the outermost loop.
		c := combo
		for i, rep := range plan.Repeats {
			digits[i] = c % rep.K
			c /= rep.K
		}
	components:
		for ci := range plan.Components {
			repeatFlags := map[string]any{}
			for i, rep := range plan.Repeats {
				if ci >= rep.Covers {
					if digits[i] != 0 {
						continue components // not repeated by this call
					}
					continue
				}
				repeatFlags[rep.Name+"_NUMBER"+suffix[i]] = int64(digits[i])
				repeatFlags[rep.Name+"_TOTAL"+suffix[i]] = int64(rep.K)
				repeatFlags[rep.Name+"_SEED"+suffix[i]] = repeatSeeds[i]
			}
			for _, v := range variants[ci] {
				schedule = append(schedule, assignIdentity(v, streams, globalSeed, experimentID, repeatFlags))
			}
		}
	}
	return schedule, nil
}

// assignIdentity copies a variant and gives it and its sub-components their
// seeds, IDs and flags.
func assignIdentity(v ScheduledComponent, streams *seeding.Streams, globalSeed int64, experimentID string, repeatFlags map[string]any) ScheduledComponent {
	out := v
	// Each scheduled component owns its maps: an engine may adjust one
	// without touching the repeats that share its variant.
	out.Config = jsonvalue.DeepCopy(v.Config).(map[string]any)
	out.Resources = jsonvalue.DeepCopy(v.Resources).(map[string]any)
	out.Flags = make(map[string]any, len(v.Flags)+8+len(repeatFlags))
	for k, val := range v.Flags {
		out.Flags[k] = val
	}
	for k, val := range repeatFlags {
		out.Flags[k] = val
	}
	out.Flags["GLOBAL_SEED"] = globalSeed
	out.Flags["EXPERIMENT_ID"] = experimentID
	out.Flags["SEED"] = streams.NextSeed()
	out.ID = streams.NextComponentID()
	out.Flags["COMPONENT_ID"] = out.ID
	if v.Checkpoint != "" {
		out.Flags["CHECKPOINT"] = v.Checkpoint
	}
	if len(v.Components) > 0 {
		out.Components = make([]ScheduledComponent, len(v.Components))
		for i, sub := range v.Components {
			out.Components[i] = assignIdentity(sub, streams, globalSeed, experimentID, repeatFlags)
		}
	}
	return out
}

// expand resolves the config of every alternative of a component: its own
// version crossed with the experiment's versions and, for a node, with the
// alternatives of each sub-component.
func (r *Resolver) expand(ctx context.Context, spec ComponentSpec, expVersions []Version) ([]ScheduledComponent, error) {
	version := spec.Version
	if len(expVersions) > 0 {
		version = Merge(append([]Version{spec.Version}, expVersions...)...)
	}
	alts, err := version.Expand()
	if err != nil {
		return nil, fmt.Errorf("component %q: %w", spec.Name, err)
	}
	nodes := make([]ScheduledComponent, 0, len(alts))
	for _, patches := range alts {
		c, err := r.resolveOne(ctx, spec, patches)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, c)
	}
	// Cross product with each sub-component's alternatives.
	for _, subSpec := range spec.Components {
		subs, err := r.expand(ctx, subSpec, expVersions)
		if err != nil {
			return nil, err
		}
		next := make([]ScheduledComponent, 0, len(nodes)*len(subs))
		for _, n := range nodes {
			for _, s := range subs {
				m := n
				m.Components = append(append([]ScheduledComponent(nil), n.Components...), s)
				next = append(next, m)
			}
		}
		nodes = next
	}
	return nodes, nil
}

// resolveOne builds the config of one alternative, including config methods.
func (r *Resolver) resolveOne(ctx context.Context, spec ComponentSpec, patches []project.Patch) (ScheduledComponent, error) {
	name, module := spec.Name, spec.Name
	var config map[string]any
	var err error
	if spec.Command != nil { // an external program built in the plan
		config = map[string]any{}
		for _, p := range patches {
			if p.Version != "" {
				return ScheduledComponent{}, fmt.Errorf("command %q has no version %q: it has no entry in machinable.yaml", spec.Name, p.Version)
			}
			config = project.Merge(config, p.Values)
		}
		config[ExecKey] = jsonvalue.DeepCopy(spec.Command)
	} else if config, err = r.config(spec.Name, patches); err != nil {
		return ScheduledComponent{}, err
	}
	if r.Project != nil && spec.Command == nil {
		if comp, err := r.Project.Component(spec.Name); err == nil {
			name, module = comp.Name, comp.Module
		}
	}
	factory, err := r.Registry.factoryFor(r.projectDir(), name, module, config)
	if err != nil {
		return ScheduledComponent{}, err
	}
	if cm, ok := factory.(ConfigMethods); ok {
		if err := applyConfigMethods(ctx, cm, name, config, config); err != nil {
			return ScheduledComponent{}, err
		}
	}
	flags := map[string]any{}
	for k, v := range spec.Flags {
		flags[k] = v
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
		Config:     config,
		Flags:      flags,
		Checkpoint: spec.Checkpoint,
		Resources:  resources,
	}, nil
}

// config resolves the config of a component: from machinable.yaml when
// the project declares it, else from the patches alone for Go components
// registered by name.
func (r *Resolver) config(name string, patches []project.Patch) (map[string]any, error) {
	if r.Project != nil {
		_, err := r.Project.Component(name)
		if err == nil {
			return r.Project.Config(name, patches)
		}
		if !r.Registry.Registered(name) {
			return nil, err // unknown: lists the known ones, suggests the nearest
		}
	} else if !r.Registry.Registered(name) {
		return nil, fmt.Errorf("unknown component %q: no machinable.yaml found and no Go component of that name", name)
	}
	config := map[string]any{}
	for _, p := range patches {
		if p.Version != "" {
			return nil, fmt.Errorf("component %q has no version %q: it is a Go component without an entry in machinable.yaml", name, p.Version)
		}
		config = project.Merge(config, p.Values)
	}
	return config, nil
}

// applyConfigMethods replaces "method(args)" values whose component defines
// config_<method>.
func applyConfigMethods(ctx context.Context, cm ConfigMethods, component string, root, node map[string]any) error {
	for k, v := range node {
		switch x := v.(type) {
		case map[string]any:
			if err := applyConfigMethods(ctx, cm, component, root, x); err != nil {
				return err
			}
		case string:
			method, args, ok := project.ParseMethodCall(x)
			if !ok {
				continue
			}
			val, found, err := cm.ConfigMethod(ctx, method, root, args)
			if err != nil {
				return fmt.Errorf("component %q: config %q: %w", component, k, err)
			}
			if found {
				node[k] = val
			}
		}
	}
	return nil
}
