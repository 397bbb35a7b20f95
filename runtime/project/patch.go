package project

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Patch is one configuration patch applied on top of a component's
// defaults. Exactly one field is set; the zero Patch changes nothing.
type Patch struct {
	// Version is a version string: "~name" names a version declared in
	// machinable.yaml (by the component, a parent or a mixin, or nested in
	// a version applied before it), "~a:b" the version ~b nested in ~a,
	// and "_name_" the config of mixin name.
	Version string
	// Values is merged deeply into the config. Integers of any Go type,
	// typed slices and maps are converted to the plain config types, and
	// "$/file.yaml" includes are read relative to the project directory.
	// Dotted keys ("model.width": 64) are unflattened unless Values sets
	// _unflatten to false; a _mixins_ key replaces the component's mixins
	// ("^" in the list stands for the component's own). References
	// ($self.x) in Values are not resolved: they are resolved only in
	// machinable.yaml, when it is loaded.
	Values map[string]any
}

// ParseYAMLPatch parses a YAML document given as a version string
// ("{lr: 0.1, model: {width: 64}}") into a patch. The document must be a
// mapping; an empty document is an empty patch.
func ParseYAMLPatch(src string) (map[string]any, error) {
	dec := yaml.NewDecoder(strings.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return map[string]any{}, nil
		}
		return nil, patchError(yamlError("", []byte(src), err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, patchError(newPosError("", extra.Line, "expected a single YAML document (a mapping of config keys)"))
	}
	v, err := (&decoder{}).decode(&doc, "", "", nil)
	if err != nil {
		return nil, patchError(err)
	}
	m, ok := v.(map[string]any)
	switch {
	case v == nil:
		return map[string]any{}, nil
	case !ok:
		line := doc.Line
		if len(doc.Content) > 0 {
			line = doc.Content[0].Line
		}
		return nil, patchError(newPosError("", line, "expected a mapping of config keys (like {lr: 0.1}), got %s %q", describe(v), strings.TrimSpace(src)))
	}
	return m, nil
}

// patchError words an error in a version string, which has no file name.
func patchError(err error) error {
	var pe *posError
	if !errors.As(err, &pe) {
		return fmt.Errorf("version YAML: %w", err)
	}
	if pe.line > 0 {
		return fmt.Errorf("version YAML, line %d: %s", pe.line, pe.msg)
	}
	return fmt.Errorf("version YAML: %s", pe.msg)
}
