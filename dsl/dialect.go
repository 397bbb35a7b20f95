package dsl

import "go.starlark.net/syntax"

// fileOptions is the one dialect used for scripts, component modules,
// loaded files and the REPL: top-level for/if so sweeps can loop, while,
// sets, recursion and global reassignment.
var fileOptions = &syntax.FileOptions{
	Set:             true,
	While:           true,
	TopLevelControl: true,
	GlobalReassign:  true,
	Recursion:       true,
}

// FileOptions returns the dialect (a copy) for embedders and tools.
func FileOptions() *syntax.FileOptions {
	o := *fileOptions
	return &o
}
