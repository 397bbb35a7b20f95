package interp

import (
	"context"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// The Execution object of scripts (Execution(...).summary(), .submit(),
// Execution.from_storage, .export) needs more of the executor than
// Execute: these pass it through with the Interpreter's defaults.
var (
	_ runtime.Planner        = defaults{}
	_ runtime.StoredExecutor = defaults{}
	_ runtime.Exporter       = defaults{}
)

// fill puts the Interpreter's defaults where the request names nothing.
func (d defaults) fill(req runtime.ExecuteRequest) runtime.ExecuteRequest {
	if req.Storage == "" {
		req.Storage = d.i.cfg.defaultStorage
	}
	if req.Engine == nil {
		req.Engine = d.i.cfg.engine
	}
	if req.Seed == nil {
		req.Seed = d.i.cfg.seed
	}
	if req.Project == "" {
		req.Project = d.i.cfg.project
	}
	return req
}

func (d defaults) Plan(ctx context.Context, req runtime.ExecuteRequest) (*runtime.Execution, error) {
	return d.i.executor.Plan(ctx, d.fill(req))
}

func (d defaults) OpenStored(ctx context.Context, exp *storage.Experiment) (*runtime.Execution, error) {
	return d.i.executor.OpenStored(ctx, exp)
}

func (d defaults) Resume(ctx context.Context, exp *storage.Experiment, engine any, failFast bool) (*runtime.Result, error) {
	if engine == nil {
		engine = d.i.cfg.engine
	}
	return d.i.executor.Resume(ctx, exp, engine, failFast)
}

func (d defaults) Export(ctx context.Context, ex *runtime.Execution, stored *storage.Experiment, path string) error {
	return d.i.executor.Export(ctx, ex, stored, path)
}
