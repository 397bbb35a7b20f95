package storage

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenURLs(t *testing.T) {
	home, _ := os.UserHomeDir()
	wd, _ := os.Getwd()
	cases := []struct{ url, root string }{
		{"", "/"},
		{"mem://", "/"},
		{"mem://named", "/"},
		{"./results", filepath.Join(wd, "results")},
		{"results", filepath.Join(wd, "results")},
		{"~/results", filepath.Join(home, "results")},
		{"/abs/results", "/abs/results"},
		{"file:///abs/x", "/abs/x"},
		{"osfs:///abs/y", "/abs/y"},
	}
	for _, tc := range cases {
		s, err := Open(tc.url)
		if err != nil {
			t.Errorf("Open(%q): %v", tc.url, err)
			continue
		}
		if s.Root != tc.root {
			t.Errorf("Open(%q).Root = %q, want %q", tc.url, s.Root, tc.root)
		}
	}
	a, _ := Open("mem://shared")
	b, _ := Open("mem://shared")
	c, _ := Open("mem://other")
	if a.Fs != b.Fs || a.Fs == c.Fs {
		t.Error("mem:// storages of one name must share one file system, others not")
	}
	for url, want := range map[string]string{
		"s3x://bucket":      `unsupported scheme "s3x"`,
		"file://":           "empty path",
		"./storage_test.go": "is a file, expected a directory",
	} {
		if _, err := Open(url); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) = %v, want error containing %q", url, err, want)
		}
	}
}

func newComponent(t *testing.T) (*Experiment, *Component) {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	exp, err := s.CreateExperiment("sweeps/a", "8gWVkz")
	if err != nil {
		t.Fatal(err)
	}
	c, err := exp.CreateComponent("e9DJBHuoiCvn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return exp, c
}

func TestCreateExperimentRefusesExisting(t *testing.T) {
	exp, _ := newComponent(t)
	_, err := exp.Storage().CreateExperiment("sweeps/a", "8gWVkz")
	if !errors.Is(err, ErrExperimentExists) || !strings.Contains(err.Error(), "8gWVkz") {
		t.Errorf("got %v", err)
	}
	if err := exp.WriteJSON("execution.json", 1); err != nil {
		t.Fatal(err)
	}
	if err := exp.WriteJSON("execution.json", 2); err == nil {
		t.Error("WriteJSON replaced a file")
	}
}

func TestStoreNames(t *testing.T) {
	_, c := newComponent(t)
	for _, bad := range []string{"", ".", "../x", "a/../../x", "/etc/passwd", `a\b`} {
		if err := c.StoreWrite(bad, 1, false); err == nil {
			t.Errorf("StoreWrite(%q) accepted", bad)
		}
	}
	if err := c.StoreWrite("../x", 1, true); err == nil || !strings.Contains(err.Error(), "escapes the component directory") {
		t.Errorf("escape: %v", err)
	}
	if err := c.StoreWrite("a/./b.json", map[string]any{"k": int64(1)}, false); err != nil {
		t.Fatal(err)
	}
	if v, err := c.StoreRead("a/b.json"); err != nil || v.(map[string]any)["k"] != int64(1) {
		t.Errorf("read back %v %v", v, err)
	}
}

func TestStoreOverwrite(t *testing.T) {
	_, c := newComponent(t)
	for _, name := range []string{"key", "file.txt", "file.json"} {
		if err := c.StoreWrite(name, "one", false); err != nil {
			t.Fatal(err)
		}
		err := c.StoreWrite(name, "two", false)
		if !errors.Is(err, ErrStoreExists) || !strings.Contains(err.Error(), "overwrite=True") {
			t.Errorf("%s: second write: %v", name, err)
		}
		if v, _ := c.StoreRead(name); v != "one" {
			t.Errorf("%s: refused write changed the value to %v", name, v)
		}
		if err := c.StoreWrite(name, "two", true); err != nil {
			t.Fatal(err)
		}
		if v, _ := c.StoreRead(name); v != "two" {
			t.Errorf("%s: overwrite gave %v", name, v)
		}
	}
	if _, err := c.StoreRead("missing"); err == nil || !strings.Contains(err.Error(), "nothing stored") {
		t.Errorf("missing: %v", err)
	}
}

func TestRecordsAppend(t *testing.T) {
	_, c := newComponent(t)
	w, err := c.Records("validation")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(c.Path, "records")); !os.IsNotExist(err) {
		t.Error("records directory created before the first row")
	}
	for i := 0; i < 3; i++ {
		if err := w.Append(map[string]any{"i": int64(i), "f": 1.0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Sync(); err != nil {
		t.Fatal(err)
	}
	rows, err := c.ReadRecords("validation")
	if err != nil || len(rows) != 3 || rows[2]["i"] != int64(2) || rows[0]["f"] != 1.0 {
		t.Errorf("rows %v err %v", rows, err)
	}
	c.Close()
	if err := w.Append(map[string]any{"i": 3}); err == nil {
		t.Error("append after close accepted")
	}
	if _, err := c.Records("../x"); err == nil {
		t.Error("bad scope accepted")
	}
}

func TestStatusAndHeartbeat(t *testing.T) {
	_, c := newComponent(t)
	if st, err := c.ReadStatus(); err != nil || st.Status != StatusCreated {
		t.Errorf("no status.json: %v %v", st, err)
	}
	now := time.Now().UTC()
	if err := c.WriteStatus(Status{Status: StatusRunning, StartedAt: &now, HeartbeatAt: &now}); err != nil {
		t.Fatal(err)
	}
	st, err := c.ReadStatus()
	if err != nil || st.Status != StatusRunning {
		t.Fatal(st, err)
	}
	if !st.IsAlive(now.Add(time.Second), time.Minute) {
		t.Error("fresh heartbeat should be alive")
	}
	if st.IsAlive(now.Add(time.Hour), time.Minute) {
		t.Error("stale heartbeat should not be alive")
	}
	if _, err := os.Stat(filepath.Join(c.Path, "status.json.tmp")); !os.IsNotExist(err) {
		t.Error("temporary file left behind")
	}
}

func TestS3URLErrors(t *testing.T) {
	for url, want := range map[string]string{
		"s3://":                                               "expected s3://BUCKET[/PREFIX]",
		"s3://b/x?secret_key=abc":                             "credentials do not belong in the storage URL",
		"s3://b/x?aws_access_key_id=AKIA":                     "credentials do not belong in the storage URL",
		"s3://AKIA:secretpw@b/x":                              `storage "s3://[redacted]@b/x": credentials do not belong in the storage URL`,
		"s3://secretpw@b/x?region=eu":                         `storage "s3://[redacted]@b/x?…": credentials do not belong`,
		"s3://b/x?colour=blue":                                `unknown option "colour"`,
		"s3://b/x?max_attempts=0":                             "max_attempts: expected a positive integer",
		"s3://b/x?flush=soon":                                 "flush: expected a duration",
		"s3://b/x?endpoint=http://127.0.0.1:1&max_attempts=1": `cannot reach bucket "b" at http://127.0.0.1:1`,
	} {
		_, err := Open(url)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) = %v, want %q", url, err, want)
		}
		if err != nil && (strings.Contains(err.Error(), "abc") || strings.Contains(err.Error(), "secretpw")) && strings.Contains(url, "secret") {
			t.Errorf("the refused secret is echoed: %v", err)
		}
	}
}
