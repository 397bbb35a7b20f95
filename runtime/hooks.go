package runtime

import (
	"context"
	"fmt"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/runtime/project"
)

// ProjectHooks are the project-wide functions of machinable 2.x's
// Registration (the Project class of _machinable.py): here the functions
// of a project's hook file, which the dsl package loads. The runtime only
// calls them through this interface.
type ProjectHooks interface {
	// ConfigMethods are the project-wide config methods: a value
	// "name(args)" whose component defines no config_<name> calls the
	// project's.
	ConfigMethods
	// Has reports whether the project defines the function.
	Has(fn string) bool
	// HostInfo is the extra host information of host.json:
	// host_information() and every host_<name>().
	HostInfo(ctx context.Context) (map[string]any, error)
	// DefaultResources calls default_resources(engine, component,
	// components): the resources of a component that asks for none
	// (nil: no default).
	DefaultResources(ctx context.Context, engine string, component map[string]any, components []map[string]any) (map[string]any, error)
	// BeforeSubmit calls on_before_submit(execution) before anything is
	// stored; false cancels the execution.
	BeforeSubmit(ctx context.Context, execution map[string]any) (bool, error)
	// Submitted calls on_submit(execution, is_resubmission) once the
	// experiment is stored, before its components run.
	Submitted(ctx context.Context, execution map[string]any, resubmission bool) error
	// ExperimentDirectory calls experiment_directory(): the directory of
	// an experiment that sets none ("": none).
	ExperimentDirectory(ctx context.Context) (string, error)
}

// HooksLoader finds the hooks of a project.
type HooksLoader interface {
	// LoadHooks returns nil (and no error) when the project has no hook
	// file.
	LoadHooks(ctx context.Context, projectDir string) (ProjectHooks, error)
}

// SetHooksLoader sets where project hooks come from (the dsl package's
// _machinable/project.star loader).
func (r *Registry) SetHooksLoader(l HooksLoader) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hooks = l
}

// ProjectHooks loads the hooks of the project at dir; nil when there are
// none, or no project.
func (r *Registry) ProjectHooks(ctx context.Context, dir string) (ProjectHooks, error) {
	r.mu.RLock()
	l := r.hooks
	r.mu.RUnlock()
	if l == nil || dir == "" {
		return nil, nil
	}
	return l.LoadHooks(ctx, dir)
}

// MergeDefaultResources combines a component's resources with the
// project's defaults as 2.14 does: no resources take the defaults; given
// ones are merged over them unless they set _inherit_defaults: False,
// which is removed either way.
func MergeDefaultResources(resources, defaults map[string]any) (map[string]any, error) {
	if resources == nil {
		return defaults, nil
	}
	inherit := true
	if v, ok := resources["_inherit_defaults"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return nil, fmt.Errorf("resources: _inherit_defaults: expected True or False, got %v", v)
		}
		inherit = b
		resources = copyMap(resources)
		delete(resources, "_inherit_defaults")
	}
	if !inherit || defaults == nil {
		return resources, nil
	}
	return project.UpdateDict(jsonvalue.DeepCopy(defaults).(map[string]any), resources)
}

// chainMethods looks a config method up in the component's code first,
// then in the project's hooks (2.x: the component, then the Registration).
type chainMethods []ConfigMethods

func (c chainMethods) ConfigMethod(ctx context.Context, name string, config map[string]any, args []any, kwargs []project.KeyValue) (any, bool, error) {
	for _, m := range c {
		if v, found, err := m.ConfigMethod(ctx, name, config, args, kwargs); found || err != nil {
			return v, found, err
		}
	}
	return nil, false, nil
}

// withProjectMethods adds the project's config methods behind the
// component's (either may be nil).
func withProjectMethods(component, proj ConfigMethods) ConfigMethods {
	switch {
	case proj == nil:
		return component
	case component == nil:
		return proj
	}
	return chainMethods{component, proj}
}
