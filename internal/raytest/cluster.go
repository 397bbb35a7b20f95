package raytest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

func (n Node) clone() Node {
	c := n
	c.Resources = map[string]float64{}
	for k, v := range n.Resources {
		c.Resources[k] = v
	}
	return c
}

// resourcesSpecified is job_manager.py's test of whether the entrypoint
// asks for anything: only then is it scheduled by resources; otherwise
// its supervisor and driver are pinned to the head node
// (JobManager._get_label_selector, unless
// RAY_JOB_ALLOW_DRIVER_ON_WORKER_NODES=1) and reserve nothing.
func (j *Job) resourcesSpecified() bool {
	return (j.NumCPUs != nil && *j.NumCPUs > 0) || (j.NumGPUs != nil && *j.NumGPUs > 0) ||
		(j.Memory != nil && *j.Memory > 0) || len(j.Resources) > 0
}

// fits says whether node n has j's entrypoint resources free.
func (n *Node) fits(j *Job) bool {
	if j.NumCPUs != nil && *j.NumCPUs > n.CPUs+1e-9 {
		return false
	}
	if j.NumGPUs != nil && *j.NumGPUs > n.GPUs+1e-9 {
		return false
	}
	if j.Memory != nil && *j.Memory > n.Memory {
		return false
	}
	for k, v := range j.Resources {
		if v > n.Resources[k]+1e-9 {
			return false
		}
	}
	return true
}

// take reserves (sign 1) or frees (sign -1) j's resources on n.
func (n *Node) take(j *Job, sign float64) {
	if j.NumCPUs != nil {
		n.CPUs -= sign * *j.NumCPUs
	}
	if j.NumGPUs != nil {
		n.GPUs -= sign * *j.NumGPUs
	}
	if j.Memory != nil {
		n.Memory -= int64(sign) * *j.Memory
	}
	for k, v := range j.Resources {
		n.Resources[k] -= sign * v
	}
}

// poke makes the scheduler look at the PENDING jobs now.
func (s *Server) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// schedule starts PENDING jobs when a node has their resources free, in
// submission order, and fails those PENDING past the start timeout, as
// JobManager._monitor_job_internal does (job_manager.py).
func (s *Server) schedule() {
	defer close(s.schedDone)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-s.wake:
		case <-tick.C:
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return
		}
		for _, id := range s.order {
			j := s.jobs[id]
			if j == nil || j.Status != "PENDING" || j.placed {
				continue
			}
			if wait := time.Since(j.submitted); wait > s.opts.StartTimeout {
				j.Status, j.end = "FAILED", time.Now()
				j.ErrorType = "JOB_SUPERVISOR_ACTOR_START_TIMEOUT"
				j.Message = fmt.Sprintf("Job supervisor actor failed to start within %s seconds. This timeout can be configured by setting the environment variable RAY_JOB_START_TIMEOUT_SECONDS.",
					strconv.FormatFloat(s.opts.StartTimeout.Seconds(), 'f', 1, 64))
				if j.resourcesSpecified() {
					j.Message += " This may be because the job entrypoint's specified resources (entrypoint_num_cpus, entrypoint_num_gpus, entrypoint_resources, entrypoint_memory)aren't available on the cluster. Try checking the cluster's available resources with `ray status` and specifying fewer resources for the job entrypoint."
				}
				close(j.done)
				continue
			}
			node := -1
			if !j.resourcesSpecified() {
				node = 0 // the head node
			} else {
				for i := range s.free {
					if s.free[i].fits(&j.Job) {
						node = i
						break
					}
				}
			}
			if node < 0 {
				continue
			}
			if j.resourcesSpecified() {
				s.free[node].take(&j.Job, 1)
				j.reserved = node
				j.gpus = s.gpuIDs(node, j)
			}
			j.Node, j.placed = s.opts.Nodes[node].Name, true
			s.wg.Add(1)
			go s.run(j)
		}
		s.mu.Unlock()
	}
}

// gpuIDs picks the GPU indices an entrypoint with resources sees in
// CUDA_VISIBLE_DEVICES: Ray sets it for any actor scheduled by resources,
// the empty string when it asked for no GPU (job_supervisor.py drops the
// "don't set CUDA_VISIBLE_DEVICES" workaround once resources are given).
func (s *Server) gpuIDs(node int, j *job) string {
	if j.NumGPUs == nil || *j.NumGPUs <= 0 {
		return ""
	}
	used := map[int]bool{}
	for _, o := range s.jobs {
		if o != j && o.reserved == node && (o.Status == "PENDING" || o.Status == "RUNNING") {
			for _, g := range strings.Split(o.gpus, ",") {
				if n, err := strconv.Atoi(g); err == nil {
					used[n] = true
				}
			}
		}
	}
	want := int(math.Ceil(*j.NumGPUs))
	var ids []string
	for g := 0; len(ids) < want && g < int(math.Ceil(s.opts.Nodes[node].GPUs)); g++ {
		if !used[g] || *j.NumGPUs < 1 {
			ids = append(ids, strconv.Itoa(g))
		}
	}
	return strings.Join(ids, ",")
}
