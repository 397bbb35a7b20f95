// Package project reads a machinable project: the machinable.yaml file at
// the project root that declares components, mixins and their default
// configuration, with the semantics of machinable 2.0 (and the later 2.x
// features that extend it).
//
// Load reads the whole file at once, so that a broken file fails before
// anything runs:
//   - environment variables ($VAR, ${VAR}, ${VAR:-default}) are expanded
//     in the text, with $., $self. and $/ left alone (2.2+); an unset
//     variable is empty;
//   - the YAML is read as PyYAML's SafeLoader reads it (YAML 1.1: yes, no,
//     on and off are booleans, 017 is octal, 1:30 is 90) plus machinable's
//     rule that 1e-3 is a float;
//   - components:, components:GROUP: and components:GROUP=ALIAS: sections
//     declare components, mixins: and mixins:GROUP: sections mixins, with
//     parents and aliases (NAME^PARENT=ALIAS) and "$/file" includes;
//     a name in a group is also found without the group prefix when no
//     other name takes it;
//   - dotted keys ("a.b: 1") are unflattened unless _unflatten: false;
//   - references ($.path, $self.path, $self.x[$.key]) are resolved, per
//     component, before any version applies; a child starts from its
//     parent's resolved config;
//   - reserved keys (_map, _dynamic, _evaluated; _evaluate below the top)
//     and unknown mixins are errors naming the file and line.
//
// Config and ConfigInfo then resolve one component's configuration for a
// list of patches: its mixins merged under its config, then the patches
// (dicts, "~name", "~a:b" and "_mixin_" strings) merged in order as one
// update, as 2.0 does. ConfigInfo also tells which versions and mixins it
// applied. Config methods ("base_lr(0.01)") are values the runtime
// evaluates; ParseMethodCallKw reads them. A config whose _evaluate is
// false (set by the component, a version, or at the top of the file) asks
// for config methods not to be evaluated: see Evaluate.
//
// Configuration values are plain Go values: map[string]any, []any, string,
// int64 (every integer), float64, bool and nil. Errors about the file name
// the file, the line, the key and what was expected.
//
// A *Project is read-only after Load and safe for concurrent use.
package project
