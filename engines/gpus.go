package engines

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// gpuKeys are the resource keys that ask a local engine for GPUs.
var gpuKeys = []string{"gpu", "gpus", "num_gpus"}

// gpuNeed reads how many GPUs a component's resources ask for: 0 for
// none, a fraction below 1 to share one device, or a whole number.
func gpuNeed(res map[string]any) (float64, error) {
	for _, k := range gpuKeys {
		v, ok := res[k]
		if !ok {
			continue
		}
		f, ok := jsonvalue.Float(v)
		if !ok || f < 0 || (f > 1 && f != math.Trunc(f)) {
			return 0, fmt.Errorf("resource %q: expected a number of GPUs (a whole number, or a fraction below 1 to share one), got %v", k, v)
		}
		return f, nil
	}
	return 0, nil
}

// gpuPool hands out this machine's GPUs to the components that ask for
// them: a whole GPU to one component at a time, a fraction to components
// that together need at most one.
type gpuPool struct {
	mu   sync.Mutex
	free chan struct{} // poked when GPUs are released
	ids  []string      // device IDs as CUDA_VISIBLE_DEVICES names them
	used []float64     // per device, the share in use
}

// detectGPUs finds the GPUs a local engine may use: those named by
// $CUDA_VISIBLE_DEVICES when it is set (as CUDA itself would limit the
// process to them), else those nvidia-smi lists; none without either.
func detectGPUs() ([]string, error) {
	if v, ok := os.LookupEnv("CUDA_VISIBLE_DEVICES"); ok {
		var ids []string
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" && id != "-1" {
				ids = append(ids, id)
			}
		}
		return ids, nil
	}
	path, err := exec.LookPath("nvidia-smi")
	if err != nil {
		return nil, nil
	}
	out, err := exec.Command(path, "--query-gpu=index,memory.total", "--format=csv,noheader").Output()
	if err != nil {
		return nil, fmt.Errorf("nvidia-smi --query-gpu=index,memory.total: %w", err)
	}
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		index, _, _ := strings.Cut(line, ",")
		index = strings.TrimSpace(index)
		if _, err := strconv.Atoi(index); err != nil {
			return nil, fmt.Errorf("nvidia-smi answered %q: expected lines of index, memory.total", line)
		}
		ids = append(ids, index)
	}
	return ids, nil
}

func newGPUPool(ids []string) *gpuPool {
	return &gpuPool{ids: ids, used: make([]float64, len(ids)), free: make(chan struct{}, 1)}
}

// check refuses a need this machine can never meet.
func (p *gpuPool) check(need float64) error {
	if need > float64(len(p.ids)) {
		return fmt.Errorf("asks for %v GPU(s); this machine has %d (found with $CUDA_VISIBLE_DEVICES or nvidia-smi)", need, len(p.ids))
	}
	return nil
}

// acquire waits until need GPUs are free and takes them; it returns the
// device IDs for CUDA_VISIBLE_DEVICES.
func (p *gpuPool) acquire(ctx context.Context, need float64) ([]string, error) {
	if need == 0 {
		return nil, nil
	}
	if err := p.check(need); err != nil {
		return nil, err
	}
	for {
		if ids := p.take(need); ids != nil {
			return ids, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-p.free:
		}
	}
}

func (p *gpuPool) take(need float64) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if need < 1 {
		// Share the fullest device that still has room, so whole devices
		// stay free for components that want one.
		best := -1
		for i, u := range p.used {
			if u+need <= 1+1e-9 && (best < 0 || u > p.used[best]) {
				best = i
			}
		}
		if best < 0 {
			return nil
		}
		p.used[best] += need
		return []string{p.ids[best]}
	}
	var idx []int
	for i, u := range p.used {
		if u == 0 && len(idx) < int(need) {
			idx = append(idx, i)
		}
	}
	if len(idx) < int(need) {
		return nil
	}
	ids := make([]string, len(idx))
	for k, i := range idx {
		p.used[i] = 1
		ids[k] = p.ids[i]
	}
	return ids
}

// release gives back what acquire took.
func (p *gpuPool) release(ids []string, need float64) {
	if len(ids) == 0 {
		return
	}
	p.mu.Lock()
	for _, id := range ids {
		for i := range p.ids {
			if p.ids[i] == id {
				if need < 1 {
					p.used[i] -= need
				} else {
					p.used[i] = 0
				}
				if p.used[i] < 1e-9 {
					p.used[i] = 0
				}
			}
		}
	}
	p.mu.Unlock()
	select {
	case p.free <- struct{}{}:
	default:
	}
}
