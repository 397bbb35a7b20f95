package dsl

import (
	"fmt"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// newExecutionValue is what execute() returns: experiment_id, seed,
// storage, directory, components, failed, ok, dry.
func newExecutionValue(r *runtime.Result) starlark.Value {
	ex := r.Execution
	var comps, failed []starlark.Value
	outcomes := map[string]runtime.Outcome{}
	for _, o := range r.Outcomes {
		outcomes[o.Component.ID] = o
	}
	for i := range ex.Schedule {
		sc := &ex.Schedule[i]
		o, ran := outcomes[sc.ID]
		status := "scheduled"
		if ran {
			status = o.Status
		}
		v := newComponentResult(r, sc, status, o.Error)
		comps = append(comps, v)
		if status == storage.StatusFailed {
			failed = append(failed, v)
		}
	}
	return starlarkstruct.FromStringDict(starlark.String("execution"), starlark.StringDict{
		"experiment_id": starlark.String(ex.ExperimentID),
		"seed":          starlark.MakeInt64(ex.Seed),
		"storage":       starlark.String(ex.Storage),
		"directory":     starlark.String(ex.Directory),
		"engine":        starlark.String(ex.Engine),
		"components":    starlark.NewList(comps),
		"failed":        starlark.NewList(failed),
		"ok":            starlark.Bool(r.OK()),
		"dry":           starlark.Bool(r.Dry),
	})
}

// componentResult is a component of an execution's result. Records, log
// and output are read from storage when asked for.
type componentResult struct {
	result *runtime.Result
	sc     *runtime.ScheduledComponent
	status string
	err    string
}

var _ starlark.HasAttrs = (*componentResult)(nil)

func newComponentResult(r *runtime.Result, sc *runtime.ScheduledComponent, status, err string) *componentResult {
	return &componentResult{result: r, sc: sc, status: status, err: err}
}

func (c *componentResult) String() string {
	return fmt.Sprintf("<component %s %s %s>", c.sc.ID, c.sc.Name, c.status)
}
func (c *componentResult) Type() string          { return "component" }
func (c *componentResult) Freeze()               {}
func (c *componentResult) Truth() starlark.Bool  { return true }
func (c *componentResult) Hash() (uint32, error) { return starlark.String(c.sc.ID).Hash() }

func (c *componentResult) AttrNames() []string {
	return []string{"config", "error", "flags", "id", "log", "name", "output", "records", "status", "store"}
}

func (c *componentResult) Attr(name string) (starlark.Value, error) {
	switch name {
	case "id":
		return starlark.String(c.sc.ID), nil
	case "name":
		return starlark.String(c.sc.Name), nil
	case "config":
		m := newMapping("config", c.sc.Config, false)
		m.Freeze()
		return m, nil
	case "flags":
		m := newMapping("flags", c.sc.Flags, false)
		m.Freeze()
		return m, nil
	case "status":
		return starlark.String(c.status), nil
	case "error":
		if c.err == "" {
			return starlark.None, nil
		}
		return starlark.String(c.err), nil
	case "records":
		store, err := c.store()
		if store == nil {
			return starlark.NewList(nil), err
		}
		rows, err := store.ReadRecords("default")
		if err != nil {
			return nil, err
		}
		return toStarlark(rows), nil
	case "store":
		return starlark.NewBuiltin("store", c.readStore), nil
	case "log", "output":
		store, err := c.store()
		if store == nil {
			return starlark.String(""), err
		}
		file := "log.txt"
		if name == "output" {
			file = "output.log"
		}
		data, _ := store.ReadFile(file)
		return starlark.String(data), nil
	}
	return nil, nil
}

func (c *componentResult) store() (*storage.Component, error) {
	if c.result.Experiment == nil || c.status == "scheduled" {
		return nil, nil
	}
	return c.result.Experiment.OpenComponent(c.sc.ID)
}

// readStore is component.store(name): a value the component stored.
func (c *componentResult) readStore(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name", &name); err != nil {
		return nil, err
	}
	store, err := c.store()
	if err != nil {
		return nil, err
	}
	if store == nil {
		return nil, fmt.Errorf("%s(%q): component %s did not run", b.Name(), name, c.sc.ID)
	}
	v, err := store.StoreRead(name)
	if err != nil {
		return nil, err
	}
	return toStarlark(v), nil
}
