package dsl

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/machinable-go/machinable/internal/suggest"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/runtime/project"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// HooksFile is the project's hook file under its root: the functions of
// machinable 2.x's Registration (class Project in _machinable.py, or in
// _machinable/__init__.py from 2.4 on), written as plain functions.
var HooksFile = filepath.Join(DirectiveDir, "project.star")

// hookFuncs are the functions a hook file may define besides
// config_<name> and host_<name>.
var hookFuncs = []string{"default_resources", "experiment_directory", "host_information", "on_before_submit", "on_submit"}

// notHere are 2.x Registration methods that have no effect here; a hook
// file defining one is refused rather than silently ignored.
var notHere = map[string]string{
	"on_before_storage_creation":       "use on_before_submit(execution)",
	"on_before_component_construction": "set what a component needs in its on_init",
	"on_before_component_import":       "components are .star modules found by their name in machinable.yaml",
	"on_component_import":              "components are .star modules found by their name in machinable.yaml",
	"on_resolve_vendor":                "vendor projects are fetched as machinable.yaml's +: section says",
	"default_code_backup":              "set code_backup: in machinable.yaml or execute(..., code_backup=...)",
}

// hooksLoader implements runtime.HooksLoader for _machinable/project.star.
type hooksLoader struct{}

// RegisterHooks makes reg load project hooks from _machinable/project.star.
func RegisterHooks(reg *runtime.Registry) { reg.SetHooksLoader(hooksLoader{}) }

// LoadHooks implements runtime.HooksLoader: the file runs once per call,
// like a file loaded with load() (builtins, load() from the project root,
// no execute()), and its functions are checked by name.
func (hooksLoader) LoadHooks(ctx context.Context, projectDir string) (runtime.ProjectHooks, error) {
	file := filepath.Join(projectDir, HooksFile)
	src, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("project hooks: %w", err)
	}
	print := func(_ *starlark.Thread, msg string) { fmt.Fprintln(os.Stderr, msg) }
	globals, st, err := execProjectFile(ctx, projectDir, file, src, "project hooks", Options{}, print)
	if err != nil {
		return nil, fmt.Errorf("project hooks: %w", evalError(withSourceHint(err, src)))
	}
	globals.Freeze()
	h := &projectHooks{file: file, globals: globals, st: st, print: print}
	if err := h.check(); err != nil {
		return nil, err
	}
	return h, nil
}

type projectHooks struct {
	file    string
	globals starlark.StringDict
	st      *state
	print   func(*starlark.Thread, string)
}

// check refuses 2.x hooks that would not run here and near-misses of the
// names that do (on_before_sumbit), which would never be called.
func (h *projectHooks) check() error {
	for name, v := range h.globals {
		if _, ok := v.(starlark.Callable); !ok || strings.HasPrefix(name, "_") {
			continue
		}
		if why, ok := notHere[name]; ok {
			return fmt.Errorf("%s: %s() is a machinable 2.x hook that has no effect here: %s", h.file, name, why)
		}
		if strings.HasPrefix(name, "config_") || strings.HasPrefix(name, "host_") {
			continue
		}
		if near := suggest.Nearest(name, hookFuncs); near != "" && near != name {
			return fmt.Errorf("%s: %s() is not a project hook (did you mean %s?); the hooks are %s, config_<name> and host_<name>",
				h.file, name, near, strings.Join(hookFuncs, ", "))
		}
	}
	return nil
}

// Has implements runtime.ProjectHooks.
func (h *projectHooks) Has(fn string) bool {
	_, ok := h.globals[fn].(starlark.Callable)
	return ok
}

// call runs a hook on a thread of its own (hooks may be called from
// several goroutines; the globals are frozen), stopped by ctx.
func (h *projectHooks) call(ctx context.Context, fn string, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	f := h.globals[fn].(starlark.Callable)
	thread := &starlark.Thread{Name: "project hook " + fn, Load: h.st.loader.load, Print: h.print}
	setState(thread, h.st)
	defer watchContext(ctx, thread)()
	v, err := starlark.Call(thread, f, args, kwargs)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", HooksFile, fn, evalError(err))
	}
	return v, nil
}

// hookSelf is the self of a project-wide config method: like a
// component's config method, self.config is the component's config.
func hookSelf(config map[string]any) starlark.Value {
	return starlarkstruct.FromStringDict(starlark.String("self"), starlark.StringDict{
		"config": newMapping("config", config, false),
		"flags":  newMapping("flags", nil, false),
	})
}

// ConfigMethod implements runtime.ConfigMethods: config_<name>(self,
// *args, **kwargs) of the hook file.
func (h *projectHooks) ConfigMethod(ctx context.Context, name string, config map[string]any, args []any, kwargs []project.KeyValue) (any, bool, error) {
	fn := "config_" + name
	if !h.Has(fn) {
		return nil, false, nil
	}
	sargs := starlark.Tuple{hookSelf(config)}
	for _, a := range args {
		sargs = append(sargs, toStarlark(a))
	}
	var skw []starlark.Tuple
	for _, kv := range kwargs {
		skw = append(skw, starlark.Tuple{starlark.String(kv.Key), toStarlark(kv.Value)})
	}
	v, err := h.call(ctx, fn, sargs, skw)
	if err != nil {
		return nil, true, err
	}
	g, err := fromStarlark(v)
	if err != nil {
		return nil, true, fmt.Errorf("%s: %s returned %w", HooksFile, fn, err)
	}
	return g, true, nil
}

// HostInfo implements runtime.ProjectHooks: host_information() first,
// then each host_<name>() under <name>, in name order (2.x: the named
// functions win over host_information's keys).
func (h *projectHooks) HostInfo(ctx context.Context) (map[string]any, error) {
	info := map[string]any{}
	if h.Has("host_information") {
		v, err := h.call(ctx, "host_information", nil, nil)
		if err != nil {
			return nil, err
		}
		if v != starlark.None {
			m, err := fromStarlarkMap("host_information()", v)
			if err != nil {
				return nil, fmt.Errorf("%s: host_information: %w; expected a dict", HooksFile, err)
			}
			for k, x := range m {
				info[k] = x
			}
		}
	}
	var names []string
	for name := range h.globals {
		if strings.HasPrefix(name, "host_") && name != "host_information" && h.Has(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		v, err := h.call(ctx, name, nil, nil)
		if err != nil {
			return nil, err
		}
		g, err := fromStarlark(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %s returned %w", HooksFile, name, err)
		}
		info[strings.TrimPrefix(name, "host_")] = g
	}
	return info, nil
}

// componentArg is what default_resources receives for a component, as in
// 2.14: name, config and flags.
func componentArg(name string, config, flags map[string]any) starlark.Value {
	return starlarkstruct.FromStringDict(starlark.String("component"), starlark.StringDict{
		"name":   starlark.String(name),
		"config": newMapping("config", config, false),
		"flags":  newMapping("flags", flags, false),
	})
}

// DefaultResources implements runtime.ProjectHooks:
// default_resources(engine, component, components).
func (h *projectHooks) DefaultResources(ctx context.Context, engine string, component map[string]any, components []map[string]any) (map[string]any, error) {
	if !h.Has("default_resources") {
		return nil, nil
	}
	comp := componentArg(fmt.Sprint(component["name"]), asMap(component["config"]), asMap(component["flags"]))
	subs := make([]starlark.Value, len(components))
	for i, c := range components {
		subs[i] = componentArg(fmt.Sprint(c["name"]), asMap(c["config"]), asMap(c["flags"]))
	}
	v, err := h.call(ctx, "default_resources", starlark.Tuple{starlark.String(engine), comp, starlark.NewList(subs)}, nil)
	if err != nil || v == starlark.None {
		return nil, err
	}
	m, err := fromStarlarkMap("default_resources()", v)
	if err != nil {
		return nil, fmt.Errorf("%s: default_resources: %w; expected a dict or None", HooksFile, err)
	}
	return m, nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// BeforeSubmit implements runtime.ProjectHooks: on_before_submit
// receives the execution as a read-only struct; False cancels it.
func (h *projectHooks) BeforeSubmit(ctx context.Context, execution map[string]any) (bool, error) {
	if !h.Has("on_before_submit") {
		return true, nil
	}
	arg := toStarlark(execution)
	if d, ok := arg.(*starlark.Dict); ok {
		arg = structOf("execution", d)
	}
	arg.Freeze()
	v, err := h.call(ctx, "on_before_submit", starlark.Tuple{arg}, nil)
	if err != nil {
		return false, err
	}
	switch v {
	case starlark.None, starlark.True:
		return true, nil
	case starlark.False:
		return false, nil
	}
	return false, fmt.Errorf("%s: on_before_submit returned %s; expected None, True or False (to cancel)", HooksFile, v.Type())
}

// Submitted implements runtime.ProjectHooks: on_submit(execution,
// is_resubmission) once the experiment is stored; its return value is
// ignored, as in 2.14, and it cannot change what runs.
func (h *projectHooks) Submitted(ctx context.Context, execution map[string]any, resubmission bool) error {
	if !h.Has("on_submit") {
		return nil
	}
	arg := toStarlark(execution)
	if d, ok := arg.(*starlark.Dict); ok {
		arg = structOf("execution", d)
	}
	arg.Freeze()
	_, err := h.call(ctx, "on_submit", starlark.Tuple{arg, starlark.Bool(resubmission)}, nil)
	return err
}

// structOf turns a dict with string keys into a struct, so hooks read
// execution.experiment_id; nested dicts stay dicts.
func structOf(name string, d *starlark.Dict) starlark.Value {
	sd := starlark.StringDict{}
	for _, item := range d.Items() {
		if k, ok := item[0].(starlark.String); ok {
			sd[string(k)] = item[1]
		}
	}
	return starlarkstruct.FromStringDict(starlark.String(name), sd)
}

// ExperimentDirectory implements runtime.ProjectHooks.
func (h *projectHooks) ExperimentDirectory(ctx context.Context) (string, error) {
	if !h.Has("experiment_directory") {
		return "", nil
	}
	v, err := h.call(ctx, "experiment_directory", nil, nil)
	if err != nil {
		return "", err
	}
	switch s := v.(type) {
	case starlark.NoneType:
		return "", nil
	case starlark.String:
		return string(s), nil
	}
	return "", fmt.Errorf("%s: experiment_directory returned %s; expected a relative path string or None", HooksFile, v.Type())
}
