package dsl

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// collection is a read-only list of experiments, components or record rows
// with the query methods of SPEC §3.3: filter, where, first, last, sort,
// pluck, count, avg, min, max, group_by, as_table. Keys are dotted paths
// into attributes and dicts: "config.lr", "flags.SEED", "status", "loss".
type collection struct {
	kind  string // "experiments", "components", "records"
	elems []starlark.Value
}

var (
	_ starlark.Indexable = (*collection)(nil)
	_ starlark.Sequence  = (*collection)(nil)
	_ starlark.HasAttrs  = (*collection)(nil)
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

type collectionMethod func(c *collection, thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

var collectionMethods = map[string]collectionMethod{
	"filter": colFilter, "where": colWhere, "first": colFirst, "last": colLast,
	"sort": colSort, "pluck": colPluck, "count": colCount, "avg": colAvg,
	"min": colMin, "max": colMax, "group_by": colGroupBy, "as_table": colAsTable,
}

func (c *collection) AttrNames() []string {
	names := make([]string, 0, len(collectionMethods))
	for n := range collectionMethods {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (c *collection) Attr(name string) (starlark.Value, error) {
	m, ok := collectionMethods[name]
	if !ok {
		return nil, noSuchAttr(c, name)
	}
	return starlark.NewBuiltin(name, func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return m(c, thread, b, args, kwargs)
	}), nil
}

// lookup follows a dotted key through attributes and mappings; a missing
// step gives None, so filters and plucks over mixed elements just work.
func lookup(v starlark.Value, key string) (starlark.Value, error) {
	for _, part := range strings.Split(key, ".") {
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
	if b, ok := v.(*starlark.Builtin); ok { // a method used as a key: call it (is_finished)
		return starlark.Call(&starlark.Thread{}, b, nil, nil)
	}
	return v, nil
}

// keys evaluates a key argument (dotted name or function) for every
// element, in order.
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

// keyFunc reads a key argument: a dotted string, or a function of the element.
func keyFunc(fn string, key starlark.Value) (func(*starlark.Thread, starlark.Value) (starlark.Value, error), error) {
	switch k := key.(type) {
	case starlark.String:
		return func(_ *starlark.Thread, v starlark.Value) (starlark.Value, error) { return lookup(v, string(k)) }, nil
	case starlark.Callable:
		return func(th *starlark.Thread, v starlark.Value) (starlark.Value, error) {
			return starlark.Call(th, k, starlark.Tuple{v}, nil)
		}, nil
	}
	return nil, fmt.Errorf("%s: key: expected a dotted name such as \"config.lr\" or a function, got %s", fn, key.Type())
}

func colFilter(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fn starlark.Callable
	if err := unpackArgs(b.Name(), args, kwargs, "fn", &fn); err != nil {
		return nil, err
	}
	var out []starlark.Value
	for _, e := range c.elems {
		ok, err := starlark.Call(th, fn, starlark.Tuple{e}, nil)
		if err != nil {
			return nil, err
		}
		if ok.Truth() {
			out = append(out, e)
		}
	}
	return c.with(out), nil
}

func colWhere(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key string
	var want starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "key", &key, "value", &want); err != nil {
		return nil, err
	}
	var out []starlark.Value
	for _, e := range c.elems {
		got, err := lookup(e, key)
		if err != nil {
			return nil, err
		}
		if eq, err := starlark.Equal(got, want); err == nil && eq {
			out = append(out, e)
		}
	}
	return c.with(out), nil
}

func colFirst(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var def starlark.Value = starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "default?", &def); err != nil {
		return nil, err
	}
	if len(c.elems) == 0 {
		return def, nil
	}
	return c.elems[0], nil
}

func colLast(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var def starlark.Value = starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "default?", &def); err != nil {
		return nil, err
	}
	if len(c.elems) == 0 {
		return def, nil
	}
	return c.elems[len(c.elems)-1], nil
}

func colSort(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key starlark.Value
	reverse := false
	if err := unpackArgs(b.Name(), args, kwargs, "key", &key, "reverse?", &reverse); err != nil {
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
		// None sorts last either way.
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

func colPluck(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "key", &key); err != nil {
		return nil, err
	}
	out, err := c.keys(th, b.Name(), key)
	if err != nil {
		return nil, err
	}
	return starlark.NewList(out), nil
}

func colCount(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return starlark.MakeInt(len(c.elems)), nil
}

// numbers plucks a key and keeps the numeric values (None skipped).
func (c *collection) numbers(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) ([]float64, []starlark.Value, error) {
	var key starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "key", &key); err != nil {
		return nil, nil, err
	}
	keys, err := c.keys(th, b.Name(), key)
	if err != nil {
		return nil, nil, err
	}
	var fs []float64
	var vs []starlark.Value
	for _, v := range keys {
		if v == starlark.None {
			continue
		}
		f, ok := starlark.AsFloat(v)
		if !ok {
			return nil, nil, fmt.Errorf("%s(%s): expected numbers, got %s", b.Name(), key, v.Type())
		}
		fs, vs = append(fs, f), append(vs, v)
	}
	return fs, vs, nil
}

func colAvg(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	fs, _, err := c.numbers(th, b, args, kwargs)
	if err != nil || len(fs) == 0 {
		return starlark.None, err
	}
	sum := 0.0
	for _, f := range fs {
		sum += f
	}
	return starlark.Float(sum / float64(len(fs))), nil
}

func extreme(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, better func(a, b float64) bool) (starlark.Value, error) {
	fs, vs, err := c.numbers(th, b, args, kwargs)
	if err != nil || len(fs) == 0 {
		return starlark.None, err
	}
	best := 0
	for i := range fs {
		if better(fs[i], fs[best]) {
			best = i
		}
	}
	return vs[best], nil
}

func colMin(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return extreme(c, th, b, args, kwargs, func(a, b float64) bool { return a < b })
}

func colMax(c *collection, th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return extreme(c, th, b, args, kwargs, func(a, b float64) bool { return a > b })
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
