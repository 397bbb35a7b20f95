// Package interp is the small, stable API for embedding machinable in other
// Go programs: one Interpreter that runs experiment scripts written in
// Starlark, executes plans built in Go, and runs components and engines
// written in Go next to those written in Starlark.
//
// machinable has three ways in, all built on the same packages:
//
//  1. the command line, `machinable run experiment.star` (package
//     internal/cli);
//  2. the interactive prompt, `machinable repl` (package dsl's REPL), with
//     the same builtins;
//  3. this package, for Go tools that embed the interpreter.
//
// The shortest use runs a script the way `machinable run` does:
//
//	it := interp.New()
//	report, err := it.ExecFile(ctx, "experiment.star")
//	if err != nil {
//		var evalErr *starlark.EvalError
//		if errors.As(err, &evalErr) {
//			fmt.Fprintln(os.Stderr, evalErr.Backtrace()) // file:line:col of every frame
//		}
//		return err
//	}
//	fmt.Println(report.Results[0].Execution.ExperimentID, report.Failed(), "failed")
//
// Go components (RegisterComponent) and Go engines (RegisterEngine) are
// available to every script and plan of the Interpreter by name, next to
// the Starlark components of the project (machinable.yaml). Plans can be
// built in Go with runtime.NewExperiment and run without Starlark
// (Execute). What an execution wrote is read back through OpenStorage.
//
// Everything that runs takes a context.Context first: cancelling it stops
// a running script (the Starlark thread is cancelled) and the components
// an engine is running, which end as "interrupted" and can be resumed
// (Resume).
//
// An Interpreter is safe for concurrent use once its components and
// engines are registered. It keeps no package state: two Interpreters are
// independent, except that mem:// storages are shared within the process
// (so a script and the Go code around it can read what was just run).
//
// See docs/embedding.md and examples/embed for a complete program.
package interp
