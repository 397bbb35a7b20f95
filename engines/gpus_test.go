package engines

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"
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

// TestDetectGPUs: $CUDA_VISIBLE_DEVICES first, else nvidia-smi, else none.
func TestDetectGPUs(t *testing.T) {
	fakeNvidiaSMI(t, 3)
	os.Unsetenv("CUDA_VISIBLE_DEVICES")
	if ids, err := detectGPUs(); err != nil || !reflect.DeepEqual(ids, []string{"0", "1", "2"}) {
		t.Errorf("nvidia-smi: %v %v", ids, err)
	}
	t.Setenv("CUDA_VISIBLE_DEVICES", "2,5")
	if ids, _ := detectGPUs(); !reflect.DeepEqual(ids, []string{"2", "5"}) {
		t.Errorf("CUDA_VISIBLE_DEVICES: %v", ids)
	}
	t.Setenv("CUDA_VISIBLE_DEVICES", "")
	if ids, _ := detectGPUs(); len(ids) != 0 {
		t.Errorf("an empty CUDA_VISIBLE_DEVICES hides every GPU: %v", ids)
	}
}

// TestGPUPool: whole GPUs go to one component at a time, fractions share
// a device, a need the machine cannot meet is refused, and waiting
// components get GPUs as others release them.
func TestGPUPool(t *testing.T) {
	p := newGPUPool([]string{"0", "1"})
	ctx := context.Background()
	a, _ := p.acquire(ctx, 1)
	h1, _ := p.acquire(ctx, 0.5)
	h2, _ := p.acquire(ctx, 0.5)
	if !reflect.DeepEqual(a, []string{"0"}) || !reflect.DeepEqual(h1, []string{"1"}) || !reflect.DeepEqual(h2, []string{"1"}) {
		t.Fatalf("%v %v %v", a, h1, h2)
	}
	if err := p.check(3); err == nil {
		t.Error("3 GPUs on a machine with 2")
	}
	if _, err := gpuNeed(map[string]any{"gpu": 1.5}); err == nil {
		t.Error("1.5 GPUs accepted")
	}
	if n, _ := gpuNeed(map[string]any{"num_gpus": int64(2)}); n != 2 {
		t.Errorf("num_gpus: %v", n)
	}
	var got []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		got, _ = p.acquire(ctx, 2) // waits for both devices
	}()
	time.Sleep(50 * time.Millisecond)
	p.release(a, 1)
	p.release(h1, 0.5)
	p.release(h2, 0.5)
	wg.Wait()
	if !reflect.DeepEqual(got, []string{"0", "1"}) {
		t.Errorf("after release: %v", got)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.acquire(cctx, 1); err == nil {
		t.Error("a cancelled wait must end")
	}
}
