package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// gpuMachine makes the local engines see GPUs and returns how many. On a
// machine whose nvidia-smi lists at least two, the tests below run
// against the real GPUs. The machine they were written on has none: there
// a fake nvidia-smi on PATH lists two, and the engines schedule for them
// (nothing touches a GPU: the components only record what they were given).
func gpuMachine(t *testing.T) int {
	t.Helper()
	t.Setenv("CUDA_VISIBLE_DEVICES", "")
	os.Unsetenv("CUDA_VISIBLE_DEVICES")
	if out, err := exec.Command("nvidia-smi", "--query-gpu=index,memory.total", "--format=csv,noheader").Output(); err == nil {
		if n := len(strings.Split(strings.TrimSpace(string(out)), "\n")); n >= 2 {
			t.Logf("using this machine's %d GPUs", n)
			return n
		}
	}
	dir := t.TempDir()
	script := "#!/bin/sh\necho '0, 16384 MiB'\necho '1, 16384 MiB'\n"
	if err := os.WriteFile(filepath.Join(dir, "nvidia-smi"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return 2
}

// gpuProject: four external programs asking for gpu (each writes its
// CUDA_VISIBLE_DEVICES and start/end stamps), a Starlark component asking
// for one (it stores its flag), and one asking for none.
func gpuProject(t *testing.T, gpu string) string {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"machinable.yaml": "components:\n  - probe:\n",
		"probe.star": `def on_execute(self):
    self.store.write("cuda.txt", self.flags.get("CUDA_VISIBLE_DEVICES", "none"))
`,
		"gpus.star": `stamp = 'echo "$CUDA_VISIBLE_DEVICES $(date +%s%N)" > "$MACHINABLE_OUTPUT/start"; sleep 0.5; date +%s%N > "$MACHINABLE_OUTPUT/end"'
e = Experiment()
for i in range(4):
    e = e.component(command(stamp, config={"i": i}, name="stamp"), resources={"gpu": ` + gpu + `, "cpu": 1})
e = e.component("probe", resources={"gpu": 1}).component("probe", flags={"X": 1})
execute(e, storage="./results")
`,
	})
	return dir
}

// span is one program's run: its devices and nanosecond stamps.
type span struct {
	dev        string
	start, end int64
}

func readSpans(t *testing.T, root string) []span {
	t.Helper()
	starts, _ := filepath.Glob(filepath.Join(root, "*", "*", "start"))
	if len(starts) != 4 {
		t.Fatalf("%d programs wrote start stamps, want 4", len(starts))
	}
	var out []span
	for _, p := range starts {
		b, _ := os.ReadFile(p)
		f := strings.Fields(string(b))
		e, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "end"))
		if len(f) != 2 {
			t.Fatalf("%s: %q: no CUDA_VISIBLE_DEVICES", p, b)
		}
		s, _ := strconv.ParseInt(f[1], 10, 64)
		end, _ := strconv.ParseInt(strings.TrimSpace(string(e)), 10, 64)
		out = append(out, span{f[0], s, end})
	}
	return out
}

// maxAtOnce is the most spans running at one moment, per device share.
func maxAtOnce(spans []span, dev string) int {
	type ev struct {
		t int64
		d int
	}
	var evs []ev
	for _, s := range spans {
		if dev == "" || s.dev == dev {
			evs = append(evs, ev{s.start, 1}, ev{s.end, -1})
		}
	}
	sort.Slice(evs, func(i, j int) bool { return evs[i].t < evs[j].t || (evs[i].t == evs[j].t && evs[i].d < evs[j].d) })
	most, now := 0, 0
	for _, e := range evs {
		now += e.d
		most = max(most, now)
	}
	return most
}

// TestGPUScheduling: `machinable run` on native:4 and process:4 (served
// and one-shot workers) with two GPUs runs at most two one-GPU programs at
// once, on different devices; every program sees its CUDA_VISIBLE_DEVICES,
// the Starlark component its flag, and the one asking none has no flag.
func TestGPUScheduling(t *testing.T) {
	gpus := gpuMachine(t)
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := gpuProject(t, "1")
	for _, run := range [][]string{
		{"--engine", "native:4"},
		{"--engine", "process:4"},
		{"--engine", "process:4", "--engine-opt", "reuse_workers=false"},
	} {
		store := filepath.Join(dir, strings.Join(run[1:], "_"))
		stdout, stderr, code := runMain(t, dir, append([]string{"run", "gpus.star", "--storage", store}, run...)...)
		if code != 0 || !strings.Contains(stdout, "6 finished, 0 failed") {
			t.Fatalf("%v: exit %d\n%s%s", run, code, stdout, stderr)
		}
		spans := readSpans(t, store)
		if got := maxAtOnce(spans, ""); got != min(gpus, 4) {
			t.Errorf("%v: %d programs ran at once, want %d: %v", run, got, min(gpus, 4), spans)
		}
		for _, s := range spans {
			if s.dev == "" || strings.Contains(s.dev, ",") {
				t.Errorf("%v: devices %q, want one", run, s.dev)
			}
			if got := maxAtOnce(spans, s.dev); got > 1 {
				t.Errorf("%v: %d programs on GPU %s at once: %v", run, got, s.dev, spans)
			}
		}
		flags, _ := filepath.Glob(filepath.Join(store, "*", "*", "store", "cuda.txt"))
		var seen []string
		for _, p := range flags {
			b, _ := os.ReadFile(p)
			seen = append(seen, string(b))
		}
		sort.Strings(seen)
		if len(seen) != 2 || seen[1] != "none" || len(seen[0]) != 1 || seen[0] < "0" || seen[0] > "9" {
			t.Errorf("%v: the Starlark components' flags: %q", run, seen)
		}
	}
}

// TestGPUFractions: four programs asking for half a GPU each share the two
// devices, two on each at most, and do share.
func TestGPUFractions(t *testing.T) {
	gpus := gpuMachine(t)
	dir := gpuProject(t, "0.5")
	stdout, stderr, code := runMain(t, dir, "run", "gpus.star", "--engine", "native:4")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	spans := readSpans(t, filepath.Join(dir, "results"))
	shared := false
	for _, s := range spans {
		n := maxAtOnce(spans, s.dev)
		if n > 2 {
			t.Errorf("%d halves on GPU %s at once: %v", n, s.dev, spans)
		}
		shared = shared || n == 2
	}
	if gpus == 2 && !shared {
		t.Errorf("no two halves shared a device: %v", spans)
	}
}

// TestGPUTooMany: a component asking for more GPUs than the machine has
// is refused before anything is stored, naming it, what it asked and what
// there is.
func TestGPUTooMany(t *testing.T) {
	gpus := gpuMachine(t)
	dir := gpuProject(t, strconv.Itoa(gpus+1))
	stdout, stderr, code := runMain(t, dir, "run", "gpus.star", "--engine", "native:4")
	want := "engine native: component "
	if code == 0 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "(stamp): asks for "+strconv.Itoa(gpus+1)+" GPU(s); this machine has "+strconv.Itoa(gpus)) {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "results")); !os.IsNotExist(err) {
		t.Error("a refused run stored something")
	}
}
