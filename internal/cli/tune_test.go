package cli

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/internal/raytest"
)

// tuning returns a copy of examples/tuning with its script rewritten to
// the given scheduler, engine and storage.
func tuning(t *testing.T, scheduler, engine string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tuning")
	copyDir(t, tuningExample, dir)
	script := `space = {"lr": tune.loguniform(1e-4, 1e-1), "depth": tune.choice([2, 4, 8])}
execute(Experiment().component("train", space).tune(num_samples=27, metric="val_loss", mode="min", scheduler=` + scheduler + `),
    engine="` + engine + `", storage="./results", seed=42)
`
	if err := os.WriteFile(filepath.Join(dir, "tune.star"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tuningExample is examples/tuning, absolute: runMain changes the
// working directory.
var tuningExample, _ = filepath.Abs("../../examples/tuning")

// trialResult is what a stored trial shows: its config, status and rows.
type trialResult struct {
	id     string
	number int64
	config map[string]any
	status string
	losses []float64
}

// readTrials reads every trial of the one experiment under dir/results.
func readTrials(t *testing.T, dir string) []trialResult {
	t.Helper()
	comps, _ := filepath.Glob(filepath.Join(dir, "results", "*", "*", "component.json"))
	var out []trialResult
	for _, c := range comps {
		cd := filepath.Dir(c)
		var comp struct {
			Config map[string]any `json:"config"`
			Flags  map[string]any `json:"flags"`
		}
		var st struct {
			Status string `json:"status"`
		}
		readJSON(t, c, &comp)
		readJSON(t, filepath.Join(cd, "status.json"), &st)
		tr := trialResult{id: filepath.Base(cd), number: int64(comp.Flags["TRIAL_NUMBER"].(float64)), config: comp.Config, status: st.Status}
		if comp.Flags["TUNING"] != true {
			t.Errorf("trial %s: flag TUNING is %v, want true", tr.id, comp.Flags["TUNING"])
		}
		if f, err := os.Open(filepath.Join(cd, "records", "default.jsonl")); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				var row map[string]any
				if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
					t.Fatal(err)
				}
				tr.losses = append(tr.losses, row["val_loss"].(float64))
			}
			f.Close()
		}
		out = append(out, tr)
	}
	if len(out) != 27 {
		t.Fatalf("%d trials stored, want 27", len(out))
	}
	return out
}

func best(trials []trialResult) trialResult {
	var b trialResult
	for _, tr := range trials {
		if len(tr.losses) == 0 {
			continue
		}
		if b.id == "" || tr.losses[len(tr.losses)-1] < b.losses[len(b.losses)-1] {
			b = tr
		}
	}
	return b
}

// TestTuneASHAFindsBestWithFewerIterations: the synthetic objective of
// examples/tuning (learning curves of one shape whose level the config
// sets) run to the end with FIFO, and again with ASHA from the same seed:
// the same 27 configurations are drawn, ASHA's best trial is FIFO's, and
// it uses at most half of the iterations; the trials it cut are
// "stopped", the rest "finished".
func TestTuneASHAFindsBestWithFewerIterations(t *testing.T) {
	fifoDir := tuning(t, "tune.fifo()", "native:2")
	stdout, stderr, code := runMain(t, fifoDir, "run", "tune.star")
	if code != 0 {
		t.Fatalf("fifo: exit %d\n%s%s", code, stdout, stderr)
	}
	// One at a time: ASHA's decisions depend on the order trials report
	// in, and sequentially that order is the schedule's.
	ashaDir := tuning(t, "tune.asha(max_t=27, grace_period=1, reduction_factor=3)", "native")
	stdout, stderr, code = runMain(t, ashaDir, "run", "tune.star")
	if code != 0 {
		t.Fatalf("asha: exit %d\n%s%s", code, stdout, stderr)
	}
	fifo, asha := readTrials(t, fifoDir), readTrials(t, ashaDir)
	rows := func(ts []trialResult) (n int) {
		for _, tr := range ts {
			n += len(tr.losses)
		}
		return n
	}
	if got := rows(fifo); got != 27*27 {
		t.Fatalf("fifo ran %d iterations, want every trial to the end: %d", got, 27*27)
	}
	byID := map[string]trialResult{}
	for _, tr := range fifo {
		byID[tr.id] = tr
	}
	stopped := 0
	for _, tr := range asha {
		f, ok := byID[tr.id]
		if !ok || f.number != tr.number || !sameJSON(f.config, tr.config) {
			t.Errorf("trial %s: the same seed drew %v under fifo, %v under asha", tr.id, f.config, tr.config)
		}
		switch tr.status {
		case "stopped":
			stopped++
			if len(tr.losses) >= 27 {
				t.Errorf("trial %s stopped after all %d iterations", tr.id, len(tr.losses))
			}
		case "finished":
			if len(tr.losses) != 27 {
				t.Errorf("trial %s finished after %d iterations, want 27", tr.id, len(tr.losses))
			}
		default:
			t.Errorf("trial %s: status %s", tr.id, tr.status)
		}
	}
	if stopped == 0 {
		t.Error("asha stopped no trial")
	}
	if got := rows(asha); got*2 > rows(fifo) {
		t.Errorf("asha ran %d iterations, want at most half of fifo's %d", got, rows(fifo))
	} else {
		t.Logf("asha: %d iterations of fifo's %d (%.0f%%), %d of 27 trials stopped", got, rows(fifo), 100*float64(got)/float64(rows(fifo)), stopped)
	}
	if b, a := best(fifo), best(asha); b.id != a.id {
		t.Errorf("best trial: fifo %s %v, asha %s %v", b.id, b.config, a.id, a.config)
	}
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestTuneResumeRebuildsDecisions: a trial that did not end (its status
// rewritten to interrupted, as after a crash) runs again on resume, and
// the scheduler, rebuilt from the other trials' stored rows, decides as
// in the first run: the same status after the same number of rows.
func TestTuneResumeRebuildsDecisions(t *testing.T) {
	dir := tuning(t, "tune.asha(max_t=27, grace_period=1, reduction_factor=3)", "native")
	if stdout, stderr, code := runMain(t, dir, "run", "tune.star"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	first := readTrials(t, dir)
	var last trialResult
	for _, tr := range first {
		if tr.number == 26 {
			last = tr
		}
	}
	comp, _ := filepath.Glob(filepath.Join(dir, "results", "*", last.id))
	if len(comp) != 1 {
		t.Fatalf("trial %s not found", last.id)
	}
	statusFile := filepath.Join(comp[0], "status.json")
	var st map[string]any
	readJSON(t, statusFile, &st)
	st["status"] = "interrupted"
	b, _ := json.Marshal(st)
	if err := os.WriteFile(statusFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(filepath.Dir(comp[0]), "journal.jsonl"))
	expID := filepath.Base(filepath.Dir(comp[0]))
	stdout, stderr, code := runMain(t, dir, "resume", expID, "--storage", "./results")
	if code != 0 || !strings.Contains(stdout, "] "+last.id+" train "+last.status) {
		t.Fatalf("resume: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, tr := range readTrials(t, dir) {
		if tr.id == last.id && (tr.status != last.status || len(tr.losses) != len(last.losses)) {
			t.Errorf("trial %s after resume: %s with %d rows, first run: %s with %d rows", tr.id, tr.status, len(tr.losses), last.status, len(last.losses))
		}
	}
}

// TestTuneStopsTrialsInWorkers: under process:2 trials run in worker
// processes; the executor reads their rows while they run and stops the
// worse ones through their stop.json marker, at a later save.
func TestTuneStopsTrialsInWorkers(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	stopsTrialsElsewhere(t, "--engine", "process:2")
}

// TestSlurmTuneStopsTrials: the same with every trial a task of a Slurm
// job array, two at once.
func TestSlurmTuneStopsTrials(t *testing.T) {
	requireSlurm(t)
	stopsTrialsElsewhere(t, "--engine", "slurm", "--engine-opt", "array_parallelism=2", "--engine-opt", "poll=200ms", "--engine-opt", "wait=true")
}

// TestRayTuneStopsTrials: the same with every trial a Ray job, on the
// stand-in head node that runs jobs as Ray does (internal/raytest).
func TestRayTuneStopsTrials(t *testing.T) {
	t.Setenv("MACHINABLE_BINARY", binary(t))
	srv := raytest.StartWith(t, raytest.Options{})
	stopsTrialsElsewhere(t, "--engine", "ray", "--engine-opt", "address="+srv.URL(), "--engine-opt", "poll=50ms")
}

func stopsTrialsElsewhere(t *testing.T, engine ...string) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"machinable.yaml": "components:\n  - slow:\n      level: 0.5\n      work: 200000\n",
		"slow.star": `def on_execute_iteration(self, i):
    n = 0
    for k in range(self.config.work):  # some work between rows
        n += k
    self.record["val_loss"] = self.config.level + 1.0 / (i + 1)
    if i + 1 >= 30:
        return StopIteration
`,
		"tune.star": `execute(Experiment().component("slow", {"level": tune.uniform(0, 1)}).tune(num_samples=8, metric="val_loss", mode="min",
    scheduler=tune.asha(max_t=30, grace_period=1, reduction_factor=2)), storage="./results", seed=7)
`,
	})
	stdout, stderr, code := runMain(t, dir, append([]string{"run", "tune.star"}, engine...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	markers, _ := filepath.Glob(filepath.Join(dir, "results", "*", "*", "stop.json"))
	stopped := 0
	for _, m := range markers {
		var st, stop map[string]any
		readJSON(t, filepath.Join(filepath.Dir(m), "status.json"), &st)
		readJSON(t, m, &stop)
		rows, _ := os.ReadFile(filepath.Join(filepath.Dir(m), "records", "default.jsonl"))
		n := strings.Count(string(rows), "\n")
		switch {
		case stop["finished"] == true: // reached max_t: done, not cut
			if st["status"] != "finished" || n != 30 {
				t.Errorf("%s: status %v after %d rows, marker %v", filepath.Dir(m), st["status"], n, stop)
			}
		case st["status"] == "finished" && n == 30:
			// The decision came after the trial's last look for its
			// marker: stops are asynchronous, as in Ray Tune.
		case st["status"] != "stopped" || n > 30 || !strings.HasPrefix(stop["reason"].(string), "by asha at iteration"):
			t.Errorf("%s: status %v after %d rows, marker %v", filepath.Dir(m), st["status"], n, stop)
		case n < 30:
			stopped++
		}
		// A decision that reaches a trial at its last save stops it
		// there (the stop comes a little after the row it is about).
	}
	if stopped == 0 {
		t.Fatalf("no trial was stopped before its end:\n%s", stdout)
	}
}

// TestTuneTrialsShareGPUs: .tune(resources_per_trial={"gpu": 1}) on
// native:4 with two GPUs runs two trials at once, one per device, and
// each trial's program sees its device.
func TestTuneTrialsShareGPUs(t *testing.T) {
	gpus := gpuMachine(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"machinable.yaml": "components:\n  - probe:\n",
		"tune.star": `stamp = 'echo "$CUDA_VISIBLE_DEVICES $(date +%s%N)" > "$MACHINABLE_OUTPUT/start"; sleep 0.5; date +%s%N > "$MACHINABLE_OUTPUT/end"'
e = Experiment().component(command(stamp, config={"x": 0}, name="stamp"), {"x": tune.uniform(0, 1)})
execute(e.tune(num_samples=4, resources_per_trial={"gpu": 1, "cpu": 1}), storage="./results", engine="native:4")
`,
	})
	stdout, stderr, code := runMain(t, dir, "run", "tune.star")
	if code != 0 || !strings.Contains(stdout, "4 finished, 0 failed") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	spans := readSpans(t, filepath.Join(dir, "results"))
	if got := maxAtOnce(spans, ""); got != min(gpus, 4) {
		t.Errorf("%d trials ran at once, want %d: %v", got, min(gpus, 4), spans)
	}
	for _, s := range spans {
		if got := maxAtOnce(spans, s.dev); s.dev == "" || got > 1 {
			t.Errorf("device %q: %d trials at once: %v", s.dev, got, spans)
		}
	}
}

// TestTuneResumeFromCheckpoint: a trial that did not end runs again on
// resume from the newest checkpoint its earlier attempt saved, copied
// into its store; the earlier attempt stays archived as it was.
func TestTuneResumeFromCheckpoint(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"machinable.yaml": "components:\n  - ckpt:\n      lr: 0.1\n",
		"ckpt.star": `def on_create(self):
    self.step = 0

def on_restore(self, checkpoint):
    self.store.write("restored.txt", checkpoint)
    self.step = self.store.read(checkpoint + "/state.json")["step"] + 1

def on_execute_iteration(self, i):
    self.record["loss"] = self.config.lr / (self.step + 1)
    self.save_checkpoint(self.step)
    self.step += 1
    if self.step >= 5:
        return StopIteration

def on_save(self, path, timestep):
    self.store.write(path + "/state.json", {"step": self.step}, overwrite=True)
`,
		"tune.star": `execute(Experiment().component("ckpt", {"lr": tune.uniform(0, 1)}).tune(num_samples=1), storage="./results", seed=7)
`,
	})
	if stdout, stderr, code := runMain(t, dir, "run", "tune.star"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	comps, _ := filepath.Glob(filepath.Join(dir, "results", "*", "*", "component.json"))
	if len(comps) != 1 {
		t.Fatalf("components: %v", comps)
	}
	comp := filepath.Dir(comps[0])
	var st map[string]any
	readJSON(t, filepath.Join(comp, "status.json"), &st)
	st["status"] = "interrupted"
	b, _ := json.Marshal(st)
	os.WriteFile(filepath.Join(comp, "status.json"), b, 0o644)
	os.Remove(filepath.Join(filepath.Dir(comp), "journal.jsonl"))
	if stdout, stderr, code := runMain(t, dir, "resume", filepath.Base(filepath.Dir(comp)), "--storage", "./results"); code != 0 {
		t.Fatalf("resume: exit %d\n%s%s", code, stdout, stderr)
	}
	restored, err := os.ReadFile(filepath.Join(comp, "store", "restored.txt"))
	if err != nil || string(restored) != "checkpoints/4" {
		t.Fatalf("on_restore got %q (%v), want checkpoints/4", restored, err)
	}
	if _, err := os.Stat(filepath.Join(comp, "attempts", "1", "store", "checkpoints", "4", "state.json")); err != nil {
		t.Errorf("the earlier attempt's checkpoint is no longer archived: %v", err)
	}
	rows, _ := os.ReadFile(filepath.Join(comp, "records", "default.jsonl"))
	if n := strings.Count(string(rows), "\n"); n != 1 {
		t.Errorf("the continued trial saved %d rows, want 1 (step 5 of 5)", n)
	}
}
