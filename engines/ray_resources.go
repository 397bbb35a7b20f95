package engines

import (
	"fmt"
	"sort"
	"strings"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// applyRayResources maps a component's resources onto the entrypoint's:
// num_cpus/cpus/CPU, num_gpus/gpus/GPU, memory (bytes); anything else is
// a custom resource. Ray itself refuses "CPU" and "GPU" among custom
// resources (ray_option_utils._validate_resources), and only after
// accepting the job, which then fails: they go to their own fields here.
func applyRayResources(req *rayRequest, res map[string]any) error {
	keys := make([]string, 0, len(res))
	for k := range res {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	set := map[string]string{} // field -> the key that set it
	for _, k := range keys {
		f, ok := jsonvalue.Float(res[k])
		if !ok {
			return fmt.Errorf("resource %q: expected a number for Ray, got %v", k, res[k])
		}
		field := k
		switch k {
		case "num_cpus", "cpus", "CPU":
			field, req.EntrypointNumCPUs = "num_cpus", &f
		case "num_gpus", "gpus", "GPU":
			field, req.EntrypointNumGPUs = "num_gpus", &f
		case "memory":
			n := int64(f)
			req.EntrypointMemory = &n
		default:
			if req.EntrypointResources == nil {
				req.EntrypointResources = map[string]float64{}
			}
			req.EntrypointResources[k] = f
		}
		if prev, ok := set[field]; ok {
			return fmt.Errorf("resources %q and %q both set Ray's %s: give one", prev, k, field)
		}
		set[field] = k
	}
	return nil
}

// rayRuntimeEnv checks the runtime_env option. A local working_dir or
// py_modules is refused: Ray's Python client zips and uploads those
// itself before it submits (sdk.py _upload_working_dir_if_needed), the job
// server only takes URIs of .zip packages; this engine uploads nothing,
// and the worker finds the project from execution.json anyway.
func rayRuntimeEnv(v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("engine ray: option \"runtime_env\": expected a dict such as {\"env_vars\": {\"OMP_NUM_THREADS\": \"1\"}}, got %v", v)
	}
	if ev, ok := m["env_vars"]; ok {
		vars, ok := ev.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("engine ray: option \"runtime_env\": expected env_vars to be a dict of strings, got %v", ev)
		}
		for k, val := range vars {
			if _, ok := val.(string); !ok {
				return nil, fmt.Errorf("engine ray: option \"runtime_env\": env_vars[%q] is %v; Ray takes strings only: write %q", k, val, fmt.Sprint(val))
			}
		}
	}
	for _, key := range []string{"working_dir", "py_modules"} {
		v, ok := m[key]
		if !ok {
			continue
		}
		uris := []any{v}
		if l, ok := v.([]any); ok {
			uris = l
		}
		for _, u := range uris {
			s, _ := u.(string)
			if !strings.Contains(s, "://") {
				return nil, fmt.Errorf("engine ray: option \"runtime_env\": %s %q is a local path; Ray's Python client uploads local directories, this engine does not: give the URI of a .zip package (s3://bucket/project.zip, https://…/project.zip), or leave it out: the jobs find the project from the experiment's execution.json", key, s)
			}
			if !strings.HasSuffix(s, ".zip") && !strings.HasSuffix(s, ".whl") {
				return nil, fmt.Errorf("engine ray: option \"runtime_env\": %s %q: Ray takes only .zip packages from remote URIs", key, s)
			}
		}
	}
	return m, nil
}

// runtimeEnv is the runtime_env option with the env_vars the engine adds.
func (r *rayEngine) runtimeEnv(submissionID string) map[string]any {
	env := map[string]any{}
	for k, v := range r.opts.runtimeEnv {
		env[k] = v
	}
	vars := map[string]string{}
	if m, ok := r.opts.runtimeEnv["env_vars"].(map[string]any); ok {
		for k, v := range m {
			vars[k] = fmt.Sprint(v)
		}
	}
	vars["MACHINABLE_RAY_SUBMISSION_ID"] = submissionID
	env["env_vars"] = vars
	return env
}
