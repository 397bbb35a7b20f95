package dsl

import (
	"go.starlark.net/starlark"
)

// builtinExecute is execute(experiment, storage=None, engine=None,
// project=None, seed=None, code_backup=None, fail_fast=False): the short
// form of Execution(experiment, ...).submit(), on the same code.
func builtinExecute(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var exp, storage, engine, project, seed, codeBackup starlark.Value = nil, starlark.None, starlark.None, starlark.None, starlark.None, starlark.None
	failFast := false
	if err := unpackArgs(b.Name(), args, kwargs, "experiment", &exp, "storage?", &storage,
		"engine?", &engine, "project?", &project, "seed?", &seed, "code_backup?", &codeBackup, "fail_fast?", &failFast); err != nil {
		return nil, err
	}
	e, err := newExecution(thread, b.Name(), exp, storage, engine, project, seed, codeBackup)
	if err != nil {
		return nil, err
	}
	e.failFast = failFast
	return e.submit(thread, b.Name())
}
