package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/internal/syncbuf"
	"github.com/machinable-go/machinable/internal/synth"
	"github.com/machinable-go/machinable/storage"
)

// uiStorage is a storage with one synthetic experiment.
func uiStorage(t *testing.T) *storage.Storage {
	t.Helper()
	root := filepath.Join(t.TempDir(), "results")
	if _, err := synth.Write(root, synth.Options{Experiments: 1, Components: 3, Seed: 5, Records: 5}); err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// startUI serves st on addr and returns the printed URL and what it wrote
// to stderr; the server stops at the end of the test, and must stop
// without an error.
func startUI(t *testing.T, st *storage.Storage, addr string) (string, *syncbuf.Buffer) {
	t.Helper()
	var stdout, stderr syncbuf.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveUI(ctx, st, addr, &stdout, &stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serveUI: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("serveUI did not stop when its context ended")
		}
	})
	re := regexp.MustCompile(`at (http://\S+/) \(Ctrl-C stops\)`)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], &stderr
		}
	}
	t.Fatalf("no URL printed: %q %q", stdout.String(), stderr.String())
	return "", nil
}

func TestUIServesLoopback(t *testing.T) {
	url, stderr := startUI(t, uiStorage(t), "127.0.0.1:0")
	res, err := http.Get(url + "api/experiments")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"components":3`) {
		t.Fatalf("GET api/experiments: %d %s", res.StatusCode, body)
	}
	// another name for 127.0.0.1 (DNS rebinding) is refused
	req, _ := http.NewRequest("GET", url+"api/experiments", nil)
	req.Host = "attacker.example"
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host: %d, want 403", res.StatusCode)
	}
	if stderr.String() != "" {
		t.Errorf("stderr %q: nothing to warn about on loopback", stderr.String())
	}
}

func TestUIWarnsOffLoopback(t *testing.T) {
	url, stderr := startUI(t, uiStorage(t), "0.0.0.0:0")
	if !strings.Contains(stderr.String(), "warning: listening on 0.0.0.0:") || !strings.Contains(stderr.String(), "not on loopback") {
		t.Errorf("no warning for 0.0.0.0: %q", stderr.String())
	}
	if res, err := http.Get(url); err != nil || res.StatusCode != 200 {
		t.Errorf("GET %s: %v %v", url, res, err)
	}
}

func TestUICommandErrors(t *testing.T) {
	dir := t.TempDir()
	_, stderr, code := runMain(t, dir, "ui", "--storage", filepath.Join(dir, "missing"))
	if code != ExitError || !strings.Contains(stderr, "ui: storage") || !strings.Contains(stderr, "no such directory") {
		t.Errorf("missing storage: exit %d, %q", code, stderr)
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, stderr, code = runMain(t, dir, "ui", "--storage", dir, "--addr", taken.Addr().String())
	if code != ExitError || !strings.Contains(stderr, "address already in use") || !strings.Contains(stderr, "--addr 127.0.0.1:0") {
		t.Errorf("port taken: exit %d, %q", code, stderr)
	}
	_, stderr, code = runMain(t, dir, "ui", "--storage", dir, "--addr", "127.0.0.1:bad")
	if code != ExitError || !strings.Contains(stderr, "ui: listen tcp") {
		t.Errorf("bad address: exit %d, %q", code, stderr)
	}
}
