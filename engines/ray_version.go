package engines

import (
	"fmt"
	"strconv"
	"strings"
)

// rayVersion is the cluster's ray_version from GET /api/version.
type rayVersion struct {
	text         string
	major, minor int
	known        bool // parsed; an unparsable version is not gated
}

func parseRayVersion(s string) rayVersion {
	v := rayVersion{text: s}
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 {
		return v
	}
	var err1, err2 error
	v.major, err1 = strconv.Atoi(parts[0])
	v.minor, err2 = strconv.Atoi(parts[1])
	v.known = err1 == nil && err2 == nil
	return v
}

func (v rayVersion) atLeast(major, minor int) bool {
	return !v.known || v.major > major || (v.major == major && v.minor >= minor)
}

// check refuses a request the cluster's Ray would answer 400 ("unexpected
// keyword argument"): Ray's own SDK gates the same fields (sdk.py
// submit_job, _check_connection_and_version): submission_id needs Ray 2.0,
// entrypoint_num_cpus, entrypoint_num_gpus and entrypoint_resources 2.2,
// entrypoint_memory 2.8. who names the component.
func (v rayVersion) check(req rayRequest, who, address string) error {
	need := func(what string, major, minor int) error {
		return fmt.Errorf("engine ray: %s asks for %s, which Ray's job API takes from Ray %d.%d on; the cluster at %s runs Ray %s: upgrade the cluster or drop those resources",
			who, what, major, minor, redactedAddress(address), v.text)
	}
	switch {
	case !v.atLeast(2, 0):
		return fmt.Errorf("engine ray: the cluster at %s runs Ray %s; this engine needs Ray 2.0 or newer (it names each job with a submission_id)", redactedAddress(address), v.text)
	case (req.EntrypointNumCPUs != nil || req.EntrypointNumGPUs != nil || len(req.EntrypointResources) > 0) && !v.atLeast(2, 2):
		return need("CPUs, GPUs or custom resources", 2, 2)
	case req.EntrypointMemory != nil && !v.atLeast(2, 8):
		return need("memory", 2, 8)
	}
	return nil
}
