package engines

import (
	"strings"
	"testing"
)

// TestRayOptions: defaults, $RAY_ADDRESS, refused options and values.
func TestRayOptions(t *testing.T) {
	t.Setenv("RAY_ADDRESS", "head:8265")
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
	for opts, want := range map[string]map[string]any{
		`unknown option "partition"`:            {"partition": "gpu"},
		`option "on_interrupt"`:                 {"on_interrupt": "ignore"},
		`option "poll"`:                         {"poll": "soon"},
		`Ray Client address`:                    {"address": "ray://head:10001"},
		`option "wait": expected true or false`: {"wait": "no"},
	} {
		if _, err := newRay(Spec{Type: "ray", Options: want}); err == nil || !strings.Contains(err.Error(), opts) {
			t.Errorf("%v: %v", want, err)
		}
	}
}

// TestRayResources: cpus and gpus go to the entrypoint's own fields, the
// rest to entrypoint_resources; non-numbers are refused.
func TestRayResources(t *testing.T) {
	var req rayRequest
	if err := applyRayResources(&req, map[string]any{"num_cpus": int64(4), "gpus": 0.5, "memory": int64(1 << 30), "TPU": int64(8)}); err != nil {
		t.Fatal(err)
	}
	if *req.EntrypointNumCPUs != 4 || *req.EntrypointNumGPUs != 0.5 || *req.EntrypointMemory != 1<<30 || req.EntrypointResources["TPU"] != 8 || len(req.EntrypointResources) != 1 {
		t.Errorf("%+v", req)
	}
	if err := applyRayResources(&req, map[string]any{"partition": "gpu"}); err == nil {
		t.Error("a string resource should be refused")
	}
}
