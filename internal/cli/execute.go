package cli

import (
	"io"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/runtime"
	"github.com/spf13/cobra"
)

func newExecuteCommand(stdout io.Writer) *cobra.Command {
	var storage, engine, seed, project string
	var versions, engineOpts []string
	var repeat, split int
	var failFast bool
	cmd := &cobra.Command{
		Use:   "execute COMPONENT|@EXPERIMENT",
		Short: "Execute one component without a script",
		Long: `Execute one component of the project in the current directory, as
execute(Experiment().component(COMPONENT, VERSION).repeat(K)) would. Each
--version is "~name" or a YAML patch; several are merged in order (a
tuple). --repeat and --split take a count >= 0; 0 and 1 (the default)
add no repetition, so the component runs once without REPEAT_*/SPLIT_*
flags. --seed takes an integer or an experiment ID; an ID of digits only
is written id:123456 (123456 alone is the integer seed). Exit status as
for run.

@NAME runs the experiment of the project's _machinable/experiments/NAME.star
instead of one component; --engine @NAME the engine of
_machinable/engines/NAME.star.`,
		Example: `  machinable execute optimization
  machinable execute optimization --version ~mnist --version 'learning_rate: 0.5' --repeat 3 --seed 42
  machinable execute optimization --storage ./results --engine native:2
  machinable execute @baseline --engine @cluster`,
		Args: oneArg("a component name of the project, or @NAME for an experiment of _machinable/experiments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			surviveClosedPipe()
			if err := checkRepeatFlag("repeat", repeat); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if err := checkRepeatFlag("split", split); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			var v runtime.Version
			switch len(versions) {
			case 0:
			case 1:
				v = runtime.VersionString(versions[0])
			default:
				items := make([]runtime.Version, len(versions))
				for i, s := range versions {
					items[i] = runtime.VersionString(s)
				}
				v = runtime.Merge(items...)
			}
			var plan *runtime.Experiment
			if dsl.IsDirective(args[0]) { // @name: the project's experiment, --version applies to all of it
				p, err := directiveExperiment(cmd.Context(), project, args[0])
				if err != nil {
					return &exitError{code: ExitError, err: err}
				}
				plan = p
				if len(versions) > 0 {
					plan.Version(v)
				}
			} else {
				plan = runtime.NewExperiment().Component(runtime.ComponentSpec{Name: args[0], Version: v})
			}
			if repeat > 1 {
				plan.Repeat(repeat, "")
			}
			if split > 1 {
				plan.Split(split, "")
			}
			if err := checkStorageFlag(storage); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if err := checkProjectFlag(project); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			spec, err := engineSpec(engine, engineOpts)
			if err == nil {
				spec, err = directiveEngine(cmd.Context(), project, spec)
			}
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			if storage == "" {
				storage = envStorage()
			}
			req := runtime.ExecuteRequest{Plan: plan, Storage: storage, Engine: spec, Project: project, FailFast: failFast}
			if seed != "" {
				if req.Seed, err = parseSeedFlag(seed); err != nil {
					return &exitError{code: ExitError, err: err}
				}
			}
			x, err := settingsExecutor(stdout, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			res, err := x.Execute(cmd.Context(), req)
			warnNotKept(cmd.ErrOrStderr(), []*runtime.Result{res}, "pass --storage ./results or set MACHINABLE_STORAGE")
			return exitForResult(cmd.Context(), res, err)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&versions, "version", nil, `version: "~name" or a YAML patch; repeatable (merged in order)`)
	f.IntVar(&repeat, "repeat", 1, "independent trials, >= 0 (0 and 1: none)")
	f.IntVar(&split, "split", 1, "splits, >= 0 (0 and 1: none)")
	f.StringVar(&storage, "storage", "", "storage URL (default: $MACHINABLE_STORAGE, else the settings' default_storage, else mem://, kept in memory only)")
	f.StringVar(&engine, "engine", "", "engine")
	f.StringArrayVar(&engineOpts, "engine-opt", nil, "engine option KEY=VALUE, repeatable")
	f.StringVar(&seed, "seed", "", seedFlagHelp)
	f.StringVar(&project, "project", "", "project directory (default: nearest machinable.yaml above the current directory)")
	f.BoolVar(&failFast, "fail-fast", false, "stop starting components after the first failure")
	return cmd
}
