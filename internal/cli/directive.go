package cli

import (
	"context"
	"fmt"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/engines"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/runtime/project"
	"github.com/spf13/cobra"
)

// directiveProjectDir is where the execute command looks for @
// directives: --project, else the nearest machinable.yaml above the
// current directory, else the current directory (a project may keep only
// _machinable/).
func directiveProjectDir(projectFlag string) string {
	if projectFlag != "" {
		return projectFlag
	}
	if dir, err := project.Find("."); err == nil {
		return dir
	}
	return "."
}

// directiveExperiment reads the experiment of `machinable execute @NAME`.
func directiveExperiment(ctx context.Context, projectFlag, name string) (*runtime.Experiment, error) {
	return dsl.ExperimentDirective(ctx, directiveProjectDir(projectFlag), name)
}

// directiveEngine replaces an --engine @NAME of the execute command by
// the engine of the project's _machinable/engines/NAME.star, checked as
// --engine is; other engines are returned as they are.
func directiveEngine(ctx context.Context, projectFlag string, spec any) (any, error) {
	name, ok := spec.(string)
	if !ok || !dsl.IsDirective(name) {
		return spec, nil
	}
	e, err := dsl.EngineDirective(ctx, directiveProjectDir(projectFlag), name)
	if err != nil {
		return nil, fmt.Errorf("--engine %s: %w", name, err)
	}
	parsed, err := engines.ParseSpec(e)
	if err == nil {
		_, err = engines.NewRegistry().New(parsed)
	}
	if err != nil {
		return nil, fmt.Errorf("--engine %s: %w", name, err)
	}
	return e, nil
}

// directiveCompletions are the @ names of the experiments (engines false)
// or engines of the project completion looks at; none without a project.
func directiveCompletions(cmd *cobra.Command, engines bool) []string {
	p := completionProject(cmd)
	if p == nil {
		return nil
	}
	if engines {
		return dsl.EngineDirectives(p.Dir)
	}
	return dsl.ExperimentDirectives(p.Dir)
}
