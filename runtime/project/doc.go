// Package project reads a machinable project: the machinable.yaml file at
// the project root that declares components and their default
// configuration.
//
// Load parses and validates the whole file at once (component names,
// groups, aliases, inheritance, versions and includes), so that a broken
// file fails before anything runs. Config then resolves one component's
// configuration for a list of patches: the defaults, each patch merged in
// order, and finally the $.path and $self.path references, so a patch can
// change what a reference points to.
//
// Configuration values are plain Go values: map[string]any, []any, string,
// int64 (every integer), float64, bool and nil. Errors about the file name
// the file, the line, the key and what was expected.
//
// A *Project is read-only after Load and safe for concurrent use.
package project
