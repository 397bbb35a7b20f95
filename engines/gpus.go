package engines

import (
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/runtime"
)

// GPUFlag is the flag a component that was given GPUs finds them in, as
// CUDA_VISIBLE_DEVICES names them ("0", "1,2"); external programs get the
// environment variable of that name. Components in one process share its
// environment, so the engine never sets the variable there.
const GPUFlag = "CUDA_VISIBLE_DEVICES"

// The resource keys that ask a local engine for GPUs and for slots (the
// same names the ray engine reads).
var (
	gpuKeys = []string{"gpu", "gpus", "num_gpus", "GPU"}
	cpuKeys = []string{"cpu", "cpus", "num_cpus", "CPU"}
)

// resourceNumber reads the one of keys that res sets: 0 when none is.
func resourceNumber(res map[string]any, keys []string, what string) (float64, string, error) {
	var found string
	var f float64
	for _, k := range keys {
		v, ok := res[k]
		if !ok {
			continue
		}
		if found != "" {
			return 0, "", fmt.Errorf("resources %q and %q both ask for %s: give one", found, k, what)
		}
		n, ok := jsonvalue.Float(v)
		if !ok || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
			return 0, "", fmt.Errorf("resource %q: expected a number of %s, got %v", k, what, v)
		}
		found, f = k, n
	}
	return f, found, nil
}

// gpuNeed reads how many GPUs a component's resources ask for: 0 for
// none, a fraction below 1 to share one device, or a whole number.
func gpuNeed(res map[string]any) (float64, error) {
	f, k, err := resourceNumber(res, gpuKeys, "GPUs")
	if err == nil && f > 1 && f != math.Trunc(f) {
		err = fmt.Errorf("resource %q: expected a number of GPUs (a whole number, or a fraction below 1 to share one), got %v", k, res[k])
	}
	return f, err
}

// slotNeed is how many of a local engine's n slots a component takes:
// its cpu resource rounded up, at least 1, at most n (it then runs
// alone), as Ray Tune's resources_per_trial {"cpu": 4} reserves 4 CPUs.
func slotNeed(res map[string]any, n int) (int, error) {
	f, _, err := resourceNumber(res, cpuKeys, "CPUs")
	if err != nil {
		return 0, err
	}
	return min(max(int(math.Ceil(f)), 1), n), nil
}

// gpuSource finds this machine's GPUs once, when a component first asks
// for one: machines without GPUs never run nvidia-smi.
type gpuSource struct {
	once  sync.Once
	ids   []string
	where string // how they were found, for errors
	err   error
}

func (s *gpuSource) get() ([]string, string, error) {
	s.once.Do(func() { s.ids, s.where, s.err = detectGPUs() })
	return s.ids, s.where, s.err
}

// check refuses a component asking for more GPUs than the machine has,
// or asking in a form the engine cannot read; it returns the component's
// needs. Nothing is detected for a component asking no GPU.
func (s *gpuSource) check(sc *runtime.ScheduledComponent, n int) (slots int, gpu float64, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("component %s (%s): %w", sc.ID, sc.Name, err)
		}
	}()
	if slots, err = slotNeed(sc.Resources, n); err != nil {
		return 0, 0, err
	}
	if gpu, err = gpuNeed(sc.Resources); err != nil || gpu == 0 {
		return slots, gpu, err
	}
	ids, where, err := s.get()
	if err != nil {
		return 0, 0, err
	}
	if gpu > float64(len(ids)) {
		return 0, 0, fmt.Errorf("asks for %v GPU(s); this machine has %d (%s)", gpu, len(ids), where)
	}
	return slots, gpu, nil
}

// checkSchedule is the GPU part of a local engine's preflight: every
// component of the schedule must fit the machine (a streamed schedule's
// later components are checked as they come).
func (s *gpuSource) checkSchedule(engine string, ex *runtime.Execution, n int) error {
	if ex == nil {
		return nil
	}
	for i := range ex.Schedule {
		if _, _, err := s.check(&ex.Schedule[i], n); err != nil {
			return fmt.Errorf("engine %s: %w", engine, err)
		}
	}
	return nil
}

// WithGPUs returns sc with the GPU flag set to ids (on its sub-components
// too, which run in the same place), or sc itself when ids is empty.
// The schedule's own component is not changed: a resume assigns anew.
func WithGPUs(sc *runtime.ScheduledComponent, ids []string) *runtime.ScheduledComponent {
	if len(ids) == 0 {
		return sc
	}
	c := *sc
	c.Flags = maps.Clone(sc.Flags)
	if c.Flags == nil {
		c.Flags = map[string]any{}
	}
	c.Flags[GPUFlag] = strings.Join(ids, ",")
	if len(sc.Components) > 0 {
		c.Components = make([]runtime.ScheduledComponent, len(sc.Components))
		for i := range sc.Components {
			c.Components[i] = *WithGPUs(&sc.Components[i], ids)
		}
	}
	return &c
}

// ParseGPUs reads a device list as CUDA_VISIBLE_DEVICES writes it; "-1"
// (CUDA's "none") and empty entries name no device.
func ParseGPUs(v string) []string {
	var ids []string
	for _, id := range strings.Split(v, ",") {
		if id = strings.TrimSpace(id); id != "" && id != "-1" {
			ids = append(ids, id)
		}
	}
	return ids
}

// detectGPUs finds the GPUs a local engine may use: those named by
// $CUDA_VISIBLE_DEVICES when it is set (as CUDA itself would limit the
// process to them), else those nvidia-smi lists; none without either.
// where says which, for error messages.
func detectGPUs() (ids []string, where string, err error) {
	if v, ok := os.LookupEnv("CUDA_VISIBLE_DEVICES"); ok {
		return ParseGPUs(v), fmt.Sprintf("$CUDA_VISIBLE_DEVICES is %q", v), nil
	}
	path, err := exec.LookPath("nvidia-smi")
	if err != nil {
		return nil, "no $CUDA_VISIBLE_DEVICES and no nvidia-smi on PATH", nil
	}
	out, err := exec.Command(path, "--query-gpu=index,memory.total", "--format=csv,noheader").Output()
	if err != nil {
		return nil, "", fmt.Errorf("nvidia-smi --query-gpu=index,memory.total: %w", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.TrimSpace(line) == "" {
			continue // no GPU: nothing listed
		}
		index, _, _ := strings.Cut(line, ",")
		index = strings.TrimSpace(index)
		if _, err := strconv.Atoi(index); err != nil {
			return nil, "", fmt.Errorf("nvidia-smi answered %q: expected lines of index, memory.total", line)
		}
		ids = append(ids, index)
	}
	return ids, fmt.Sprintf("nvidia-smi lists %d", len(ids)), nil
}

// gpuPool hands out this machine's GPUs to the components that ask for
// them: a whole GPU to one component at a time, a fraction to components
// that together need at most one.
type gpuPool struct {
	mu   sync.Mutex
	ids  []string  // device IDs as CUDA_VISIBLE_DEVICES names them
	used []float64 // per device, the share in use
}

func newGPUPool(ids []string) *gpuPool {
	return &gpuPool{ids: ids, used: make([]float64, len(ids))}
}

// fits says whether take(need) would succeed now.
func (p *gpuPool) fits(need float64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pick(need) != nil
}

// take takes need GPUs if they are free now; nil if not.
func (p *gpuPool) take(need float64) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	idx := p.pick(need)
	if idx == nil {
		return nil
	}
	ids := make([]string, len(idx))
	for k, i := range idx {
		if need < 1 {
			p.used[i] += need
		} else {
			p.used[i] = 1
		}
		ids[k] = p.ids[i]
	}
	return ids
}

// pick chooses the devices for need, nil when they are not free.
func (p *gpuPool) pick(need float64) []int {
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
		return []int{best}
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
	return idx
}

// release gives back what take took.
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
}
