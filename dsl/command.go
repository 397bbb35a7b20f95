package dsl

import (
	"fmt"
	"path/filepath"

	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
)

// commandValue is command(args, config=None, name=None): an external
// program as a component, for Experiment().component(command(...)) or
// execute(command(...)).
type commandValue struct {
	spec runtime.ComponentSpec
}

func (c *commandValue) String() string        { return fmt.Sprintf("command(%v)", c.spec.Command) }
func (c *commandValue) Type() string          { return "command" }
func (c *commandValue) Freeze()               {}
func (c *commandValue) Truth() starlark.Bool  { return true }
func (c *commandValue) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: command") }

func builtinCommand(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var argv, config starlark.Value
	var name string
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "args", &argv, "config?", &config, "name?", &name); err != nil {
		return nil, err
	}
	var cmd any
	switch a := argv.(type) {
	case starlark.String:
		cmd = string(a)
		if name == "" {
			name = "command"
		}
	case *starlark.List, starlark.Tuple:
		list, err := fromStarlark(a)
		if err != nil {
			return nil, fmt.Errorf("%s: args: %w", b.Name(), err)
		}
		items := list.([]any)
		if len(items) == 0 {
			return nil, fmt.Errorf("%s: args: expected at least the program", b.Name())
		}
		for i, it := range items {
			if _, ok := it.(string); !ok {
				items[i] = fmt.Sprint(it)
			}
		}
		cmd = items
		if name == "" {
			name = filepath.Base(fmt.Sprint(items[len(items)-1]))
			if len(items) == 1 {
				name = filepath.Base(fmt.Sprint(items[0]))
			}
		}
	default:
		return nil, fmt.Errorf("%s: args: expected a list of arguments or a shell command string, got %s", b.Name(), argv.Type())
	}
	spec := runtime.ComponentSpec{Name: name, Command: cmd}
	if config != nil && config != starlark.None {
		m, err := fromStarlarkMap("config", config)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		spec.Version = runtime.Patch(m)
	}
	return &commandValue{spec: spec}, nil
}
