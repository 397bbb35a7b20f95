package engines

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// rayHeaders reads $RAY_JOB_HEADERS (a JSON object, as Ray's CLI does) and
// the headers option on top of it. "$VAR" in a value is read from the
// environment, so a token need not be written into the engine options,
// which execution.json keeps. Without an Authorization header of the
// user's, Ray's own token is added (rayToken); authFrom names where it
// came from, for the hint when the cluster refuses it.
func rayHeaders(spec Spec) (headers map[string]string, authFrom string, err error) {
	h := map[string]string{}
	if s := os.Getenv("RAY_JOB_HEADERS"); s != "" {
		var m map[string]string
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, "", fmt.Errorf("engine ray: $RAY_JOB_HEADERS: expected a JSON object of strings such as {\"Authorization\": \"Bearer ...\"}")
		}
		for k, v := range m {
			h[k] = v
		}
	}
	if v, ok := spec.Options["headers"]; ok {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, "", fmt.Errorf("engine ray: option \"headers\": expected a dict such as {\"Authorization\": \"Bearer $RAY_TOKEN\"}")
		}
		for k, val := range m {
			s, ok := val.(string)
			if !ok {
				return nil, "", fmt.Errorf("engine ray: option \"headers\": the value of %q is not a string", k)
			}
			h[k] = os.ExpandEnv(s)
		}
	}
	for k := range h {
		if strings.EqualFold(k, "Authorization") {
			return h, "the Authorization header you set", nil
		}
	}
	token, from, err := rayToken()
	if err != nil || token == "" {
		return h, "", err
	}
	h["Authorization"] = "Bearer " + token
	return h, from, nil
}

// rayToken finds Ray's authentication token where Ray's own clients look
// (AuthenticationTokenLoader, src/ray/rpc/authentication/; used for HTTP
// by get_auth_headers_if_auth_enabled,
// python/ray/_private/authentication/http_token_authentication.py):
// $RAY_AUTH_TOKEN, else the file named by $RAY_AUTH_TOKEN_PATH, else
// ~/.ray/auth_token; the file's first line, trimmed. RAY_AUTH_MODE=
// disabled sends none.
func rayToken() (token, from string, err error) {
	if strings.EqualFold(os.Getenv("RAY_AUTH_MODE"), "disabled") {
		return "", "", nil
	}
	if t := strings.TrimSpace(os.Getenv("RAY_AUTH_TOKEN")); t != "" {
		return t, "$RAY_AUTH_TOKEN", nil
	}
	if p := os.Getenv("RAY_AUTH_TOKEN_PATH"); p != "" {
		t, err := readTokenFile(p)
		if err != nil {
			return "", "", fmt.Errorf("engine ray: $RAY_AUTH_TOKEN_PATH: %w", err)
		}
		return t, "$RAY_AUTH_TOKEN_PATH (" + p + ")", nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", "", nil
	}
	p := filepath.Join(home, ".ray", "auth_token")
	if _, err := os.Stat(p); err != nil {
		return "", "", nil
	}
	t, err := readTokenFile(p)
	if err != nil {
		return "", "", fmt.Errorf("engine ray: %w", err)
	}
	return t, p, nil
}

func readTokenFile(p string) (string, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("cannot read the Ray token file: %w", err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	t := strings.TrimSpace(first)
	if t == "" {
		return "", fmt.Errorf("the Ray token file %s is empty", p)
	}
	return t, nil
}

// rayAuthHint says what to do about a 401 or 403.
func rayAuthHint(code int, authFrom string) string {
	if code == 403 && authFrom != "" {
		return fmt.Sprintf(" (the cluster refused the token from %s: is it this cluster's token?)", authFrom)
	}
	return " (an authenticated cluster? Ray's token authentication reads the token from $RAY_AUTH_TOKEN, $RAY_AUTH_TOKEN_PATH or ~/.ray/auth_token; behind a proxy set the headers option or $RAY_JOB_HEADERS)"
}
