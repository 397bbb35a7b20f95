package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/runtime/project"
)

// Computed is a value of a version dict that is computed for each
// scheduled component, as machinable 2.x evaluates callables in version
// dicts ({"lr": lambda flags: ...}): with the component's config before
// versions and its final flags (SEED included). Only top-level keys of a
// patch may be computed; a later patch that sets the same key wins.
type Computed struct {
	// Name describes the function in plans and messages ("<lambda>").
	Name string
	// Func computes the value; a Go caller may ignore what it needs not.
	Func func(ctx context.Context, args ComputeArgs) (any, error)
}

// ComputeArgs is what a Computed value is computed from.
type ComputeArgs struct {
	Name   string         // the component's name as planned
	Config map[string]any // its config before versions (a copy)
	Flags  map[string]any // its flags, drawn ones included (a copy)
}

// MarshalJSON records a computed value in the plan by its name: the
// schedule holds what it computed.
func (c *Computed) MarshalJSON() ([]byte, error) {
	return json.Marshal(fmt.Sprintf("<computed by %s>", c.Name))
}

// computedKey is a top-level config key whose value a Computed gives.
type computedKey struct {
	key  string
	fn   *Computed
	base map[string]any // the config before versions
}

// computedPlaceholder marks where a computed value goes until it is
// computed; no config a user writes contains it.
func computedPlaceholder(i int) string { return fmt.Sprintf("\x00computed:%d", i) }

// takeComputed replaces the computed values of the patches by
// placeholders, so the config can be resolved as usual, and returns them
// by placeholder.
func takeComputed(patches []project.Patch) ([]project.Patch, map[string]*Computed) {
	var found map[string]*Computed
	out := patches
	for i, p := range patches {
		var values map[string]any
		for _, k := range slices.Sorted(maps.Keys(p.Values)) {
			c, ok := p.Values[k].(*Computed)
			if !ok {
				continue
			}
			if found == nil {
				found = map[string]*Computed{}
				out = slices.Clone(patches)
			}
			if values == nil {
				values = maps.Clone(p.Values)
			}
			ph := computedPlaceholder(len(found))
			found[ph] = c
			values[k] = ph
		}
		if values != nil {
			out[i] = project.Patch{Values: values}
		}
	}
	return out, found
}

// pendingComputed finds the keys of a resolved config that still hold a
// placeholder (no later patch replaced them) and clears them until they
// are computed.
func pendingComputed(config map[string]any, found map[string]*Computed, base map[string]any) []computedKey {
	var keys []computedKey
	for _, k := range slices.Sorted(maps.Keys(config)) {
		s, ok := config[k].(string)
		if c, isPH := found[s]; ok && isPH {
			keys = append(keys, computedKey{key: k, fn: c, base: base})
			config[k] = nil
		}
	}
	return keys
}

// compute sets the computed values of a scheduled component, once its
// flags are final, then applies the config methods that waited for them.
func (sc *ScheduledComponent) compute(ctx context.Context) error {
	for _, ck := range sc.computed {
		v, err := ck.fn.Func(ctx, ComputeArgs{
			Name:   jsonString(sc.Flags["NAME"]),
			Config: jsonvalue.DeepCopy(ck.base).(map[string]any),
			Flags:  jsonvalue.DeepCopy(sc.Flags).(map[string]any),
		})
		if err != nil {
			return fmt.Errorf("component %q: version value %q (%s): %w", sc.Name, ck.key, ck.fn.Name, err)
		}
		sc.Config[ck.key] = v
	}
	if sc.methods != nil {
		// Config methods read the computed values, as in 2.x, where
		// they are evaluated when the component reads its config.
		if err := applyConfigMethods(ctx, sc.methods, sc.Name, sc.Config); err != nil {
			return err
		}
	}
	for i := range sc.Components {
		if err := sc.Components[i].compute(ctx); err != nil {
			return err
		}
	}
	return nil
}

func jsonString(v any) string { s, _ := v.(string); return s }
