// Package dsl is the Starlark face of machinable: the builtins scripts use
// (Experiment, execute, random, ...), the values that wrap Go plan objects,
// the loader of .star component modules and the `self` they receive.
//
// It only translates: Starlark values become runtime plan objects, which go
// to a runtime.Executor; component modules are exposed to the runtime as
// runtime.Instance values. Nothing about execution, storage or seeding is
// decided here.
package dsl
