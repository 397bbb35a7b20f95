package dsl

import (
	"fmt"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
	"go.starlark.net/starlark"
)

// executionType is the Execution builtin: callable like a class, with
// Execution.from_storage(url) as its class method.
type executionType struct{}

var (
	_ starlark.Callable = executionType{}
	_ starlark.HasAttrs = executionType{}
)

func (executionType) String() string        { return "<built-in function Execution>" }
func (executionType) Type() string          { return "builtin_function_or_method" }
func (executionType) Freeze()               {}
func (executionType) Truth() starlark.Bool  { return true }
func (executionType) Hash() (uint32, error) { return starlark.String("Execution").Hash() }
func (executionType) Name() string          { return "Execution" }
func (executionType) AttrNames() []string   { return []string{"from_storage"} }

func (t executionType) CallInternal(thread *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return builtinExecution(thread, starlark.NewBuiltin("Execution", nil), args, kwargs)
}

func (executionType) Attr(name string) (starlark.Value, error) {
	if name == "from_storage" {
		return starlark.NewBuiltin("Execution.from_storage", builtinFromStorage), nil
	}
	return nil, nil
}

// builtinFromStorage is Execution.from_storage(url, id=None): the
// execution of a stored experiment, from the URL of its directory or a
// storage URL and its ID. submit() resumes it; summary() shows it.
func builtinFromStorage(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var url, id string
	if err := unpackArgs(b.Name(), args, kwargs, "url", &url, "id?", &id); err != nil {
		return nil, err
	}
	st := stateOf(thread)
	if st == nil || st.role != roleScript {
		return nil, fmt.Errorf("%s() is only available in experiment scripts", b.Name())
	}
	url = st.storageURL(url)
	var exp *storage.Experiment
	var err error
	if id != "" {
		var s *storage.Storage
		if s, err = storage.Open(url); err == nil {
			exp, err = s.FindExperiment(id)
		}
	} else {
		exp, err = storage.OpenExperimentURL(url)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	opener, ok := st.opts.Executor.(runtime.StoredExecutor)
	if !ok {
		return nil, fmt.Errorf("%s: this interpreter's executor cannot open stored experiments", b.Name())
	}
	ex, err := opener.OpenStored(st.ctx, exp)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	e := &execution{thread: thread, plan: ex.Plan.Clone(), storage: starlark.String(ex.Storage),
		engine: starlark.None, project: starlark.None, backupIn: starlark.None,
		seed: ex.Seed, id: ex.ExperimentID, stored: exp, storedEx: ex}
	return e, nil
}
