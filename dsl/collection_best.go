package dsl

import (
	"fmt"

	"github.com/machinable-go/machinable/storage"
	"go.starlark.net/starlark"
)

// best(metric, mode="min", scope="last", records="default"): the component
// whose record rows have the best value of metric, as Ray Tune's
// ResultGrid.get_best_result: scope "last" takes each component's last
// row that has the key, "all" its best row, "avg" the mean of its rows.
// Components without the metric are skipped; with none, None. On a
// collection of experiments it ranks all their components.
func colBest(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	q := storage.BestQuery{Mode: "min", Scope: "last", Records: "default"}
	if err := unpackArgs(b.Name(), args, kwargs, "metric", &q.Metric, "mode?", &q.Mode, "scope?", &q.Scope, "records?", &q.Records); err != nil {
		return nil, err
	}
	if _, err := q.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	var views []*storage.ComponentView
	var elems []starlark.Value // the element each view is, returned as it is
	for _, e := range c.elems {
		switch x := e.(type) {
		case *componentValue:
			views, elems = append(views, x.v), append(elems, x)
		case *experimentValue:
			cs, err := x.v.Components()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", b.Name(), err)
			}
			for _, cv := range cs {
				views, elems = append(views, cv), append(elems, &componentValue{v: cv})
			}
		default:
			return nil, fmt.Errorf("%s: expected a collection of components or experiments, got an element of type %s", b.Name(), e.Type())
		}
	}
	best, _, err := storage.Best(views, q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	for i, v := range views {
		if v == best {
			return elems[i], nil
		}
	}
	return starlark.None, nil
}
