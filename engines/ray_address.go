package engines

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// rayDefaultAddress is where `ray start --head` serves the dashboard.
const rayDefaultAddress = "http://127.0.0.1:8265"

// rayAddressFrom picks the dashboard address: the address option, else
// $RAY_API_SERVER_ADDRESS, else $RAY_ADDRESS (the order of Ray's own
// get_address_for_submission_client, python/ray/dashboard/utils.py, except
// that an explicit option beats the environment here), else the local
// default.
func rayAddressFrom(spec Spec) (string, error) {
	if v, ok := spec.Options["address"]; ok {
		s, ok := v.(string)
		if !ok || s == "" {
			return "", fmt.Errorf("engine ray: option \"address\": expected the dashboard URL such as \"http://head:8265\", got %v", v)
		}
		return rayAddress(s, `option "address"`)
	}
	for _, name := range []string{"RAY_API_SERVER_ADDRESS", "RAY_ADDRESS"} {
		if s := os.Getenv(name); s != "" {
			return rayAddress(s, "$"+name)
		}
	}
	return rayDefaultAddress, nil
}

// rayAddress checks an address is a dashboard URL and drops a trailing
// slash. Ray reads an address without a scheme ("head:6379", "auto") as
// the cluster's GCS address and looks the dashboard up through the GCS,
// which needs Ray itself: such an address is refused with what to write
// instead.
func rayAddress(a, from string) (string, error) {
	switch {
	case strings.HasPrefix(a, "ray://"):
		return "", fmt.Errorf("engine ray: %s %q is a Ray Client address; the job API is served by the dashboard, e.g. http://<head>:8265", from, a)
	case a == "auto" || a == "local":
		return "", fmt.Errorf("engine ray: %s %q: Ray finds that cluster through its GCS, which this engine cannot; give the dashboard URL instead, e.g. RAY_API_SERVER_ADDRESS=http://127.0.0.1:8265", from, a)
	case !strings.Contains(a, "://"):
		host := a
		if h, _, ok := strings.Cut(a, ":"); ok {
			host = h
		}
		return "", fmt.Errorf("engine ray: %s %q has no scheme: Ray reads that as the cluster's GCS address, which does not serve the job API; give the dashboard URL instead, e.g. http://%s:8265", from, a, host)
	}
	u, err := url.Parse(a)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("engine ray: %s %q: expected the dashboard URL such as http://127.0.0.1:8265", from, redactedAddress(a))
	}
	return strings.TrimRight(a, "/"), nil
}

// redactedAddress drops a password from an address before it is shown
// or stored.
func redactedAddress(a string) string {
	u, err := url.Parse(a)
	if err != nil {
		return a
	}
	return u.Redacted()
}
