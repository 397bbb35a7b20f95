// Package runtime holds the Go side of an experiment: the plan a script or a
// Go caller builds (Experiment, ComponentSpec, Version), its resolution
// against a project and a global seed into a schedule of components with
// config and flags, and the component life cycle that engines drive.
//
// runtime knows nothing about Starlark. Component code is found through a
// Registry: the dsl package registers a loader for .star modules, and Go
// programs register Go components the same way.
package runtime
