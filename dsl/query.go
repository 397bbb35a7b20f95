package dsl

import (
	"fmt"
	"time"

	"github.com/machinable-go/machinable/storage"
	"go.starlark.net/starlark"
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
func (s *storageValue) AttrNames() []string   { return []string{"experiments", "find", "url"} }

func (s *storageValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "url":
		return starlark.String(s.st.URL), nil
	case "experiments":
		views, err := s.st.Experiments()
		if err != nil {
			return nil, err
		}
		elems := make([]starlark.Value, len(views))
		for i, v := range views {
			elems[i] = &experimentValue{v: v}
		}
		return newCollection("experiments", elems), nil
	case "find":
		return starlark.NewBuiltin("find", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var id string
			if err := unpackArgs(b.Name(), args, kwargs, "id", &id); err != nil {
				return nil, err
			}
			v, err := s.st.Experiment(id)
			if err != nil {
				return nil, err
			}
			return &experimentValue{v: v}, nil
		}), nil
	}
	return nil, noSuchAttr(s, name)
}

// experimentValue is an experiment read from storage.
type experimentValue struct{ v *storage.ExperimentView }

func (e *experimentValue) String() string        { return fmt.Sprintf("<experiment %s>", e.v.ID) }
func (e *experimentValue) Type() string          { return "experiment" }
func (e *experimentValue) Freeze()               {}
func (e *experimentValue) Truth() starlark.Bool  { return true }
func (e *experimentValue) Hash() (uint32, error) { return starlark.String(e.v.ID).Hash() }
func (e *experimentValue) AttrNames() []string {
	return []string{"code_version", "components", "directory", "engine", "id", "path", "project", "seed", "started_at"}
}

func (e *experimentValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "id":
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
	case "started_at":
		return starlark.String(e.v.StartedAt.Format(time.RFC3339)), nil
	case "code_version":
		return toStarlark(e.v.CodeVersion), nil
	case "components":
		cs, err := e.v.Components()
		if err != nil {
			return nil, err
		}
		return componentCollection(cs), nil
	}
	return nil, noSuchAttr(e, name)
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
	return []string{"config", "error", "finished_at", "flags", "heartbeat_at", "id", "is_alive", "is_finished",
		"log", "name", "output", "records", "records_in", "resources", "scopes", "started_at", "status", "store"}
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
	case "id":
		return starlark.String(c.v.ID), nil
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
	return nil, noSuchAttr(c, name)
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
