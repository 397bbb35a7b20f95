package web

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/machinable-go/machinable/internal/synth"
	"github.com/machinable-go/machinable/storage"
)

// xss is a value a component could record or print: it must show as text.
const xss = `<img src=x onerror="document.title='pwned'">`

// fixture is a storage on disk with two synthetic experiments of six
// components (two configurations, three repeats each; 20 rows of records
// each, the sixth failed); in the newer one the first component has logs,
// stored values, and markup in a record and its config, and the second is
// running (fresh heartbeat).
type fixture struct {
	root  string
	st    *storage.Storage
	exp   string   // the newer experiment's ID
	older string   // the other experiment's ID
	comps []string // the newer experiment's component IDs, in schedule order
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	root := filepath.Join(t.TempDir(), "results")
	ids, err := synth.Write(root, synth.Options{Experiments: 2, Components: 6, Seed: 1, FailEvery: 6, Records: 20, Repeats: 3,
		Start: time.Now().Add(-time.Hour).UTC()})
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{root: root, st: st, exp: ids[1], older: ids[0]}
	var sched struct {
		Components []struct{ ID string } `json:"components"`
	}
	b, err := os.ReadFile(filepath.Join(root, f.exp, "schedule.json"))
	if err != nil || json.Unmarshal(b, &sched) != nil {
		t.Fatalf("schedule: %v", err)
	}
	for _, c := range sched.Components {
		f.comps = append(f.comps, c.ID)
	}
	// markup in a config value (schedule.json as a run would write it)
	var raw map[string][]map[string]any
	json.Unmarshal(b, &raw)
	raw["components"][0]["config"].(map[string]any)["tag"] = xss
	raw["components"][0]["config"].(map[string]any)["_token"] = "s3cret" // hidden: never shown
	b, _ = json.Marshal(raw)
	f.write(t, filepath.Join(root, f.exp, "schedule.json"), string(b))
	first := f.dir(0)
	f.write(t, filepath.Join(first, "log.txt"), "2026-01-01 00:00:00 INFO training started\n"+xss+"\n")
	f.write(t, filepath.Join(first, "output.log"), "epoch 1\n")
	f.write(t, filepath.Join(first, "store.json"), `{"best": 0.25}`)
	f.write(t, filepath.Join(first, "store", "final.json"), `{"loss": 0.25}`)
	f.write(t, filepath.Join(first, "store", "plots", "curve.txt"), xss)
	f.appendRow(t, 0, map[string]any{"_iteration": 20, "loss": 0.25, "note": xss})
	f.setRunning(t, 1)
	return f
}

func (f *fixture) dir(i int) string { return filepath.Join(f.root, f.exp, f.comps[i]) }

func (f *fixture) write(t testing.TB, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// appendRow adds a row to component i's default records, as a run does.
func (f *fixture) appendRow(t testing.TB, i int, row map[string]any) {
	t.Helper()
	b, _ := json.Marshal(row)
	p := filepath.Join(f.dir(i), "records", "default.jsonl")
	os.MkdirAll(filepath.Dir(p), 0o755)
	w, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Write(append(b, '\n')); err != nil {
		t.Fatal(err)
	}
}

// setRunning marks component i running with a fresh heartbeat.
func (f *fixture) setRunning(t testing.TB, i int) {
	t.Helper()
	now := time.Now().UTC()
	f.setStatus(t, i, storage.Status{Status: storage.StatusRunning, StartedAt: &now, HeartbeatAt: &now, HeartbeatEvery: 10})
}

func (f *fixture) setStatus(t testing.TB, i int, st storage.Status) {
	t.Helper()
	b, _ := json.Marshal(st)
	p := filepath.Join(f.dir(i), "status.json")
	tmp := p + ".new"
	f.write(t, tmp, string(b))
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}
