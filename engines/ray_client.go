package engines

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// rayClient talks to the job API of a Ray dashboard.
type rayClient struct {
	base     string
	headers  map[string]string
	authFrom string // where the Authorization header came from, for hints
	http     *http.Client
	// maxBody caps what is read of an answer. Ray's logs endpoint
	// answers a job's whole driver log (capped at 16 MiB only from Ray
	// 2.50 on, RAY_JOB_LOG_MAX_READ_BYTES).
	maxBody int64
	// timeout bounds each request.
	timeout time.Duration
}

// rayHTTPError is an answer other than 2xx.
type rayHTTPError struct {
	code   int
	status string // "500 Internal Server Error"
	body   string
}

func (e *rayHTTPError) Error() string { return e.body }

// rayTransport builds the HTTP client for the verify option, which works
// as the verify argument of Ray's JobSubmissionClient (sdk.py,
// dashboard_sdk.py): true checks the server's certificate against the
// system's CAs (and $SSL_CERT_FILE), false does not check it, a path names
// a PEM file or a directory of PEM files of the CAs to trust.
func rayTransport(spec Spec) (*http.Client, error) {
	v, ok := spec.Options["verify"]
	if !ok || v == true {
		return &http.Client{}, nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	switch v := v.(type) {
	case bool:
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} // the user asked for it, as Ray's verify=False
	case string:
		pool := x509.NewCertPool()
		files := []string{v}
		if fi, err := os.Stat(v); err != nil {
			return nil, fmt.Errorf("engine ray: option \"verify\": %w", err)
		} else if fi.IsDir() {
			files, _ = filepath.Glob(filepath.Join(v, "*"))
		}
		n := 0
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil && pool.AppendCertsFromPEM(b) {
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("engine ray: option \"verify\": no PEM certificate in %s", v)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	default:
		return nil, fmt.Errorf("engine ray: option \"verify\": expected true, false or the path of a CA certificate file or directory, got %v", v)
	}
	return &http.Client{Transport: tr}, nil
}

// do sends a request with the headers and decodes a JSON answer into out.
// Errors name the method, address and endpoint, never the headers.
func (c *rayClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	where := fmt.Sprintf("%s %s%s", method, redactedAddress(c.base), path)
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("engine ray: %s: %w", where, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in where already
		}
		hint := ""
		var ce *tls.CertificateVerificationError
		if errors.As(err, &ce) {
			hint = " (a private CA? set the verify option to its certificate file, or $SSL_CERT_FILE)"
		}
		return fmt.Errorf("engine ray: %s: %w%s", where, err, hint)
	}
	defer resp.Body.Close()
	limit := c.maxBody
	if limit <= 0 {
		limit = 64 << 20
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return fmt.Errorf("engine ray: %s: %w", where, err)
	}
	if resp.StatusCode/100 != 2 {
		text := strings.TrimSpace(string(data))
		if len(text) > 2000 {
			text = text[len(text)-2000:] // Ray answers with a Python traceback: its end says why
		}
		hint := ""
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			hint = rayAuthHint(resp.StatusCode, c.authFrom)
		}
		return fmt.Errorf("engine ray: %s: %s%s: %w", where, resp.Status, hint, &rayHTTPError{code: resp.StatusCode, status: resp.Status, body: text})
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("engine ray: %s: unexpected answer (is this a Ray dashboard?): %w", where, err)
		}
	}
	return nil
}

// httpCode is the status of a non-2xx answer, 0 for other errors.
func httpCode(err error) int {
	var he *rayHTTPError
	if errors.As(err, &he) {
		return he.code
	}
	return 0
}

// reachable checks the job server answers (GET /api/version) before
// anything is submitted, and reads the cluster's Ray version.
func (c *rayClient) reachable(ctx context.Context) (rayVersion, error) {
	var v struct {
		Version    string `json:"version"`
		RayVersion string `json:"ray_version"`
	}
	err := c.do(ctx, http.MethodGet, "/api/version", nil, &v)
	switch {
	case err == nil:
		return parseRayVersion(v.RayVersion), nil
	case errors.Is(err, syscall.ECONNREFUSED):
		return rayVersion{}, fmt.Errorf("engine ray: nothing listens at %s (connection refused): start a cluster (`ray start --head` serves the job API on port 8265) or set the address option, $RAY_API_SERVER_ADDRESS or $RAY_ADDRESS to its dashboard", redactedAddress(c.base))
	case httpCode(err) == http.StatusNotFound:
		// sdk.py: "Version check returned 404": Ray before 1.9 has no job API.
		return rayVersion{}, fmt.Errorf("%w (no job API at this address: is it a Ray dashboard, Ray 2.0 or newer?)", err)
	}
	return rayVersion{}, fmt.Errorf("%w (the Ray dashboard address comes from the address option, $RAY_API_SERVER_ADDRESS or $RAY_ADDRESS)", err)
}
