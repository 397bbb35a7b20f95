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

// request is what Execute and Plan hand the executor.
func (i *Interpreter) request(plan *runtime.Experiment, opts []ExecuteOption) runtime.ExecuteRequest {
	var c executeConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return runtime.ExecuteRequest{
		Plan:     plan,
		Storage:  c.storage,
		Engine:   c.engine,
		Seed:     c.seed,
		Project:  i.cfg.project,
		FailFast: c.failFast,
	}
}

// Plan resolves a plan as Execute would (the same experiment ID,
// component IDs and configs) without running it or writing anything: what
// a script's Execution(...).summary() shows, see runtime.Execution.Summary.
// Execute the same plan with the experiment ID as seed to run exactly it.
func (i *Interpreter) Plan(ctx context.Context, plan *runtime.Experiment, opts ...ExecuteOption) (*runtime.Execution, error) {
	return defaults{i}.Plan(ctx, i.request(plan, opts))
}

// Export writes a folder that runs an execution again without the
// original project (a script's Execution(...).export(path)): the project's
// files, a run.star and a README.md. experimentURL names a stored
// experiment (as for Resume), whose code.zip is exported; path must not
// exist or be empty.
func (i *Interpreter) Export(ctx context.Context, experimentURL, path string) error {
	exp, err := i.openExperiment(experimentURL)
	if err != nil {
		return err
	}
	ex, err := i.executor.OpenStored(ctx, exp)
	if err != nil {
		return err
	}
	return i.executor.Export(ctx, ex, exp, path)
}
