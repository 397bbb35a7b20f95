package dsl

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/storage"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// builtinStorage is Storage(url): read-only access to what a storage holds.
func builtinStorage(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var url string
	if err := unpackArgs(b.Name(), args, kwargs, "url", &url); err != nil {
		return nil, err
	}
	st, err := storage.Open(stateOf(thread).storageURL(url)) // relative to the file
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return &storageValue{st: st}, nil
}

// storageValue is a Storage(url): .experiments, .find(id).
type storageValue struct{ st *storage.Storage }

func (s *storageValue) String() string        { return fmt.Sprintf("Storage(%q)", s.st.URL) }
func (s *storageValue) Type() string          { return "Storage" }
func (s *storageValue) Freeze()               {}
func (s *storageValue) Truth() starlark.Bool  { return true }
func (s *storageValue) Hash() (uint32, error) { return starlark.String(s.st.URL).Hash() }
func (s *storageValue) AttrNames() []string {
	return []string{"experiments", "find", "find_all", "find_by_directory", "find_many", "search", "url"}
}

func (s *storageValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "search": // dsl/query_index.go
		return s.searchBuiltin(), nil
	case "url":
		return starlark.String(s.st.URL), nil
	case "experiments":
		return s.experimentCollection(s.st.Experiments())
	case "find":
		// find(experiment=None): one experiment by ID; all of them without one (2.0).
		return starlark.NewBuiltin("find", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var id starlark.Value = starlark.None
			if err := unpackArgs(b.Name(), args, kwargs, "experiment?", &id); err != nil {
				return nil, err
			}
			if id == starlark.None {
				return s.experimentCollection(s.st.FindAll())
			}
			sid, ok := id.(starlark.String)
			if !ok {
				return nil, fmt.Errorf("%s: experiment: expected an experiment ID (a string), got %s", b.Name(), id.Type())
			}
			v, err := s.st.Experiment(string(sid))
			if err != nil {
				return nil, err
			}
			return &experimentValue{v: v}, nil
		}), nil
	case "find_all":
		return starlark.NewBuiltin("find_all", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := unpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			return s.experimentCollection(s.st.FindAll())
		}), nil
	case "find_many":
		// find_many(experiments): None in the place of an ID not found, as 2.0.
		return starlark.NewBuiltin("find_many", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var list starlark.Value
			if err := unpackArgs(b.Name(), args, kwargs, "experiments", &list); err != nil {
				return nil, err
			}
			elems, err := iterableElems(b.Name(), "experiments", list)
			if _, isStr := list.(starlark.String); isStr || err != nil {
				return nil, fmt.Errorf("%s: experiments: expected a list of experiment IDs, got %s", b.Name(), list.Type())
			}
			ids := make([]string, len(elems))
			for i, e := range elems {
				sid, ok := e.(starlark.String)
				if !ok {
					return nil, fmt.Errorf("%s: experiments[%d]: expected an experiment ID (a string), got %s", b.Name(), i, e.Type())
				}
				ids[i] = string(sid)
			}
			views, err := s.st.FindMany(ids)
			if err != nil {
				return nil, err
			}
			out := make([]starlark.Value, len(views))
			for i, v := range views {
				out[i] = starlark.None
				if v != nil {
					out[i] = &experimentValue{v: v}
				}
			}
			return newCollection("experiments", out), nil
		}), nil
	case "find_by_directory":
		return starlark.NewBuiltin("find_by_directory", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var dir string
			if err := unpackArgs(b.Name(), args, kwargs, "directory", &dir); err != nil {
				return nil, err
			}
			return s.experimentCollection(s.st.FindByDirectory(dir))
		}), nil
	}
	return nil, noSuchAttr(s, name)
}

func (s *storageValue) experimentCollection(views []*storage.ExperimentView, err error) (starlark.Value, error) {
	if err != nil {
		return nil, err
	}
	elems := make([]starlark.Value, len(views))
	for i, v := range views {
		elems[i] = &experimentValue{v: v}
	}
	return newCollection("experiments", elems), nil
}

// experimentValue is an experiment read from storage.
type experimentValue struct{ v *storage.ExperimentView }

func (e *experimentValue) String() string        { return fmt.Sprintf("<experiment %s>", e.v.ID) }
func (e *experimentValue) Type() string          { return "experiment" }
func (e *experimentValue) Freeze()               {}
func (e *experimentValue) Truth() starlark.Bool  { return true }
func (e *experimentValue) Hash() (uint32, error) { return starlark.String(e.v.ID).Hash() }
func (e *experimentValue) AttrNames() []string {
	return []string{"code_backup", "code_version", "components", "directory", "engine", "experiment_id", "file",
		"finished_at", "host", "id", "is_finished", "is_started", "path", "project", "seed", "started_at",
		"submission_id", "timestamp", "url"}
}

func (e *experimentValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "id", "experiment_id", "submission_id": // 2.0's id, 2.9's submission_id
		return starlark.String(e.v.ID), nil
	case "seed":
		return starlark.MakeInt64(e.v.Seed), nil
	case "engine":
		return starlark.String(e.v.Engine), nil
	case "directory":
		return starlark.String(e.v.Directory), nil
	case "project":
		return starlark.String(e.v.Project), nil
	case "path":
		return starlark.String(e.v.Path()), nil
	case "url":
		return starlark.String(e.v.URL()), nil
	case "started_at":
		return starlark.String(e.v.StartedAt.Format(time.RFC3339)), nil
	case "timestamp":
		return starlark.Float(e.v.Timestamp()), nil
	case "finished_at":
		t, err := e.v.FinishedAt()
		if err != nil {
			return nil, err
		}
		return timeValue(t), nil
	case "is_finished":
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := unpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			t, err := e.v.FinishedAt()
			return starlark.Bool(t != nil), err
		}), nil
	case "is_started": // started_at is written when the experiment is stored
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.True, unpackArgs(b.Name(), args, kwargs)
		}), nil
	case "code_version":
		return toStarlark(e.v.CodeVersion), nil
	case "code_backup": // 2.x: whether the code was backed up
		return starlark.Bool(e.v.HasCodeBackup()), nil
	case "host": // None while the experiment is being prepared
		h, err := e.v.Host()
		if errors.Is(err, fs.ErrNotExist) {
			return starlark.None, nil
		} else if err != nil {
			return nil, err
		}
		return frozenMapping(name, h), nil
	case "file":
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return readFileArg(b, args, kwargs, "filepath", e.v.ReadFile)
		}), nil
	case "components":
		cs, err := e.v.Components()
		if err != nil {
			return nil, err
		}
		return componentCollection(cs), nil
	}
	return nil, noSuchAttr(e, name)
}

// CompareSameType: two values of one experiment are equal.
func (e *experimentValue) CompareSameType(op syntax.Token, y starlark.Value, _ int) (bool, error) {
	return sameThing(op, e.v.Path(), y.(*experimentValue).v.Path(), e.Type())
}

// CompareSameType: two values of one stored component are equal.
func (c *componentValue) CompareSameType(op syntax.Token, y starlark.Value, _ int) (bool, error) {
	o := y.(*componentValue)
	if !c.stored() || !o.stored() {
		return sameThing(op, fmt.Sprintf("%p", c), fmt.Sprintf("%p", o), c.Type())
	}
	return sameThing(op, c.v.Experiment.Path()+"/"+c.v.ID, o.v.Experiment.Path()+"/"+o.v.ID, c.Type())
}

func sameThing(op syntax.Token, a, b, what string) (bool, error) {
	switch op {
	case syntax.EQL:
		return a == b, nil
	case syntax.NEQ:
		return a != b, nil
	}
	return false, fmt.Errorf("%s values support == and != only, not %s", what, op)
}

// serialize is the experiment as plain data (collections' serialize and
// as_json).
func (e *experimentValue) serialize() (starlark.Value, error) {
	d := starlark.NewDict(8)
	for _, k := range []string{"experiment_id", "seed", "engine", "directory", "project", "started_at", "finished_at", "url"} {
		v, err := e.Attr(k)
		if err != nil {
			return nil, err
		}
		d.SetKey(starlark.String(k), v)
	}
	return d, nil
}

func frozenMapping(name string, m map[string]any) starlark.Value {
	mv := newMapping(name, m, false)
	mv.Freeze()
	return mv
}

// readFileArg is file(filepath, default=...): a file of an experiment or
// component, read as 2.x reads it: .json decoded, other files as text;
// pickles and numpy files have no reader here. A missing file is the
// default when one is given, else an error.
func readFileArg(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, param string, read func(string) ([]byte, error)) (starlark.Value, error) {
	var name string
	var def starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, param, &name, "default?", &def); err != nil {
		return nil, err
	}
	switch path.Ext(name) {
	case ".p", ".npy":
		return nil, fmt.Errorf("%s(%q): %s files are Python's (pickle, numpy) and cannot be read here", b.Name(), name, path.Ext(name))
	}
	raw, err := read(name)
	if err != nil {
		if def != nil && errors.Is(err, fs.ErrNotExist) {
			return def, nil
		}
		return nil, fmt.Errorf("%s(%q): %w", b.Name(), name, err)
	}
	if path.Ext(name) == ".json" {
		v, err := jsonvalue.Decode(raw)
		if err != nil {
			return nil, fmt.Errorf("%s(%q): %w", b.Name(), name, err)
		}
		return toStarlark(v), nil
	}
	if !utf8.Valid(raw) {
		return nil, fmt.Errorf("%s(%q): not a text file", b.Name(), name)
	}
	return starlark.String(raw), nil
}

func componentCollection(cs []*storage.ComponentView) *collection {
	elems := make([]starlark.Value, len(cs))
	for i, c := range cs {
		elems[i] = &componentValue{v: c}
	}
	return newCollection("components", elems)
}

// componentValue is a component read from storage: what Storage(...)
// queries and execute() return. Status, records, stored values and logs
// are read when asked, so a running component shows its current state.
// A component of a dry run has no storage: its status is "scheduled".
type componentValue struct{ v *storage.ComponentView }

var _ starlark.HasAttrs = (*componentValue)(nil)

func (c *componentValue) String() string {
	return fmt.Sprintf("<component %s %s %s>", c.v.ID, c.v.Name, c.state())
}
func (c *componentValue) Type() string          { return "component" }
func (c *componentValue) Freeze()               {}
func (c *componentValue) Truth() starlark.Bool  { return true }
func (c *componentValue) Hash() (uint32, error) { return starlark.String(c.v.ID).Hash() }
func (c *componentValue) AttrNames() []string {
	return []string{"component_id", "components", "config", "data", "error", "execution", "experiment", "file",
		"finished_at", "flags", "get_records", "get_records_writer", "has_records", "heartbeat_at", "host", "id",
		"is_active", "is_alive", "is_finished", "is_incomplete", "is_started", "is_stopped", "log", "name", "output", "records",
		"records_in", "resources", "scopes", "started_at", "status", "store", "submission", "tuning", "url"}
}

func (c *componentValue) stored() bool { return c.v.Experiment != nil }

func (c *componentValue) status() storage.Status {
	if !c.stored() {
		return storage.Status{Status: "scheduled"}
	}
	st, err := c.v.Status()
	if err != nil {
		return storage.Status{Status: "unreadable", Error: err.Error()}
	}
	return st
}

// state is the status with running split into running and stale.
func (c *componentValue) state() string {
	st := c.status()
	if st.Status == "scheduled" || st.Status == "unreadable" {
		return st.Status
	}
	return st.State(time.Now())
}

func timeValue(t *time.Time) starlark.Value {
	if t == nil {
		return starlark.None
	}
	return starlark.String(t.Format(time.RFC3339Nano))
}

func (c *componentValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "id", "component_id": // 2.0's id, 2.9's component_id
		return starlark.String(c.v.ID), nil
	case "experiment", "submission", "execution": // 2.0, 2.9 and 2.14's names of the way back
		if !c.stored() {
			return starlark.None, nil
		}
		return &experimentValue{v: c.v.Experiment}, nil
	case "url":
		if !c.stored() {
			return starlark.None, nil
		}
		return starlark.String(c.v.URL()), nil
	case "tuning":
		t, _ := c.v.Flags["TUNING"].(bool)
		return starlark.Bool(t), nil
	case "components": // sub-components: name, config and flags each
		out := make([]starlark.Value, len(c.v.Components))
		for i, sub := range c.v.Components {
			out[i] = frozenMapping("component", sub)
		}
		return starlark.NewList(out), nil
	case "host":
		if !c.stored() {
			return starlark.None, nil
		}
		h, err := c.v.Host()
		if err != nil || h == nil {
			return starlark.None, err
		}
		return frozenMapping(name, h), nil
	case "is_started", "is_incomplete", "is_active":
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := unpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			st := c.status()
			alive := st.Running(time.Now())
			switch b.Name() {
			case "is_started":
				return starlark.Bool(st.StartedAt != nil), nil
			case "is_active":
				return starlark.Bool(alive), nil
			}
			// started, and neither running nor finished nor stopped (final):
			// failed, interrupted or stale
			return starlark.Bool(st.StartedAt != nil && !alive && st.Status != storage.StatusFinished && st.Status != storage.StatusStopped), nil
		}), nil
	case "has_records":
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			scope := "default"
			if err := unpackArgs(b.Name(), args, kwargs, "scope?", &scope); err != nil {
				return nil, err
			}
			return starlark.Bool(c.stored() && c.v.HasRecords(scope)), nil
		}), nil
	case "get_records", "get_records_writer": // 2.9 and 2.0: the rows of a scope; the scopes without one
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var scope starlark.Value = starlark.None
			if err := unpackArgs(b.Name(), args, kwargs, "scope?", &scope); err != nil {
				return nil, err
			}
			if scope == starlark.None {
				return c.Attr("scopes")
			}
			s, ok := scope.(starlark.String)
			if !ok {
				return nil, fmt.Errorf("%s: scope: expected a string, got %s", b.Name(), scope.Type())
			}
			return c.records(string(s))
		}), nil
	case "file":
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return readFileArg(b, args, kwargs, "filepath", c.readFile)
		}), nil
	case "data": // data(name=None, default=...): a file of data/, or their names
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if len(args) == 0 && len(kwargs) == 0 || len(args) == 1 && args[0] == starlark.None && len(kwargs) == 0 {
				var out []starlark.Value
				if c.stored() {
					for _, n := range c.v.DataNames() {
						out = append(out, starlark.String(n))
					}
				}
				return starlark.NewList(out), nil
			}
			return readFileArg(b, args, kwargs, "name", func(n string) ([]byte, error) {
				if checkDataName(n) != nil {
					return nil, checkDataName(n)
				}
				return c.readFile("data/" + n)
			})
		}), nil
	case "name":
		return starlark.String(c.v.Name), nil
	case "config", "flags", "resources":
		m := map[string]map[string]any{"config": c.v.Config, "flags": c.v.Flags, "resources": c.v.Resources}[name]
		mv := newMapping(name, m, false)
		mv.Freeze()
		return mv, nil
	case "status":
		return starlark.String(c.state()), nil
	case "error":
		if e := c.status().Error; e != "" {
			return starlark.String(e), nil
		}
		return starlark.None, nil
	case "started_at":
		return timeValue(c.status().StartedAt), nil
	case "finished_at":
		return timeValue(c.status().FinishedAt), nil
	case "heartbeat_at":
		return timeValue(c.status().HeartbeatAt), nil
	case "is_finished":
		return starlark.NewBuiltin("is_finished", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return starlark.Bool(c.status().Status == storage.StatusFinished), nil
		}), nil
	case "is_stopped": // a tuning trial its scheduler ended early
		return starlark.NewBuiltin("is_stopped", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := unpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			return starlark.Bool(c.status().Status == storage.StatusStopped), nil
		}), nil
	case "is_alive":
		return starlark.NewBuiltin("is_alive", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return starlark.Bool(c.status().Running(time.Now())), nil
		}), nil
	case "records":
		return c.records("default")
	case "records_in":
		return starlark.NewBuiltin("records_in", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var scope string
			if err := unpackArgs(b.Name(), args, kwargs, "scope", &scope); err != nil {
				return nil, err
			}
			return c.records(scope)
		}), nil
	case "scopes":
		var out []starlark.Value
		if c.stored() {
			for _, s := range c.v.Scopes() {
				out = append(out, starlark.String(s))
			}
		}
		return starlark.NewList(out), nil
	case "store":
		return starlark.NewBuiltin("store", c.readStore), nil
	case "log", "output":
		if !c.stored() {
			return starlark.String(""), nil
		}
		file := map[string]string{"log": "log.txt", "output": "output.log"}[name]
		s, err := c.v.File(file)
		return starlark.String(s), err
	}
	if v, ok, err := c.alias(name); ok || err != nil {
		return v, err
	}
	return nil, noSuchAttr(c, name)
}

// alias is a sub-component by its alias (2.0: the flag COMPONENTS_ALIAS
// maps aliases to positions in components).
func (c *componentValue) alias(name string) (starlark.Value, bool, error) {
	aliases, _ := c.v.Flags["COMPONENTS_ALIAS"].(map[string]any)
	pos, ok := aliases[name]
	if !ok {
		return nil, false, nil
	}
	i, ok := jsonvalue.Float(pos)
	if !ok || i != float64(int(i)) || int(i) < 0 || int(i) >= len(c.v.Components) {
		return nil, true, fmt.Errorf("component %s: COMPONENTS_ALIAS[%q] = %v is not the position of a sub-component (it has %d)", c.v.ID, name, pos, len(c.v.Components))
	}
	return frozenMapping("component", c.v.Components[int(i)]), true, nil
}

func (c *componentValue) readFile(name string) ([]byte, error) {
	if !c.stored() {
		return nil, fmt.Errorf("component %s did not run: %w", c.v.ID, fs.ErrNotExist)
	}
	return c.v.ReadFile(name)
}

// checkDataName accepts a name of data(): a file directly in data/.
func checkDataName(n string) error {
	if n == "" || n == "." || n == ".." || strings.ContainsAny(n, "/\\\x00") {
		return fmt.Errorf("invalid data name %q: expected a file name without directories", n)
	}
	return nil
}

// serialize is the component as plain data (collections' serialize and
// as_json), with 2.9's keys.
func (c *componentValue) serialize() (starlark.Value, error) {
	d := starlark.NewDict(12)
	exp := starlark.Value(starlark.None)
	if c.stored() {
		exp = starlark.String(c.v.Experiment.ID)
	}
	d.SetKey(starlark.String("experiment_id"), exp)
	for _, k := range []string{"component_id", "name", "config", "flags", "status", "started_at", "heartbeat_at", "finished_at", "url"} {
		v, err := c.Attr(k)
		if err != nil {
			return nil, err
		}
		if m, ok := v.(*mapping); ok {
			v = toStarlark(m.m)
		}
		d.SetKey(starlark.String(k), v)
	}
	return d, nil
}

// records reads the rows of a scope into a collection of dicts.
func (c *componentValue) records(scope string) (starlark.Value, error) {
	if !c.stored() {
		return newCollection("records", nil), nil
	}
	var elems []starlark.Value
	err := c.v.Records(scope, func(row map[string]any) bool {
		elems = append(elems, toStarlark(row))
		return true
	})
	if err != nil {
		return nil, err
	}
	return newCollection("records", elems), nil
}

// readStore is component.store(name): a value the component stored.
func (c *componentValue) readStore(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	if err := unpackArgs(b.Name(), args, kwargs, "name", &name); err != nil {
		return nil, err
	}
	if !c.stored() {
		return nil, fmt.Errorf("%s(%q): component %s did not run", b.Name(), name, c.v.ID)
	}
	v, err := c.v.Read(name)
	if err != nil {
		return nil, err
	}
	return toStarlark(v), nil
}
