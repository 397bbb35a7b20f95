package dsl

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/machinable-go/machinable/internal/suggest"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// collection is a read-only list of experiments, components or record rows
// with the methods of machinable 2.x's Collection (filter, where, first,
// pluck, map, reduce, unique, chunk, section, ...) plus group_by and a
// text as_table. Keys are dotted paths into attributes and dicts:
// "config.lr", "flags.SEED", "status", "loss"; or a function of the
// element. Methods that select elements return collections; those that
// compute values (pluck, map, section, zip) return lists.
type collection struct {
	kind  string // "experiments", "components", "records", "collection"
	elems []starlark.Value
}

var (
	_ starlark.Indexable  = (*collection)(nil)
	_ starlark.Sequence   = (*collection)(nil)
	_ starlark.HasAttrs   = (*collection)(nil)
	_ starlark.Sliceable  = (*collection)(nil)
	_ starlark.Container  = (*collection)(nil)
	_ starlark.Comparable = (*collection)(nil)
)

func newCollection(kind string, elems []starlark.Value) *collection {
	return &collection{kind: kind, elems: elems}
}

func (c *collection) String() string {
	parts := make([]string, len(c.elems))
	for i, e := range c.elems {
		parts[i] = e.String()
	}
	return fmt.Sprintf("%s[%s]", c.kind, strings.Join(parts, ", "))
}
func (c *collection) Type() string                        { return "collection" }
func (c *collection) Freeze()                             {}
func (c *collection) Truth() starlark.Bool                { return len(c.elems) > 0 }
func (c *collection) Hash() (uint32, error)               { return 0, fmt.Errorf("unhashable type: collection") }
func (c *collection) Len() int                            { return len(c.elems) }
func (c *collection) Index(i int) starlark.Value          { return c.elems[i] }
func (c *collection) Iterate() starlark.Iterator          { return starlark.NewList(c.elems).Iterate() }
func (c *collection) with(e []starlark.Value) *collection { return newCollection(c.kind, e) }

// Slice is cs[a:b:s]: a collection, as 2.x's slicing.
func (c *collection) Slice(start, end, step int) starlark.Value {
	var out []starlark.Value
	if step > 0 {
		for i := start; i < end; i += step {
			out = append(out, c.elems[i])
		}
	} else {
		for i := start; i > end; i += step {
			out = append(out, c.elems[i])
		}
	}
	return c.with(out)
}

// Has is the in operator: an element equal to x.
func (c *collection) Has(x starlark.Value) (bool, error) { return c.contains(x) }

func (c *collection) contains(x starlark.Value) (bool, error) {
	for _, e := range c.elems {
		if eq, err := starlark.Equal(e, x); err != nil {
			return false, err
		} else if eq {
			return true, nil
		}
	}
	return false, nil
}

// CompareSameType: two collections are equal when their elements are.
func (c *collection) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	o := y.(*collection)
	switch op {
	case syntax.EQL, syntax.NEQ:
		eq := len(c.elems) == len(o.elems)
		for i := 0; eq && i < len(c.elems); i++ {
			e, err := starlark.EqualDepth(c.elems[i], o.elems[i], depth-1)
			if err != nil {
				return false, err
			}
			eq = e
		}
		return eq == (op == syntax.EQL), nil
	}
	return false, fmt.Errorf("collections support == and != only, not %s", op)
}

type collectionMethod func(c *collection, thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

var collectionMethods = map[string]collectionMethod{
	"all": colAll, "avg": colAvg, "chunk": colChunk, "collapse": colCollapse, "contains": colContains,
	"count": colCount, "diff": colDiff, "each": colEach, "empty": colEmpty, "every": colEvery,
	"filter": colFilter, "first": colFirst, "flatten": colFlatten, "get": colGet, "group_by": colGroupBy,
	"implode": colImplode, "last": colLast, "map": colMap, "max": colMax, "min": colMin, "only": colOnly,
	"pluck": colPluck, "pluck_or_nan": colPluckOrNaN, "pluck_or_none": colPluckOrNone, "pprint": colPprint,
	"reduce": colReduce, "reject": colReject, "reverse": colReverse, "section": colSection,
	"serialize": colSerialize, "as_json": colAsJSON, "as_table": colAsTable, "sort": colSort, "sum": colSum,
	"take": colTake, "unique": colUnique, "where": colWhere, "without": colWithout, "zip": colZip,
	"status": colStatus, "best": colBest,
}

// rankable are the kinds of collection best() ranks.
func (c *collection) rankable() bool { return c.kind == "components" || c.kind == "experiments" }

func (c *collection) AttrNames() []string {
	names := []string{"items"}
	for n := range collectionMethods {
		if n == "status" && c.kind != "components" || n == "best" && !c.rankable() {
			continue
		}
		names = append(names, n)
	}
	if c.kind == "experiments" {
		names = append(names, "components")
	}
	sort.Strings(names)
	return names
}

func (c *collection) Attr(name string) (starlark.Value, error) {
	switch {
	case name == "items": // 2.x's items property: the elements as a list
		return starlark.NewList(append([]starlark.Value(nil), c.elems...)), nil
	case name == "components" && c.kind == "experiments":
		return c.allComponents()
	case name == "status" && c.kind != "components", name == "best" && !c.rankable():
		return nil, noSuchAttr(c, name)
	}
	m, ok := collectionMethods[name]
	if !ok {
		return nil, noSuchAttr(c, name)
	}
	return starlark.NewBuiltin(name, func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return m(c, thread, b, args, kwargs)
	}), nil
}

// allComponents is experiments.components (2.9's
// SubmissionCollection.components): every experiment's components in
// order, each once.
func (c *collection) allComponents() (starlark.Value, error) {
	var out []starlark.Value
	seen := map[string]bool{}
	for _, e := range c.elems {
		ev, ok := e.(*experimentValue)
		if !ok {
			continue
		}
		cs, err := ev.v.Components()
		if err != nil {
			return nil, err
		}
		for _, cv := range cs {
			if key := ev.v.Path() + "/" + cv.ID; !seen[key] {
				seen[key] = true
				out = append(out, &componentValue{v: cv})
			}
		}
	}
	return newCollection("components", out), nil
}

// lookup follows a dotted key through attributes and mappings; a missing
// step gives None, so filters and plucks over mixed elements just work.
func lookup(v starlark.Value, key string) (starlark.Value, error) {
	for _, part := range strings.Split(key, ".") {
		if b, ok := v.(*starlark.Builtin); ok && noArgMethods[b.Name()] { // "records.last.loss"
			var err error
			if v, err = starlark.Call(&starlark.Thread{}, b, nil, nil); err != nil {
				return nil, err
			}
		}
		switch x := v.(type) {
		case starlark.HasAttrs:
			a, err := x.Attr(part)
			var missing *missingKeyError
			var noAttr *noAttrError
			if err != nil && !errors.As(err, &missing) && !errors.As(err, &noAttr) {
				return nil, err // a step that is not there gives None below
			}
			if a != nil {
				v = a
				continue
			}
			if m, ok := x.(starlark.Mapping); ok {
				if got, found, err := m.Get(starlark.String(part)); err == nil && found {
					v = got
					continue
				}
			}
			return starlark.None, nil
		case starlark.Mapping:
			got, found, err := x.Get(starlark.String(part))
			if err != nil || !found {
				return starlark.None, nil
			}
			v = got
		default:
			return starlark.None, nil
		}
	}
	if b, ok := v.(*starlark.Builtin); ok && noArgMethods[b.Name()] { // is_finished and the like: call it
		return starlark.Call(&starlark.Thread{}, b, nil, nil)
	}
	return v, nil
}

// noArgMethods are the methods a key may name and get their result.
var noArgMethods = map[string]bool{
	"is_finished": true, "is_started": true, "is_alive": true, "is_active": true, "is_incomplete": true, "is_stopped": true,
	"has_records": true, "empty": true, "count": true, "first": true, "last": true,
}

type keyFn func(*starlark.Thread, starlark.Value) (starlark.Value, error)

// keyFunc reads a key argument as 2.x's value retriever does: a dotted
// string, a function of the element, or None for the element itself.
func keyFunc(fn string, key starlark.Value) (keyFn, error) {
	switch k := key.(type) {
	case starlark.NoneType:
		return func(_ *starlark.Thread, v starlark.Value) (starlark.Value, error) { return v, nil }, nil
	case starlark.String:
		return func(_ *starlark.Thread, v starlark.Value) (starlark.Value, error) { return lookup(v, string(k)) }, nil
	case starlark.Callable:
		return func(th *starlark.Thread, v starlark.Value) (starlark.Value, error) {
			return starlark.Call(th, k, starlark.Tuple{v}, nil)
		}, nil
	}
	return nil, fmt.Errorf("%s: key: expected a dotted name such as \"config.lr\" or a function, got %s", fn, key.Type())
}

// keys evaluates a key argument for every element, in order.
func (c *collection) keys(th *starlark.Thread, fn string, key starlark.Value) ([]starlark.Value, error) {
	kf, err := keyFunc(fn, key)
	if err != nil {
		return nil, err
	}
	out := make([]starlark.Value, len(c.elems))
	for i, e := range c.elems {
		if out[i], err = kf(th, e); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// callback reads a function argument.
func callback(fn, name string, v starlark.Value) (starlark.Callable, error) {
	f, ok := v.(starlark.Callable)
	if !ok {
		return nil, fmt.Errorf("%s: %s: expected a function, got %s", fn, name, v.Type())
	}
	return f, nil
}

func truth(th *starlark.Thread, f starlark.Callable, v starlark.Value) (bool, error) {
	r, err := starlark.Call(th, f, starlark.Tuple{v}, nil)
	if err != nil {
		return false, err
	}
	return bool(r.Truth()), nil
}

func colAll(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return starlark.NewList(append([]starlark.Value(nil), c.elems...)), nil
}

// keep is the elements for which pred is true, as a collection of the
// same kind: filter, reject, where and status differ only in pred.
func (c *collection) keep(pred func(e starlark.Value) (bool, error)) (starlark.Value, error) {
	var out []starlark.Value
	for _, e := range c.elems {
		ok, err := pred(e)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, e)
		}
	}
	return c.with(out), nil
}

// filter(callback=None): the elements for which callback is true; without
// one, the true elements. A dotted key works as a callback too.
func colFilter(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cb starlark.Value = starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "callback?", &cb); err != nil {
		return nil, err
	}
	kf, err := keyFunc(b.Name(), cb)
	if err != nil {
		return nil, err
	}
	return c.keep(func(e starlark.Value) (bool, error) {
		v, err := kf(th, e)
		return err == nil && bool(v.Truth()), err
	})
}

// reject(callback): filter's opposite; a value that is not a function
// rejects the elements equal to it.
func colReject(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cb starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "callback", &cb); err != nil {
		return nil, err
	}
	return c.keep(func(e starlark.Value) (bool, error) {
		var drop bool
		var err error
		if f, ok := cb.(starlark.Callable); ok {
			drop, err = truth(th, f, e)
		} else {
			drop, err = starlark.Equal(e, cb)
		}
		return !drop, err
	})
}

func colWhere(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key string
	var want starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "key", &key, "value", &want); err != nil {
		return nil, err
	}
	return c.keep(func(e starlark.Value) (bool, error) {
		got, err := lookup(e, key)
		if err != nil {
			return false, err
		}
		eq, err := starlark.Equal(got, want)
		return err == nil && eq, nil // values that cannot be compared are not equal
	})
}

// firstOrLast is first(callback=None, default=None) and last(...).
func firstOrLast(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, fromEnd bool) (starlark.Value, error) {
	var cb, def starlark.Value = starlark.None, starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "callback?", &cb, "default?", &def); err != nil {
		return nil, err
	}
	var f starlark.Callable
	if cb != starlark.None {
		var ok bool
		if f, ok = cb.(starlark.Callable); !ok {
			return nil, fmt.Errorf("%s: callback: expected a function, got %s (a default is passed as default=...)", b.Name(), cb.Type())
		}
	}
	for i := range c.elems {
		e := c.elems[i]
		if fromEnd {
			e = c.elems[len(c.elems)-1-i]
		}
		if f == nil {
			return e, nil
		}
		if t, err := truth(th, f, e); err != nil {
			return nil, err
		} else if t {
			return e, nil
		}
	}
	if f != nil {
		return defaultValue(th, def)
	}
	return def, nil
}

// defaultValue is a default argument as 2.x reads it: a function is
// called for it.
func defaultValue(th *starlark.Thread, def starlark.Value) (starlark.Value, error) {
	if f, ok := def.(starlark.Callable); ok {
		return starlark.Call(th, f, nil, nil)
	}
	return def, nil
}

func colFirst(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return firstOrLast(c, th, b, args, kwargs, false)
}

func colLast(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return firstOrLast(c, th, b, args, kwargs, true)
}

// sort(callback=None, reverse=False): stable; None keys sort last either way.
func colSort(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key starlark.Value = starlark.None
	reverse := false
	if err := unpackArgs(b.Name(), args, kwargs, "callback?", &key, "reverse?", &reverse); err != nil {
		return nil, err
	}
	keys, err := c.keys(th, b.Name(), key)
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(c.elems))
	for i := range idx {
		idx[i] = i
	}
	var cmpErr error
	sort.SliceStable(idx, func(i, j int) bool {
		a, bb := keys[idx[i]], keys[idx[j]]
		if a == starlark.None || bb == starlark.None {
			return bb == starlark.None && a != starlark.None
		}
		if reverse {
			a, bb = bb, a
		}
		less, err := starlark.Compare(syntax.LT, a, bb)
		if err != nil && cmpErr == nil {
			cmpErr = err
		}
		return less
	})
	if cmpErr != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), cmpErr)
	}
	out := make([]starlark.Value, len(idx))
	for i, k := range idx {
		out[i] = c.elems[k]
	}
	return c.with(out), nil
}

// pluck(value, key=None): the values of a key, as a list; with key, a
// dict from each element's key to its value.
func colPluck(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var value, key starlark.Value = nil, starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "value", &value, "key?", &key); err != nil {
		return nil, err
	}
	return c.pluck(th, b.Name(), value, key, nil)
}

// pluck substitutes none (when not nil) for values that are None.
func (c *collection) pluck(th *starlark.Thread, fn string, value, key, none starlark.Value) (starlark.Value, error) {
	vals, err := c.keys(th, fn, value)
	if err != nil {
		return nil, err
	}
	if none != nil {
		for i, v := range vals {
			if v == starlark.None {
				vals[i] = none
			}
		}
	}
	if key == starlark.None {
		return starlark.NewList(vals), nil
	}
	ks, err := c.keys(th, fn, key)
	if err != nil {
		return nil, err
	}
	d := starlark.NewDict(len(ks))
	for i, k := range ks {
		if err := d.SetKey(k, vals[i]); err != nil {
			return nil, fmt.Errorf("%s: key %s: %w", fn, key, err)
		}
	}
	return d, nil
}

// pluck_or_none(value, key=None, none=None): pluck with none for the
// elements that lack the key.
func colPluckOrNone(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var value, key, none starlark.Value = nil, starlark.None, starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "value", &value, "key?", &key, "none?", &none); err != nil {
		return nil, err
	}
	return c.pluck(th, b.Name(), value, key, none)
}

func colPluckOrNaN(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var value, key starlark.Value = nil, starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "value", &value, "key?", &key); err != nil {
		return nil, err
	}
	return c.pluck(th, b.Name(), value, key, starlark.Float(math.NaN()))
}

func colMap(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cb starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "callback", &cb); err != nil {
		return nil, err
	}
	f, err := callback(b.Name(), "callback", cb)
	if err != nil {
		return nil, err
	}
	out := make([]starlark.Value, len(c.elems))
	for i, e := range c.elems {
		if out[i], err = starlark.Call(th, f, starlark.Tuple{e}, nil); err != nil {
			return nil, err
		}
	}
	return starlark.NewList(out), nil
}

// reduce(callback, initial=None): callback(result, element) from the
// first element on; result starts as initial (None unless given).
func colReduce(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cb starlark.Value
	var acc starlark.Value = starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "callback", &cb, "initial?", &acc); err != nil {
		return nil, err
	}
	f, err := callback(b.Name(), "callback", cb)
	if err != nil {
		return nil, err
	}
	for _, e := range c.elems {
		if acc, err = starlark.Call(th, f, starlark.Tuple{acc, e}, nil); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

// each(callback): calls callback on every element until it returns False;
// returns the collection.
func colEach(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cb starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "callback", &cb); err != nil {
		return nil, err
	}
	f, err := callback(b.Name(), "callback", cb)
	if err != nil {
		return nil, err
	}
	for _, e := range c.elems {
		r, err := starlark.Call(th, f, starlark.Tuple{e}, nil)
		if err != nil {
			return nil, err
		}
		if r == starlark.False { // False only: None goes on, as in 2.x
			break
		}
	}
	return c, nil
}

func colCount(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return starlark.MakeInt(len(c.elems)), nil
}

func colEmpty(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return starlark.Bool(len(c.elems) == 0), nil
}

// values evaluates an optional key for every element, None values left out.
func (c *collection) values(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) ([]starlark.Value, starlark.Value, error) {
	var key starlark.Value = starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "key?", &key); err != nil {
		return nil, nil, err
	}
	keys, err := c.keys(th, b.Name(), key)
	if err != nil {
		return nil, nil, err
	}
	out := keys[:0:0]
	for _, v := range keys {
		if v != starlark.None {
			out = append(out, v)
		}
	}
	return out, key, nil
}

// numbers are values that must be numbers.
func (c *collection) numbers(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) ([]starlark.Value, error) {
	vs, key, err := c.values(th, b, args, kwargs)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if _, ok := starlark.AsFloat(v); !ok {
			return nil, fmt.Errorf("%s(%s): expected numbers, got %s", b.Name(), key, v.Type())
		}
	}
	return vs, nil
}

func sumOf(vs []starlark.Value) (starlark.Value, error) {
	var total starlark.Value = starlark.MakeInt(0)
	for _, v := range vs {
		var err error
		if total, err = starlark.Binary(syntax.PLUS, total, v); err != nil {
			return nil, err
		}
	}
	return total, nil
}

// sum(callback=None): the sum of the numbers (None skipped); 0 for none.
func colSum(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	vs, err := c.numbers(th, b, args, kwargs)
	if err != nil {
		return nil, err
	}
	return sumOf(vs)
}

// avg(key=None): the mean of the numbers (None skipped); None for none.
func colAvg(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	vs, err := c.numbers(th, b, args, kwargs)
	if err != nil || len(vs) == 0 {
		return starlark.None, err
	}
	total, err := sumOf(vs)
	if err != nil {
		return nil, err
	}
	f, _ := starlark.AsFloat(total)
	return starlark.Float(f / float64(len(vs))), nil
}

// extreme is min(key=None) and max(key=None): the smallest or largest
// value (numbers, strings: anything ordered); None skipped; None for none.
func extreme(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, op syntax.Token) (starlark.Value, error) {
	vs, key, err := c.values(th, b, args, kwargs)
	if err != nil || len(vs) == 0 {
		return starlark.None, err
	}
	best := vs[0]
	for _, v := range vs[1:] {
		better, err := starlark.Compare(op, v, best)
		if err != nil {
			return nil, fmt.Errorf("%s(%s): %w", b.Name(), key, err)
		}
		if better {
			best = v
		}
	}
	return best, nil
}

func colMin(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return extreme(c, th, b, args, kwargs, syntax.LT)
}

func colMax(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return extreme(c, th, b, args, kwargs, syntax.GT)
}

// contains(key, value=None): with a value, whether an element's key
// equals it; with a function, whether it is true of an element; else
// whether an element equals key.
func colContains(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key, value starlark.Value = nil, starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "key", &key, "value?", &value); err != nil {
		return nil, err
	}
	if value != starlark.None {
		k, ok := key.(starlark.String)
		if !ok {
			return nil, fmt.Errorf("%s: key: expected a dotted name with a value, got %s", b.Name(), key.Type())
		}
		for _, e := range c.elems {
			got, err := lookup(e, string(k))
			if err != nil {
				return nil, err
			}
			if eq, err := starlark.Equal(got, value); err == nil && eq {
				return starlark.True, nil
			}
		}
		return starlark.False, nil
	}
	if f, ok := key.(starlark.Callable); ok {
		for _, e := range c.elems {
			if t, err := truth(th, f, e); err != nil || t {
				return starlark.Bool(t), err
			}
		}
		return starlark.False, nil
	}
	found, err := c.contains(key)
	return starlark.Bool(found), err
}

// iterableElems reads a list, tuple or collection argument.
func iterableElems(fn, name string, v starlark.Value) ([]starlark.Value, error) {
	it, ok := v.(starlark.Iterable)
	if !ok {
		return nil, fmt.Errorf("%s: %s: expected a list or collection, got %s", fn, name, v.Type())
	}
	var out []starlark.Value
	iter := it.Iterate()
	defer iter.Done()
	var x starlark.Value
	for iter.Next(&x) {
		out = append(out, x)
	}
	return out, nil
}

// diff(items): the elements not equal to any of items.
func colDiff(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var items starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "items", &items); err != nil {
		return nil, err
	}
	other, err := iterableElems(b.Name(), "items", items)
	if err != nil {
		return nil, err
	}
	o := newCollection("", other)
	var out []starlark.Value
	for _, e := range c.elems {
		if in, err := o.contains(e); err != nil {
			return nil, err
		} else if !in {
			out = append(out, e)
		}
	}
	return c.with(out), nil
}

// every(step, offset=0): every step-th element from offset.
func colEvery(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var step, offset int
	if err := unpackArgs(b.Name(), args, kwargs, "step", &step, "offset?", &offset); err != nil {
		return nil, err
	}
	if step <= 0 {
		return nil, fmt.Errorf("%s: step must be positive, got %d", b.Name(), step)
	}
	var out []starlark.Value
	for i, e := range c.elems {
		if i%step == offset {
			out = append(out, e)
		}
	}
	return c.with(out), nil
}

// indices reads the positional index arguments of only and without.
func (c *collection) indices(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) ([]int, error) {
	if len(kwargs) > 0 {
		return nil, fmt.Errorf("%s: unexpected keyword argument %s", b.Name(), kwargs[0][0])
	}
	out := make([]int, len(args))
	for i, a := range args {
		n, err := starlark.AsInt32(a)
		if err != nil {
			return nil, fmt.Errorf("%s: expected indexes (ints), got %s", b.Name(), a.Type())
		}
		out[i] = n
	}
	return out, nil
}

// only(*keys): the elements at these indexes, in collection order.
func colOnly(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	idx, err := c.indices(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	var out []starlark.Value
	for i, e := range c.elems {
		for _, k := range idx {
			if k == i {
				out = append(out, e)
				break
			}
		}
	}
	return c.with(out), nil
}

// without(*keys): the collection without the elements at these indexes
// (negative ones count from the end); an index out of range is an error.
func colWithout(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	idx, err := c.indices(b, args, kwargs)
	if err != nil {
		return nil, err
	}
	drop := map[int]bool{}
	for _, k := range idx {
		i := k
		if i < 0 {
			i += len(c.elems)
		}
		if i < 0 || i >= len(c.elems) {
			return nil, fmt.Errorf("%s: index %d out of range (%d elements)", b.Name(), k, len(c.elems))
		}
		drop[i] = true
	}
	var out []starlark.Value
	for i, e := range c.elems {
		if !drop[i] {
			out = append(out, e)
		}
	}
	return c.with(out), nil
}

// get(key, default=None): the element at an index, default past the end.
func colGet(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key int
	var def starlark.Value = starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "key", &key, "default?", &def); err != nil {
		return nil, err
	}
	if key < 0 {
		key += len(c.elems)
	}
	if key < 0 || key >= len(c.elems) {
		return defaultValue(th, def)
	}
	return c.elems[key], nil
}

// take(limit): the first limit elements, or the last -limit.
func colTake(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var limit int
	if err := unpackArgs(b.Name(), args, kwargs, "limit", &limit); err != nil {
		return nil, err
	}
	n := len(c.elems)
	if limit < 0 {
		return c.with(append([]starlark.Value(nil), c.elems[max(0, n+limit):]...)), nil
	}
	return c.with(append([]starlark.Value(nil), c.elems[:min(limit, n)]...)), nil
}

// chunk(size): a collection of collections of size elements each.
func colChunk(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var size int
	if err := unpackArgs(b.Name(), args, kwargs, "size", &size); err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, fmt.Errorf("%s: size must be positive, got %d", b.Name(), size)
	}
	var out []starlark.Value
	for i := 0; i < len(c.elems); i += size {
		out = append(out, c.with(append([]starlark.Value(nil), c.elems[i:min(i+size, len(c.elems))]...)))
	}
	return newCollection("collection", out), nil
}

// reverse(): the elements in reverse order.
func colReverse(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	out := make([]starlark.Value, len(c.elems))
	for i, e := range c.elems {
		out[len(out)-1-i] = e
	}
	return c.with(out), nil
}

// unique(key=None): the first element of each distinct value (of key).
func colUnique(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key starlark.Value = starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "key?", &key); err != nil {
		return nil, err
	}
	keys, err := c.keys(th, b.Name(), key)
	if err != nil {
		return nil, err
	}
	// Hashable keys are looked up in a dict; the others (dicts, lists)
	// compared one by one, so keys need not be hashable.
	hashed := starlark.NewDict(len(keys))
	var unhashable []starlark.Value
	var out []starlark.Value
	for i, k := range keys {
		var dup bool
		if _, err := k.Hash(); err == nil {
			_, dup, err = hashed.Get(k)
			if err != nil {
				return nil, err
			}
			if !dup {
				hashed.SetKey(k, starlark.None)
			}
		} else {
			if dup, err = newCollection("", unhashable).contains(k); err != nil {
				return nil, err
			}
			if !dup {
				unhashable = append(unhashable, k)
			}
		}
		if !dup {
			out = append(out, c.elems[i])
		}
	}
	return c.with(out), nil
}

// zip(*items): a list of tuples (element, items[0][i], ...), as long as
// the shortest.
func colZip(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(kwargs) > 0 {
		return nil, fmt.Errorf("%s: unexpected keyword argument %s", b.Name(), kwargs[0][0])
	}
	lists := [][]starlark.Value{c.elems}
	n := len(c.elems)
	for i, a := range args {
		l, err := iterableElems(b.Name(), fmt.Sprintf("argument %d", i+1), a)
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
		n = min(n, len(l))
	}
	out := make([]starlark.Value, n)
	for i := range out {
		t := make(starlark.Tuple, len(lists))
		for j, l := range lists {
			t[j] = l[i]
		}
		out[i] = t
	}
	return starlark.NewList(out), nil
}

// collapse(): the elements of lists (and collections) in one collection.
func colCollapse(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	var out []starlark.Value
	for _, e := range c.elems {
		l, err := iterableElems(b.Name(), "element", e)
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	return newCollection("collection", out), nil
}

// flatten(): every value inside nested lists and dicts (a dict's values),
// depth first.
func colFlatten(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	var out []starlark.Value
	var walk func(v starlark.Value, depth int) error
	walk = func(v starlark.Value, depth int) error {
		if depth > 100 {
			return fmt.Errorf("%s: nested too deeply", b.Name())
		}
		switch x := v.(type) {
		case *starlark.Dict:
			for _, kv := range x.Items() {
				if err := walk(kv[1], depth+1); err != nil {
					return err
				}
			}
		case *starlark.List, starlark.Tuple, *collection:
			iter := x.(starlark.Iterable).Iterate()
			defer iter.Done()
			var e starlark.Value
			for iter.Next(&e) {
				if err := walk(e, depth+1); err != nil {
					return err
				}
			}
		default:
			out = append(out, v)
		}
		return nil
	}
	for _, e := range c.elems {
		if err := walk(e, 0); err != nil {
			return nil, err
		}
	}
	return newCollection("collection", out), nil
}

// implode(value, glue=""): the strings joined; for elements that are not
// strings, value is a key and glue goes between its values.
func colImplode(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var value starlark.Value
	glue := ""
	if err := unpackArgs(b.Name(), args, kwargs, "value", &value, "glue?", &glue); err != nil {
		return nil, err
	}
	parts := c.elems
	if len(c.elems) > 0 {
		if _, ok := c.elems[0].(starlark.String); ok {
			s, ok := value.(starlark.String)
			if !ok {
				return nil, fmt.Errorf("%s: expected the glue string first, got %s", b.Name(), value.Type())
			}
			glue = string(s)
		} else {
			var err error
			if parts, err = c.keys(th, b.Name(), value); err != nil {
				return nil, err
			}
		}
	}
	strs := make([]string, len(parts))
	for i, p := range parts {
		s, ok := p.(starlark.String)
		if !ok {
			return nil, fmt.Errorf("%s: element %d: expected a string, got %s", b.Name(), i, p.Type())
		}
		strs[i] = string(s)
	}
	return starlark.String(strings.Join(strs, glue)), nil
}

// section(of, reduce=None): a horizontal reduce: of is a key of each
// element's records ("loss") or a function giving a list per element;
// the i-th values of all elements are passed to reduce (a list of them
// without it), for as many rows as the shortest list has.
func colSection(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var of, red starlark.Value = nil, starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "of", &of, "reduce?", &red); err != nil {
		return nil, err
	}
	var get keyFn
	switch o := of.(type) {
	case starlark.String:
		get = func(th *starlark.Thread, e starlark.Value) (starlark.Value, error) {
			recs, err := lookup(e, "records")
			if err != nil {
				return nil, err
			}
			rc, ok := recs.(*collection)
			if !ok {
				return nil, fmt.Errorf("%s(%q): %s has no records", b.Name(), string(o), e.Type())
			}
			return rc.pluck(th, b.Name(), o, starlark.None, nil)
		}
	case starlark.Callable:
		get = func(th *starlark.Thread, e starlark.Value) (starlark.Value, error) {
			return starlark.Call(th, o, starlark.Tuple{e}, nil)
		}
	default:
		return nil, fmt.Errorf("%s: of: expected a record key or a function, got %s", b.Name(), of.Type())
	}
	var reduce starlark.Callable
	if red != starlark.None {
		var err error
		if reduce, err = callback(b.Name(), "reduce", red); err != nil {
			return nil, err
		}
	}
	selection := make([]starlark.Value, len(c.elems))
	for i, e := range c.elems {
		var err error
		if selection[i], err = get(th, e); err != nil {
			return nil, err
		}
	}
	if len(selection) <= 1 {
		return starlark.NewList(selection), nil
	}
	rows := -1
	for _, s := range selection {
		ix, ok := s.(starlark.Indexable)
		if !ok {
			return starlark.NewList(selection), nil // as 2.x: not sequences, nothing to line up
		}
		if rows < 0 || ix.Len() < rows {
			rows = ix.Len()
		}
	}
	out := make([]starlark.Value, rows)
	for r := range out {
		row := make([]starlark.Value, len(selection))
		for i, s := range selection {
			row[i] = s.(starlark.Indexable).Index(r)
		}
		out[r] = starlark.NewList(row)
		if reduce != nil {
			var err error
			if out[r], err = starlark.Call(th, reduce, starlark.Tuple{out[r]}, nil); err != nil {
				return nil, err
			}
		}
	}
	return starlark.NewList(out), nil
}

// status(status="started"): the components that are started, finished,
// stopped (tuning trials ended early), alive (active) or incomplete.
func colStatus(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	status := "started"
	if err := unpackArgs(b.Name(), args, kwargs, "status?", &status); err != nil {
		return nil, err
	}
	known := []string{"started", "finished", "stopped", "alive", "active", "incomplete"}
	ok := false
	for _, k := range known {
		ok = ok || k == status
	}
	if !ok {
		msg := fmt.Sprintf("%s: invalid status field %q: expected one of %s", b.Name(), status, strings.Join(known, ", "))
		if n := suggest.Nearest(status, known); n != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", n)
		}
		return nil, errors.New(msg)
	}
	return c.keep(func(e starlark.Value) (bool, error) {
		v, err := lookup(e, "is_"+status)
		return err == nil && bool(v.Truth()), err
	})
}

func colGroupBy(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "key", &key); err != nil {
		return nil, err
	}
	keys, err := c.keys(th, b.Name(), key)
	if err != nil {
		return nil, err
	}
	// A dict indexes the groups: it has Starlark's hashing and equality
	// (1 and 1.0 are one group) and keeps first-seen order.
	index := starlark.NewDict(4)
	var members [][]starlark.Value
	for i, k := range keys {
		pos, found, err := index.Get(k)
		if err != nil {
			return nil, fmt.Errorf("%s: key %s is not hashable (%s)", b.Name(), key, k.Type())
		}
		if !found {
			pos = starlark.MakeInt(len(members))
			if err := index.SetKey(k, pos); err != nil {
				return nil, err
			}
			members = append(members, nil)
		}
		n, _ := starlark.AsInt32(pos)
		members[n] = append(members[n], c.elems[i])
	}
	groups := starlark.NewDict(index.Len())
	for _, item := range index.Items() {
		n, _ := starlark.AsInt32(item[1])
		if err := groups.SetKey(item[0], c.with(members[n])); err != nil {
			return nil, err
		}
	}
	return groups, nil
}

// serializer is an element with a plain-data form (experiments and
// components read from storage).
type serializer interface {
	serialize() (starlark.Value, error)
}

func (c *collection) serialize() ([]starlark.Value, error) {
	out := make([]starlark.Value, len(c.elems))
	for i, e := range c.elems {
		switch x := e.(type) {
		case serializer:
			v, err := x.serialize()
			if err != nil {
				return nil, err
			}
			out[i] = v
		case *collection:
			l, err := x.serialize()
			if err != nil {
				return nil, err
			}
			out[i] = starlark.NewList(l)
		default:
			out[i] = e
		}
	}
	return out, nil
}

// serialize(): the elements as a list of plain values; experiments and
// components as dicts of their main fields.
func colSerialize(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	l, err := c.serialize()
	if err != nil {
		return nil, err
	}
	return starlark.NewList(l), nil
}

// as_json(indent=None, sort_keys=False, ensure_ascii=True): serialize()
// as JSON text, formatted as Python's json.dumps formats it.
func colAsJSON(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var indent starlark.Value = starlark.None
	sortKeys, ensureASCII := false, true
	if err := unpackArgs(b.Name(), args, kwargs, "indent?", &indent, "sort_keys?", &sortKeys, "ensure_ascii?", &ensureASCII); err != nil {
		return nil, err
	}
	return c.asJSON(b.Name(), indent, sortKeys, ensureASCII)
}

func (c *collection) asJSON(fn string, indent starlark.Value, sortKeys, ensureASCII bool) (starlark.Value, error) {
	enc := pyJSON{sortKeys: sortKeys, ascii: ensureASCII, indent: -1}
	if indent != starlark.None {
		n, err := starlark.AsInt32(indent)
		if err != nil {
			return nil, fmt.Errorf("%s: indent: expected an int, got %s", fn, indent.Type())
		}
		enc.indent = max(n, 0)
	}
	l, err := c.serialize()
	if err != nil {
		return nil, err
	}
	if err := enc.encode(starlark.NewList(l), 0); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.String(enc.sb.String()), nil
}

// pprint(pformat="json"): prints the collection as indented JSON with
// sorted keys (values JSON has no form for as text), or, with any other
// pformat, as a list.
func colPprint(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	pformat := "json"
	if err := unpackArgs(b.Name(), args, kwargs, "pformat?", &pformat); err != nil {
		return nil, err
	}
	var text string
	if pformat == "json" {
		enc := pyJSON{sortKeys: true, ascii: true, indent: 4, lenient: true}
		if err := enc.encode(starlark.NewList(c.elems), 0); err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		text = enc.sb.String()
	} else {
		text = starlark.NewList(c.elems).String()
	}
	if th.Print != nil {
		th.Print(th, text)
	} else {
		fmt.Println(text)
	}
	return starlark.None, nil
}

// defaultColumns are what as_table shows without keys.
func (c *collection) defaultColumns() []string {
	switch c.kind {
	case "components":
		return []string{"id", "name", "status"}
	case "experiments":
		return []string{"id", "started_at", "engine"}
	}
	var cols []string
	seen := map[string]bool{}
	for _, e := range c.elems {
		if d, ok := e.(*starlark.Dict); ok {
			for _, k := range d.Keys() {
				if s, ok := k.(starlark.String); ok && !seen[string(s)] {
					seen[string(s)] = true
					cols = append(cols, string(s))
				}
			}
		}
	}
	return cols
}

func colAsTable(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var keys *starlark.List
	if err := unpackArgs(b.Name(), args, kwargs, "keys?", &keys); err != nil {
		return nil, err
	}
	cols := c.defaultColumns()
	if keys != nil {
		cols = nil
		for i := 0; i < keys.Len(); i++ {
			s, ok := keys.Index(i).(starlark.String)
			if !ok {
				return nil, fmt.Errorf("%s: keys: expected strings", b.Name())
			}
			cols = append(cols, string(s))
		}
	}
	var sb strings.Builder
	tw := tabwriter.NewWriter(&sb, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	for _, e := range c.elems {
		cells := make([]string, len(cols))
		for i, col := range cols {
			v, err := lookup(e, col)
			if err != nil {
				return nil, err
			}
			if s, ok := v.(starlark.String); ok {
				cells[i] = string(s)
			} else {
				cells[i] = v.String()
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	return starlark.String(strings.TrimRight(sb.String(), "\n")), nil
}
