package dsl

import (
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// newExecutionValue is what execute() returns: experiment_id, seed,
// storage, directory, engine, components and failed (collections of the
// same component objects Storage() queries give), ok, dry, resumed.
func newExecutionValue(r *runtime.Result) (starlark.Value, error) {
	ex := r.Execution
	var views []*storage.ComponentView
	if r.Experiment != nil {
		v, err := r.Experiment.View()
		if err != nil {
			return nil, err
		}
		if views, err = v.Components(); err != nil {
			return nil, err
		}
	} else {
		for i := range ex.Schedule { // dry run: nothing stored
			sc := &ex.Schedule[i]
			views = append(views, &storage.ComponentView{ID: sc.ID, Name: sc.Name, Config: sc.Config, Flags: sc.Flags, Resources: sc.Resources})
		}
	}
	comps := componentCollection(views)
	var failed []starlark.Value
	for _, o := range r.Failed() {
		for _, c := range comps.elems {
			if c.(*componentValue).v.ID == o.Component.ID {
				failed = append(failed, c)
			}
		}
	}
	return starlarkstruct.FromStringDict(starlark.String("execution"), starlark.StringDict{
		"experiment_id": starlark.String(ex.ExperimentID),
		"seed":          starlark.MakeInt64(ex.Seed),
		"storage":       starlark.String(ex.Storage),
		"directory":     starlark.String(ex.Directory),
		"engine":        starlark.String(ex.Engine),
		"components":    comps,
		"failed":        newCollection("components", failed),
		"ok":            starlark.Bool(r.OK()),
		"dry":           starlark.Bool(r.Dry),
		"resumed":       starlark.Bool(r.Resumed),
	}), nil
}
