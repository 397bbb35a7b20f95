package engines

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// fakeNvidiaSMI puts an nvidia-smi on PATH that lists n GPUs.
func fakeNvidiaSMI(t *testing.T, n int) {
	dir := t.TempDir()
	script := "#!/bin/sh\nfor i in $(seq 0 " + strconv.Itoa(n-1) + "); do echo \"$i, 16384 MiB\"; done\n"
	if err := os.WriteFile(filepath.Join(dir, "nvidia-smi"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// fixedGPUs is a gpuSource that found ids.
func fixedGPUs(ids ...string) *gpuSource {
	s := &gpuSource{}
	s.once.Do(func() { s.ids, s.where = ids, "test machine" })
	return s
}

// TestDetectGPUs: $CUDA_VISIBLE_DEVICES first, else nvidia-smi, else none.
func TestDetectGPUs(t *testing.T) {
	fakeNvidiaSMI(t, 3)
	t.Setenv("CUDA_VISIBLE_DEVICES", "")
	os.Unsetenv("CUDA_VISIBLE_DEVICES")
	if ids, where, err := detectGPUs(); err != nil || !reflect.DeepEqual(ids, []string{"0", "1", "2"}) || where != "nvidia-smi lists 3" {
		t.Errorf("nvidia-smi: %v %q %v", ids, where, err)
	}
	t.Setenv("CUDA_VISIBLE_DEVICES", "2,5")
	if ids, _, _ := detectGPUs(); !reflect.DeepEqual(ids, []string{"2", "5"}) {
		t.Errorf("CUDA_VISIBLE_DEVICES: %v", ids)
	}
	t.Setenv("CUDA_VISIBLE_DEVICES", "")
	if ids, _, _ := detectGPUs(); len(ids) != 0 {
		t.Errorf("an empty CUDA_VISIBLE_DEVICES hides every GPU: %v", ids)
	}
	t.Setenv("CUDA_VISIBLE_DEVICES", "-1")
	if ids, _, _ := detectGPUs(); len(ids) != 0 {
		t.Errorf("-1 hides every GPU: %v", ids)
	}
}

// TestGPUPool: whole GPUs go to one component at a time, fractions share
// the fullest device with room, released GPUs can be taken again.
func TestGPUPool(t *testing.T) {
	p := newGPUPool([]string{"0", "1"})
	a := p.take(1)
	h1 := p.take(0.5)
	h2 := p.take(0.5)
	if !reflect.DeepEqual(a, []string{"0"}) || !reflect.DeepEqual(h1, []string{"1"}) || !reflect.DeepEqual(h2, []string{"1"}) {
		t.Fatalf("%v %v %v", a, h1, h2)
	}
	if p.fits(0.5) || p.fits(1) || p.take(0.25) != nil {
		t.Error("both devices are full")
	}
	p.release(a, 1)
	p.release(h1, 0.5)
	if p.fits(2) {
		t.Error("device 1 still holds a half")
	}
	p.release(h2, 0.5)
	if got := p.take(2); !reflect.DeepEqual(got, []string{"0", "1"}) {
		t.Errorf("after release: %v", got)
	}
}

// TestResourceNeeds: the keys and values a local engine reads.
func TestResourceNeeds(t *testing.T) {
	if _, err := gpuNeed(map[string]any{"gpu": 1.5}); err == nil {
		t.Error("1.5 GPUs accepted")
	}
	if _, err := gpuNeed(map[string]any{"gpu": "one"}); err == nil || !strings.Contains(err.Error(), `resource "gpu": expected a number of GPUs, got one`) {
		t.Errorf("a string: %v", err)
	}
	if _, err := gpuNeed(map[string]any{"gpu": 1, "num_gpus": 1}); err == nil || !strings.Contains(err.Error(), "give one") {
		t.Errorf("two keys: %v", err)
	}
	if n, _ := gpuNeed(map[string]any{"num_gpus": int64(2)}); n != 2 {
		t.Errorf("num_gpus: %v", n)
	}
	for res, want := range map[string]int{"": 1, "cpu=0": 1, "cpu=2": 2, "num_cpus=2.5": 3, "cpu=16": 4} {
		m := map[string]any{}
		if k, v, ok := strings.Cut(res, "="); ok {
			f, _ := strconv.ParseFloat(v, 64)
			m[k] = f
		}
		if got, err := slotNeed(m, 4); got != want || err != nil {
			t.Errorf("%s on 4 slots: %d %v, want %d", res, got, err, want)
		}
	}
}

// TestWithGPUs: the flag is set on a copy (sub-components included); the
// schedule's component keeps its flags.
func TestWithGPUs(t *testing.T) {
	sc := &runtime.ScheduledComponent{ID: "a", Flags: map[string]any{"SEED": 1}, Components: []runtime.ScheduledComponent{{Name: "sub"}}}
	c := WithGPUs(sc, []string{"1", "2"})
	if c.Flags[GPUFlag] != "1,2" || c.Components[0].Flags[GPUFlag] != "1,2" || c.Flags["SEED"] != 1 {
		t.Errorf("copy: %v %v", c.Flags, c.Components[0].Flags)
	}
	if _, ok := sc.Flags[GPUFlag]; ok || sc.Components[0].Flags != nil {
		t.Error("the schedule's component changed")
	}
	if WithGPUs(sc, nil) != sc {
		t.Error("no GPUs: the component itself")
	}
}

// fakeRuns runs components that wait to be released, and reports their
// start (with the GPUs given) on started.
type fakeRuns struct {
	mu      sync.Mutex
	release map[string]chan struct{}
	started chan string // "ID GPUS"
}

func newFakeRuns() *fakeRuns {
	return &fakeRuns{release: map[string]chan struct{}{}, started: make(chan string, 100)}
}

func (f *fakeRuns) ch(id string) chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.release[id] == nil {
		f.release[id] = make(chan struct{})
	}
	return f.release[id]
}

func (f *fakeRuns) run(ctx context.Context, sc *runtime.ScheduledComponent, _ string, gpus []string) runtime.Outcome {
	f.started <- strings.TrimSpace(sc.ID + " " + strings.Join(gpus, ","))
	select {
	case <-f.ch(sc.ID):
	case <-ctx.Done():
	}
	return runtime.Outcome{Component: sc, Status: storage.StatusFinished}
}

// expect waits for the next starts (in any order) and checks that
// nothing else starts.
func (f *fakeRuns) expect(t *testing.T, want ...string) {
	t.Helper()
	got := map[string]bool{}
	for range want {
		select {
		case s := <-f.started:
			got[s] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("waited for %v, started %v", want, got)
		}
	}
	for _, w := range want {
		if !got[w] {
			t.Fatalf("started %v, want %v", got, want)
		}
	}
	select {
	case s := <-f.started:
		t.Fatalf("%q started too, want only %v", s, want)
	case <-time.After(50 * time.Millisecond):
	}
}

func components(res ...map[string]any) []*runtime.ScheduledComponent {
	out := make([]*runtime.ScheduledComponent, len(res))
	for i, r := range res {
		out[i] = &runtime.ScheduledComponent{ID: string(rune('A' + i)), Name: "c", Resources: r}
	}
	return out
}

func runFake(t *testing.T, n int, gpus *gpuSource, cs []*runtime.ScheduledComponent) (*fakeRuns, func() []runtime.Outcome) {
	f := newFakeRuns()
	var outs []runtime.Outcome
	done := make(chan struct{})
	go func() {
		defer close(done)
		var err error
		outs, err = runLocalPool(context.Background(), &Job{Components: cs}, n, gpus, f.run)
		if err != nil {
			t.Error(err)
		}
	}()
	return f, func() []runtime.Outcome { <-done; return outs }
}

// TestLocalPoolGPUs: on 2 GPUs and 4 slots, at most 2 one-GPU components
// run at once, each on a device of its own; a component waiting for a
// GPU lets later ones asking none start, not later ones asking GPUs (the
// one asking 2 waits until both are free, in schedule order).
func TestLocalPoolGPUs(t *testing.T) {
	one, two := map[string]any{"gpu": 1}, map[string]any{"gpu": 2}
	f, wait := runFake(t, 4, fixedGPUs("0", "1"), components(one, one, one, nil, two, nil))
	f.expect(t, "A 0", "B 1", "D", "F") // C waits for a GPU, E behind it
	close(f.ch("A"))
	f.expect(t, "C 0")
	close(f.ch("B"))
	close(f.ch("D"))
	f.expect(t) // E waits for C's device
	close(f.ch("C"))
	f.expect(t, "E 0,1")
	close(f.ch("E"))
	close(f.ch("F"))
	outs := wait()
	if len(outs) != 6 || outs[0].Component.ID != "A" || outs[5].Component.ID != "F" {
		t.Errorf("outcomes in schedule order: %v", outs)
	}
}

// TestLocalPoolFractions: halves share a device, two at a time.
func TestLocalPoolFractions(t *testing.T) {
	half := map[string]any{"gpu": 0.5}
	f, wait := runFake(t, 4, fixedGPUs("3"), components(half, half, half))
	f.expect(t, "A 3", "B 3")
	close(f.ch("B"))
	f.expect(t, "C 3")
	close(f.ch("A"))
	close(f.ch("C"))
	wait()
}

// TestLocalPoolCPUs: a component takes its cpu count of the slots; one
// waiting for slots holds up later ones, even those that would fit.
func TestLocalPoolCPUs(t *testing.T) {
	f, wait := runFake(t, 4, fixedGPUs(), components(map[string]any{"cpu": 3}, map[string]any{"cpu": 2}, nil, map[string]any{"cpu": 9}))
	f.expect(t, "A")
	close(f.ch("A"))
	f.expect(t, "B", "C")
	close(f.ch("B"))
	f.expect(t) // D takes all 4 slots: C still runs
	close(f.ch("C"))
	f.expect(t, "D")
	close(f.ch("D"))
	wait()
}

// TestLocalPoolRefuses: a component asking more GPUs than the machine
// has fails without running, naming what it asked and what there is; the
// others run. runPool (cluster engines) reads no resources.
func TestLocalPoolRefuses(t *testing.T) {
	f, wait := runFake(t, 2, fixedGPUs("0"), components(map[string]any{"gpu": 2}, nil))
	f.expect(t, "B")
	close(f.ch("B"))
	outs := wait()
	if len(outs) != 2 || outs[0].Status != storage.StatusFailed || outs[0].Error != "component A (c): asks for 2 GPU(s); this machine has 1 (test machine)" {
		t.Errorf("%+v", outs)
	}
	var ran []string
	var mu sync.Mutex
	_, err := runPool(context.Background(), &Job{Components: components(map[string]any{"gpu": 8, "cpu": 64})}, 1, func(_ context.Context, sc *runtime.ScheduledComponent, _ string) runtime.Outcome {
		mu.Lock()
		ran = append(ran, sc.ID)
		mu.Unlock()
		return runtime.Outcome{Component: sc, Status: storage.StatusFinished}
	})
	if err != nil || len(ran) != 1 {
		t.Errorf("runPool: %v %v", ran, err)
	}
}

// TestLocalPreflight: native and process refuse before anything runs.
func TestLocalPreflight(t *testing.T) {
	fakeNvidiaSMI(t, 2)
	t.Setenv("CUDA_VISIBLE_DEVICES", "")
	os.Unsetenv("CUDA_VISIBLE_DEVICES")
	ex := &runtime.Execution{Schedule: []runtime.ScheduledComponent{
		{ID: "abc", Name: "train", Resources: map[string]any{"gpu": 1}},
		{ID: "def", Name: "big", Resources: map[string]any{"gpu": 3}},
	}}
	for _, spec := range []string{"native:4", "process:2"} {
		s, _ := ParseSpec(spec)
		e, err := NewRegistry().New(s)
		if err != nil {
			t.Fatal(err)
		}
		err = Preflight(context.Background(), e, ex, nil)
		want := "engine " + s.Type + ": component def (big): asks for 3 GPU(s); this machine has 2 (nvidia-smi lists 2)"
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", spec, err, want)
		}
	}
	e, _ := newNative(Spec{Type: "native"})
	if err := Preflight(context.Background(), e, &runtime.Execution{Schedule: []runtime.ScheduledComponent{{ID: "x", Name: "n", Resources: map[string]any{"gpu": 0.7, "cpu": 2}}}}, nil); err != nil {
		t.Error(err)
	}
}
