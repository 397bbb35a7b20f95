package cli

import (
	"fmt"
	"github.com/machinable-go/machinable/engines"
	"strings"

	"go.yaml.in/yaml/v3"
)

// engineSpec combines --engine and repeated --engine-opt KEY=VALUE into
// what execute()'s engine argument takes: the plain string without
// options, else a dict. Values are read as YAML scalars or flow lists, so
// 4 is a number, true a bool and [--exclusive, --hint=nomultithread] a list.
func engineSpec(engine string, opts []string) (any, error) {
	if strings.HasPrefix(engine, "@") {
		// An @ directive names a file of the project; it is read where
		// the project is known (execute(), or the execute command).
		if len(opts) > 0 {
			return nil, fmt.Errorf("--engine-opt cannot be combined with --engine %s: set the options in the engine's file", engine)
		}
		return engine, nil
	}
	spec, err := engineFlags(engine, opts)
	if err != nil || spec == nil {
		return spec, err
	}
	// Checked here, so a bad flag is reported as one rather than at the
	// script's execute() line.
	parsed, err := engines.ParseSpec(spec)
	if err == nil {
		_, err = engines.NewRegistry().New(parsed)
	}
	if err != nil {
		// The flag names the engine already: "--engine ray: engine ray: …"
		// would say it twice.
		msg := strings.TrimPrefix(err.Error(), "engine "+parsed.Type+": ")
		return nil, fmt.Errorf("--engine %s: %s", engine, msg)
	}
	return spec, nil
}

func engineFlags(engine string, opts []string) (any, error) {
	if len(opts) == 0 {
		if engine == "" {
			return nil, nil
		}
		return engine, nil
	}
	if engine == "" {
		return nil, fmt.Errorf("--engine-opt needs --engine")
	}
	typ, n, hasN := strings.Cut(engine, ":")
	spec := map[string]any{"type": typ}
	if hasN {
		var v any
		if err := yaml.Unmarshal([]byte(n), &v); err != nil {
			return nil, fmt.Errorf("--engine %q: %w", engine, err)
		}
		spec["processes"] = v
	}
	for _, o := range opts {
		k, raw, ok := strings.Cut(o, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--engine-opt %q: expected KEY=VALUE, e.g. partition=gpu", o)
		}
		var v any
		if err := yaml.Unmarshal([]byte(raw), &v); err != nil {
			v = raw
		}
		if i, ok := v.(int); ok {
			v = int64(i)
		}
		if v == nil {
			v = raw
		}
		spec[k] = v
	}
	return spec, nil
}
