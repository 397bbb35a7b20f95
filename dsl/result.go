package dsl

import (
	"fmt"
	"sync"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
)

// newExecutionValue is what execute() returns: experiment_id, seed,
// storage, directory, engine, components, failed and stopped (collections
// of the same component objects Storage() queries give), ok, dry,
// resumed, and best(metric, ...), components.best's shortcut. Of a
// large experiment, components are read from the storage only when the
// script uses them, so a sweep that ran in flat memory ends in it too.
func newExecutionValue(r *runtime.Result) (starlark.Value, error) {
	ex := r.Execution
	var comps starlark.Value
	var failed, stopped []starlark.Value
	if r.Experiment != nil {
		v, err := r.Experiment.View()
		if err != nil {
			return nil, err
		}
		lazy := &lazyComponents{view: v}
		if ex.Len() <= runtime.OutcomesKept {
			if _, err := lazy.load(); err != nil {
				return nil, err
			}
		}
		comps = lazy
		for _, o := range r.Outcomes {
			if o.Status != storage.StatusFailed && o.Status != storage.StatusStopped {
				continue
			}
			sc := o.Component
			cv := &componentValue{v: &storage.ComponentView{Experiment: v, ID: sc.ID, Name: sc.Name,
				Config: sc.Config, Flags: sc.Flags, Resources: sc.Resources}}
			if o.Status == storage.StatusFailed {
				failed = append(failed, cv)
			} else {
				stopped = append(stopped, cv)
			}
		}
	} else {
		var views []*storage.ComponentView
		for i := range ex.Schedule { // dry run: nothing stored
			sc := &ex.Schedule[i]
			views = append(views, &storage.ComponentView{ID: sc.ID, Name: sc.Name, Config: sc.Config, Flags: sc.Flags, Resources: sc.Resources})
		}
		comps = componentCollection(views)
	}
	return starlarkstruct.FromStringDict(starlark.String("execution"), starlark.StringDict{
		"experiment_id": starlark.String(ex.ExperimentID),
		"seed":          starlark.MakeInt64(ex.Seed),
		"storage":       starlark.String(ex.Storage),
		"directory":     starlark.String(ex.Directory),
		"engine":        starlark.String(ex.Engine),
		"components":    comps,
		"failed":        newCollection("components", failed),
		"stopped":       newCollection("components", stopped),
		"best":          starlark.NewBuiltin("best", bestOf(comps)),
		"ok":            starlark.Bool(r.OK()),
		"dry":           starlark.Bool(r.Dry),
		"resumed":       starlark.Bool(r.Resumed),
	}), nil
}

// bestOf is execute()'s best(...): components.best(...), the components
// read only when it is called.
func bestOf(comps starlark.Value) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(th *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		m, err := comps.(starlark.HasAttrs).Attr("best")
		if err != nil {
			return nil, err
		}
		return starlark.Call(th, m, args, kwargs)
	}
}

// lazyComponents is the components collection of an executed experiment,
// read from its schedule the first time it is used, then a collection
// like any other. An error reading it is returned by attribute use
// (components.filter(...)); indexing and iterating then see none.
type lazyComponents struct {
	view *storage.ExperimentView
	once sync.Once
	c    *collection
	err  error
}

var (
	_ starlark.Indexable  = (*lazyComponents)(nil)
	_ starlark.Sequence   = (*lazyComponents)(nil)
	_ starlark.HasAttrs   = (*lazyComponents)(nil)
	_ starlark.Sliceable  = (*lazyComponents)(nil)
	_ starlark.Container  = (*lazyComponents)(nil)
	_ starlark.Comparable = (*lazyComponents)(nil)
)

func (l *lazyComponents) load() (*collection, error) {
	l.once.Do(func() {
		views, err := l.view.Components()
		if err != nil {
			l.err, l.c = err, newCollection("components", nil)
			return
		}
		l.c = componentCollection(views)
	})
	return l.c, l.err
}

func (l *lazyComponents) get() *collection { c, _ := l.load(); return c }

func (l *lazyComponents) String() string        { return l.get().String() }
func (l *lazyComponents) Type() string          { return "collection" }
func (l *lazyComponents) Freeze()               {}
func (l *lazyComponents) Truth() starlark.Bool  { return l.get().Truth() }
func (l *lazyComponents) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: collection") }
func (l *lazyComponents) Len() int              { return l.get().Len() }
func (l *lazyComponents) Index(i int) starlark.Value {
	return l.get().Index(i)
}
func (l *lazyComponents) Iterate() starlark.Iterator { return l.get().Iterate() }
func (l *lazyComponents) Slice(start, end, step int) starlark.Value {
	return l.get().Slice(start, end, step)
}
func (l *lazyComponents) Has(x starlark.Value) (bool, error) {
	c, err := l.load()
	if err != nil {
		return false, err
	}
	return c.Has(x)
}
func (l *lazyComponents) AttrNames() []string { return l.get().AttrNames() }
func (l *lazyComponents) Attr(name string) (starlark.Value, error) {
	c, err := l.load()
	if err != nil {
		return nil, err
	}
	return c.Attr(name)
}

// CompareSameType compares the collections read.
func (l *lazyComponents) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	return l.get().CompareSameType(op, y.(*lazyComponents).get(), depth)
}
