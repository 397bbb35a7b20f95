package engines

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRayOptions: defaults, the address from the option or the
// environment (RAY_API_SERVER_ADDRESS first), refused options and values.
func TestRayOptions(t *testing.T) {
	t.Setenv("RAY_ADDRESS", "http://head:8265/")
	t.Setenv("RAY_JOB_HEADERS", `{"X-Team": "a"}`)
	t.Setenv("RAY_TOKEN", "t0k")
	e, err := newRay(Spec{Type: "ray", Options: map[string]any{"headers": map[string]any{"Authorization": "Bearer $RAY_TOKEN"}, "binary": "/opt/machinable"}})
	if err != nil {
		t.Fatal(err)
	}
	r := e.(*rayEngine)
	if r.opts.address != "http://head:8265" || !r.opts.wait || !r.opts.perComponent || r.opts.parallelism != 16 || r.opts.onInterrupt != InterruptAsk ||
		r.client.headers["Authorization"] != "Bearer t0k" || r.client.headers["X-Team"] != "a" || r.Detached() {
		t.Errorf("options %+v headers %v", r.opts, r.client.headers)
	}
	t.Setenv("RAY_API_SERVER_ADDRESS", "https://dash.example:443")
	if e, err := newRay(Spec{Type: "ray"}); err != nil || e.(*rayEngine).opts.address != "https://dash.example:443" {
		t.Errorf("RAY_API_SERVER_ADDRESS comes before RAY_ADDRESS: %v", err)
	}
	if e, err := newRay(Spec{Type: "ray", Options: map[string]any{"address": "http://other:8265"}}); err != nil || e.(*rayEngine).opts.address != "http://other:8265" {
		t.Errorf("the option comes first: %v", err)
	}
	t.Setenv("RAY_API_SERVER_ADDRESS", "")
	t.Setenv("RAY_ADDRESS", "head:6379")
	if _, err := newRay(Spec{Type: "ray"}); err == nil || !strings.Contains(err.Error(), `$RAY_ADDRESS "head:6379" has no scheme: Ray reads that as the cluster's GCS address`) ||
		!strings.Contains(err.Error(), "http://head:8265") {
		t.Errorf("a GCS address: %v", err)
	}
	t.Setenv("RAY_ADDRESS", "auto")
	if _, err := newRay(Spec{Type: "ray"}); err == nil || !strings.Contains(err.Error(), "through its GCS") {
		t.Errorf("auto: %v", err)
	}
	t.Setenv("RAY_ADDRESS", "")
	if e, err := newRay(Spec{Type: "ray"}); err != nil || e.(*rayEngine).opts.address != "http://127.0.0.1:8265" {
		t.Errorf("default address: %v", err)
	}
	for want, opts := range map[string]map[string]any{
		`unknown option "partition"`:                        {"partition": "gpu"},
		`option "on_interrupt"`:                             {"on_interrupt": "ignore"},
		`option "poll"`:                                     {"poll": "soon"},
		`Ray Client address`:                                {"address": "ray://head:10001"},
		`option "address" "head:8265" has no scheme`:        {"address": "head:8265"},
		`option "wait": expected true or false`:             {"wait": "no"},
		`option "verify": expected true, false or the path`: {"verify": int64(1)},
		`option "verify": no PEM certificate`:               {"verify": "/dev/null"},
		`working_dir "./src" is a local path; Ray's Python client uploads local directories, this engine does not`: {"runtime_env": map[string]any{"working_dir": "./src"}},
		`py_modules "s3://b/lib": Ray takes only .zip packages`:                                                    {"runtime_env": map[string]any{"py_modules": []any{"s3://b/lib"}}},
		`env_vars["N"] is 1; Ray takes strings only: write "1"`:                                                    {"runtime_env": map[string]any{"env_vars": map[string]any{"N": int64(1)}}},
	} {
		if _, err := newRay(Spec{Type: "ray", Options: opts}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: %v", opts, err)
		}
	}
	if _, err := newRay(Spec{Type: "ray", Options: map[string]any{"runtime_env": map[string]any{"working_dir": "s3://bucket/project.zip"}}}); err != nil {
		t.Errorf("a remote .zip working_dir is Ray's: %v", err)
	}
}

// TestRayToken: Ray's token is read from $RAY_AUTH_TOKEN, else the file
// at $RAY_AUTH_TOKEN_PATH, else ~/.ray/auth_token (first line, trimmed);
// an Authorization header of the user's wins; RAY_AUTH_MODE=disabled
// sends none.
func TestRayToken(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("RAY_JOB_HEADERS", "")
	t.Setenv("RAY_AUTH_TOKEN", "")
	t.Setenv("RAY_AUTH_TOKEN_PATH", "")
	t.Setenv("RAY_AUTH_MODE", "")
	auth := func(opts map[string]any) (string, string, error) {
		h, from, err := rayHeaders(Spec{Type: "ray", Options: opts})
		return h["Authorization"], from, err
	}
	if a, _, err := auth(nil); a != "" || err != nil {
		t.Errorf("no token anywhere: %q %v", a, err)
	}
	os.MkdirAll(filepath.Join(home, ".ray"), 0o700)
	os.WriteFile(filepath.Join(home, ".ray", "auth_token"), []byte("  home-token \nsecond line\n"), 0o600)
	if a, from, err := auth(nil); a != "Bearer home-token" || from != filepath.Join(home, ".ray", "auth_token") || err != nil {
		t.Errorf("~/.ray/auth_token: %q %q %v", a, from, err)
	}
	path := filepath.Join(t.TempDir(), "tok")
	os.WriteFile(path, []byte("path-token\n"), 0o600)
	t.Setenv("RAY_AUTH_TOKEN_PATH", path)
	if a, from, _ := auth(nil); a != "Bearer path-token" || !strings.HasPrefix(from, "$RAY_AUTH_TOKEN_PATH") {
		t.Errorf("RAY_AUTH_TOKEN_PATH: %q %q", a, from)
	}
	t.Setenv("RAY_AUTH_TOKEN", "env-token")
	if a, from, _ := auth(nil); a != "Bearer env-token" || from != "$RAY_AUTH_TOKEN" {
		t.Errorf("RAY_AUTH_TOKEN: %q %q", a, from)
	}
	if a, _, _ := auth(map[string]any{"headers": map[string]any{"authorization": "Basic abc"}}); a != "" {
		t.Errorf("the user's authorization header must not be overridden: %q", a)
	}
	t.Setenv("RAY_AUTH_MODE", "disabled")
	if a, _, _ := auth(nil); a != "" {
		t.Errorf("RAY_AUTH_MODE=disabled: %q", a)
	}
	t.Setenv("RAY_AUTH_MODE", "")
	t.Setenv("RAY_AUTH_TOKEN", "")
	t.Setenv("RAY_AUTH_TOKEN_PATH", filepath.Join(home, "missing"))
	if _, _, err := auth(nil); err == nil || !strings.Contains(err.Error(), "$RAY_AUTH_TOKEN_PATH: cannot read the Ray token file") {
		t.Errorf("an unreadable token file: %v", err)
	}
}

// TestRayResources: cpus and gpus (also Ray's own CPU and GPU) go to the
// entrypoint's own fields, the rest to entrypoint_resources; non-numbers
// and two names for one field are refused.
func TestRayResources(t *testing.T) {
	var req rayRequest
	if err := applyRayResources(&req, map[string]any{"num_cpus": int64(4), "gpus": 0.5, "memory": int64(1 << 30), "TPU": int64(8)}); err != nil {
		t.Fatal(err)
	}
	if *req.EntrypointNumCPUs != 4 || *req.EntrypointNumGPUs != 0.5 || *req.EntrypointMemory != 1<<30 || req.EntrypointResources["TPU"] != 8 || len(req.EntrypointResources) != 1 {
		t.Errorf("%+v", req)
	}
	req = rayRequest{}
	if err := applyRayResources(&req, map[string]any{"CPU": int64(2), "GPU": int64(1)}); err != nil || *req.EntrypointNumCPUs != 2 || *req.EntrypointNumGPUs != 1 || req.EntrypointResources != nil {
		t.Errorf("CPU and GPU: %+v %v", req, err)
	}
	if err := applyRayResources(&req, map[string]any{"partition": "gpu"}); err == nil {
		t.Error("a string resource should be refused")
	}
	if err := applyRayResources(&req, map[string]any{"CPU": int64(2), "num_cpus": int64(1)}); err == nil || !strings.Contains(err.Error(), `resources "CPU" and "num_cpus" both set Ray's num_cpus`) {
		t.Errorf("two names for one field: %v", err)
	}
}

// TestRayVersionCheck: fields the cluster's Ray does not know are refused
// before anything is submitted, as Ray's own SDK does.
func TestRayVersionCheck(t *testing.T) {
	one := 1.0
	mem := int64(1 << 30)
	plain, cpus, memory := rayRequest{}, rayRequest{EntrypointNumCPUs: &one}, rayRequest{EntrypointMemory: &mem}
	for _, c := range []struct {
		version string
		req     rayRequest
		want    string
	}{
		{"1.13.0", plain, "runs Ray 1.13.0; this engine needs Ray 2.0 or newer"},
		{"2.0.1", plain, ""},
		{"2.1.0", cpus, "asks for CPUs, GPUs or custom resources, which Ray's job API takes from Ray 2.2 on; the cluster at http://h:8265 runs Ray 2.1.0"},
		{"2.2.0", cpus, ""},
		{"2.7.2", memory, "asks for memory, which Ray's job API takes from Ray 2.8 on"},
		{"2.8.0", memory, ""},
		{"3.0.0.dev0", memory, ""},
		{"nightly", memory, ""},
	} {
		err := parseRayVersion(c.version).check(c.req, "component X (train)", "http://h:8265")
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("Ray %s %+v: %v", c.version, c.req, err)
		}
	}
}
