package engines

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/storage"
)

// TestPreflight: what each engine checks before anything is stored, and
// that the errors say what to do.
func TestPreflight(t *testing.T) {
	mem, err := storage.Open("mem://preflight-test")
	if err != nil {
		t.Fatal(err)
	}
	local, err := storage.Open(filepath.Join(t.TempDir(), "results"))
	if err != nil {
		t.Fatal(err)
	}
	// a port where nothing listens: taken, then given back
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	t.Setenv("RAY_ADDRESS", closed) // for the detached ray
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/version" {
			w.Write([]byte(`{"version": "4"}`))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()

	newEngine := func(spec any) Engine {
		t.Helper()
		s, err := ParseSpec(spec)
		if err != nil {
			t.Fatal(err)
		}
		e, err := NewRegistry().New(s)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	for _, tc := range []struct {
		spec any
		st   *storage.Storage
		want string // "" passes
	}{
		{"native:2", mem, ""},
		{"process:2", mem, "engine process: workers are separate processes and cannot see a mem:// storage; use a local path (or s3://): pass --storage ./results"},
		{"process:2", local, ""},
		{map[string]any{"type": "detached", "engine": "process:2"}, local, ""},
		{map[string]any{"type": "detached", "engine": "ray"}, local, "engine ray: nothing listens at " + closed},
		{map[string]any{"type": "ray", "address": closed}, local, "engine ray: nothing listens at " + closed + " (connection refused): start a cluster"},
		{map[string]any{"type": "ray", "address": srv.URL}, mem, "cannot see a mem:// storage"},
		{map[string]any{"type": "ray", "address": srv.URL}, local, ""},
	} {
		err := Preflight(context.Background(), newEngine(tc.spec), nil, tc.st)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v with %s: %v", tc.spec, tc.st.URL, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v with %s: error %v, want %q", tc.spec, tc.st.URL, err, tc.want)
		}
	}
}
