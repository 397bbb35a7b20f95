package dsl

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/seeding"
	"go.starlark.net/starlark"
)

// builtinExecute is execute(experiment, storage=None, engine=None,
// project=None, seed=None): it translates its arguments into a
// runtime.ExecuteRequest and hands it to the run's Executor.
func builtinExecute(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	st := stateOf(thread)
	if st == nil || st.role != roleScript {
		return nil, errors.New("execute() is only available in experiment scripts, not in component modules or loaded files")
	}
	var exp, storage, engine, project, seed, codeBackup starlark.Value = nil, starlark.None, starlark.None, starlark.None, starlark.None, starlark.None
	failFast := false
	if err := unpackArgs(b.Name(), args, kwargs, "experiment", &exp, "storage?", &storage,
		"engine?", &engine, "project?", &project, "seed?", &seed, "code_backup?", &codeBackup, "fail_fast?", &failFast); err != nil {
		return nil, err
	}
	if err := resolveExperimentDirective(st, &exp, project); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	plan, err := planOf(exp)
	if err != nil {
		return nil, fmt.Errorf("%s: experiment: %w", b.Name(), err)
	}
	req := runtime.ExecuteRequest{Plan: plan, SearchFrom: st.dir, Project: st.opts.Project,
		Storage: st.opts.Storage, Engine: st.opts.Engine, Seed: st.opts.Seed,
		FailFast: failFast || st.opts.FailFast}
	// Values the script gives are defaults; the CLI's flags override them.
	if s, ok := storage.(starlark.String); ok && req.Storage == "" {
		req.Storage = st.storageURL(string(s))
	} else if !ok && storage != starlark.None {
		return nil, fmt.Errorf("%s: storage: expected a URL string, got %s", b.Name(), storage.Type())
	}
	if req.Engine == nil && engine != starlark.None {
		switch e := engine.(type) {
		case starlark.String:
			req.Engine = string(e)
		case *starlark.Dict:
			m, err := fromStarlarkMap("engine", e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", b.Name(), err)
			}
			req.Engine = m
		default:
			return nil, fmt.Errorf("%s: engine: expected a string such as \"native:4\" or a dict, got %s", b.Name(), engine.Type())
		}
	}
	if req.Engine, err = resolveEngineDirective(st, req.Engine, project); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	if req.Storage == "" {
		req.Storage = st.opts.DefaultStorage
	}
	if p, ok := project.(starlark.String); ok {
		req.Project = string(p)
		if !filepath.IsAbs(req.Project) {
			req.Project = filepath.Join(st.dir, req.Project)
		}
	} else if project != starlark.None {
		return nil, fmt.Errorf("%s: project: expected a directory path, got %s", b.Name(), project.Type())
	}
	if req.Seed == nil {
		switch s := seed.(type) {
		case starlark.NoneType:
		case starlark.Int:
			n, ok := s.Int64()
			if !ok {
				return nil, fmt.Errorf("%s: seed %s does not fit in 64 bits", b.Name(), s)
			}
			req.Seed = n
		case starlark.String:
			// An experiment ID; "id:" in front is accepted as on the
			// command line (--seed id:123456).
			id, _ := seeding.CutIDPrefix(string(s))
			if _, err := seeding.ExperimentSeed(id); err != nil {
				return nil, fmt.Errorf("%s: seed: %w", b.Name(), err)
			}
			req.Seed = id
		default:
			return nil, fmt.Errorf("%s: seed: expected None, an int or an experiment ID string, got %s", b.Name(), seed.Type())
		}
	}
	switch cb := codeBackup.(type) {
	case starlark.NoneType:
	case starlark.Bool:
		req.CodeBackup = bool(cb)
	case *starlark.Dict:
		m, err := fromStarlarkMap("code_backup", cb)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		req.CodeBackup = m
	default:
		return nil, fmt.Errorf("%s: code_backup: expected True, False or a dict, got %s", b.Name(), codeBackup.Type())
	}
	if st.ctx != nil && st.ctx.Err() != nil {
		return nil, fmt.Errorf("%s: not started: %v", b.Name(), context.Cause(st.ctx))
	}
	if st.opts.Executor == nil {
		return nil, errors.New("execute(): this interpreter has no executor")
	}
	result, err := st.opts.Executor.Execute(st.ctx, req)
	if result != nil {
		st.results = append(st.results, result)
	}
	if err != nil {
		return nil, err
	}
	return newExecutionValue(result)
}
