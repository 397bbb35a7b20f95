package engines

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// fakeWorker writes a shell script standing in for `machinable worker`:
// it marks the component running under its own PID, as a worker does,
// then runs body.
func fakeWorker(t *testing.T, exp *storage.Experiment, id, body string) string {
	t.Helper()
	if _, err := exp.CreateComponent(id); err != nil {
		t.Fatal(err)
	}
	status := filepath.Join(exp.Path, id, "status.json")
	script := filepath.Join(t.TempDir(), "worker.sh")
	os.WriteFile(script, []byte(`#!/bin/sh
printf '{"status": "running", "host": "%s", "pid": %d, "heartbeat_every": 10}' '`+storage.Hostname()+`' $$ > '`+status+`'
echo started >&2
`+body+"\n"), 0o755)
	return script
}

// TestWorkerDeathRecorded: a worker that dies without writing a final
// status leaves status.json saying what the report says — failed, or
// interrupted when the run was being interrupted — instead of running.
func TestWorkerDeathRecorded(t *testing.T) {
	st, err := storage.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.CreateExperiment("", "Dead12")
	if err != nil {
		t.Fatal(err)
	}

	sc := &runtime.ScheduledComponent{ID: "killed000001", Name: "x"}
	out := RunWorker(context.Background(), fakeWorker(t, exp, sc.ID, "kill -9 $$"), exp.Path, sc, exp, nil, "")
	got, _ := exp.ComponentStatus(sc.ID)
	if out.Status != storage.StatusFailed || got.Status != storage.StatusFailed || got.Error != out.Error ||
		!strings.Contains(out.Error, "signal: killed: started") || got.FinishedAt == nil {
		t.Errorf("killed worker: outcome %s %q, status.json %+v", out.Status, out.Error, got)
	}

	sc = &runtime.ScheduledComponent{ID: "interrupted1", Name: "x"}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			if s, _ := exp.ComponentStatus(sc.ID); s.Status == storage.StatusRunning {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	// Stopped by SIGTERM before it could write anything.
	out = RunWorker(ctx, fakeWorker(t, exp, sc.ID, "sleep 30 >/dev/null 2>&1 & trap 'kill $!; exit 130' TERM; wait"), exp.Path, sc, exp, nil, "")
	got, _ = exp.ComponentStatus(sc.ID)
	if out.Status != storage.StatusInterrupted || got.Status != storage.StatusInterrupted || !strings.HasPrefix(got.Error, "interrupted: ") {
		t.Errorf("interrupted worker: outcome %s %q, status.json %+v", out.Status, out.Error, got)
	}

	// A status.json some other process owns is left as it is.
	sc = &runtime.ScheduledComponent{ID: "otherowner01", Name: "x"}
	script := fakeWorker(t, exp, sc.ID, `printf '{"status": "running", "host": "elsewhere", "pid": 1}' > '`+filepath.Join(exp.Path, sc.ID, "status.json")+`'; exit 1`)
	RunWorker(context.Background(), script, exp.Path, sc, exp, nil, "")
	if got, _ := exp.ComponentStatus(sc.ID); got.Status != storage.StatusRunning || got.Host != "elsewhere" {
		t.Errorf("another process's status.json was changed: %+v", got)
	}
}
