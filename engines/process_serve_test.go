package engines

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// servingScript stands in for `machinable worker URL --serve`: for each ID
// it reads, it marks the component running under its own PID, prints a
// line, then finishes it — or, for an ID starting with "crash", dies.
func servingScript(t *testing.T, dir string) string {
	t.Helper()
	script := filepath.Join(t.TempDir(), "serve.sh")
	os.WriteFile(script, []byte(`#!/bin/sh
while read id; do
  mkdir -p '`+dir+`'/$id
  printf '{"status": "running", "host": "%s", "pid": %d, "heartbeat_every": 10}' '`+storage.Hostname()+`' $$ > '`+dir+`'/$id/status.json
  case $id in crash*) echo "dying on $id" >&2; kill -9 $$;; esac
  printf '{"out":"pid %d ran %s\\n"}\n' $$ $id
  echo 'stray line'
  printf '{"status": "finished", "pid": %d}' $$ > '`+dir+`'/$id/status.json
  printf '{"id":"%s","status":"finished"}\n' $id
done
`), 0o755)
	return script
}

// TestServedWorkersReused: N workers serve all components; a worker that
// dies fails only its component, with the tail of its stderr, and the
// next component runs on a new worker.
func TestServedWorkersReused(t *testing.T) {
	st, err := storage.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.CreateExperiment("", "Serve1")
	if err != nil {
		t.Fatal(err)
	}
	var console bytes.Buffer
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return console.Write(p) })
	slots := startSlots(context.Background(), 1, servingScript(t, exp.Path), exp.Path, exp, w)
	ids := []string{"first0000001", "second000001", "crash0000001", "third0000001"}
	outs := map[string]runtime.Outcome{}
	for _, id := range ids {
		outs[id] = slots.run(context.Background(), &runtime.ScheduledComponent{ID: id}, id+" | ", nil)
	}
	slots.close()
	for _, id := range []string{"first0000001", "second000001", "third0000001"} {
		if outs[id].Status != storage.StatusFinished {
			t.Errorf("%s: %+v", id, outs[id])
		}
	}
	crash := outs["crash0000001"]
	got, _ := exp.ComponentStatus("crash0000001")
	if crash.Status != storage.StatusFailed || !strings.Contains(crash.Error, "signal: killed: dying on crash0000001") ||
		got.Status != storage.StatusFailed {
		t.Errorf("crashed worker: outcome %+v, status.json %+v", crash, got)
	}
	pid := func(id string) int { s, _ := exp.ComponentStatus(id); return s.PID }
	if pid("first0000001") != pid("second000001") || pid("second000001") == pid("third0000001") {
		t.Errorf("worker PIDs %d %d %d: want the first two the same, a new one after the crash",
			pid("first0000001"), pid("second000001"), pid("third0000001"))
	}
	out := console.String()
	for _, id := range []string{"first0000001", "second000001", "third0000001"} {
		if !strings.Contains(out, id+" | pid ") || !strings.Contains(out, id+" | stray line") {
			t.Errorf("console lacks %s's output, prefixed:\n%s", id, out)
		}
	}
}

// TestServedWorkerOldBinary: a binary that does not know --serve fails
// the component with what it said, not a riddle.
func TestServedWorkerOldBinary(t *testing.T) {
	st, _ := storage.Open(t.TempDir())
	exp, _ := st.CreateExperiment("", "Serve2")
	script := filepath.Join(t.TempDir(), "old.sh")
	os.WriteFile(script, []byte("#!/bin/sh\necho 'Error: unknown flag: --serve' >&2\nexit 2\n"), 0o755)
	slots := startSlots(context.Background(), 2, script, exp.Path, exp, nil)
	out := slots.run(context.Background(), &runtime.ScheduledComponent{ID: "abcdefabcdef"}, "", nil)
	slots.close()
	if out.Status != storage.StatusFailed || !strings.Contains(out.Error, "unknown flag: --serve") {
		t.Errorf("%+v", out)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestProcessReuseOption: reuse_workers picks served or one-shot workers
// and refuses anything but a bool.
func TestProcessReuseOption(t *testing.T) {
	for v, oneShot := range map[any]bool{true: false, false: true} {
		e, err := newProcess(Spec{Type: "process", Options: map[string]any{"reuse_workers": v, "binary": "/bin/true"}})
		if err != nil || e.(*process).oneShot != oneShot {
			t.Errorf("reuse_workers %v: %+v %v", v, e, err)
		}
	}
	if _, err := newProcess(Spec{Type: "process", Options: map[string]any{"reuse_workers": "yes"}}); err == nil || !strings.Contains(err.Error(), "reuse_workers") {
		t.Errorf("a string accepted: %v", err)
	}
}
