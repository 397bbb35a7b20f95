package tune

import (
	"math"
	"testing"

	"github.com/machinable-go/machinable/seeding"
)

// simulate runs trials on `workers` slots, one step of each running trial
// in turn (trials start in order as slots free up), and returns the steps
// run and the trial that reached maxT with the best final loss.
func simulate(s Scheduler, loss func(trial int, t float64) float64, trials, workers int, maxT float64) (steps int, best int) {
	type run struct{ trial, t int }
	var running []run
	next := 0
	best, bestLoss := -1, math.Inf(1)
	for next < trials || len(running) > 0 {
		for len(running) < workers && next < trials {
			running = append(running, run{next, 0})
			next++
		}
		var keep []run
		for _, r := range running {
			r.t++
			steps++
			l := loss(r.trial, float64(r.t))
			d := s.Result(string(rune('A'+r.trial)), float64(r.t), l)
			if float64(r.t) >= maxT {
				if l < bestLoss {
					best, bestLoss = r.trial, l
				}
				continue
			}
			if d == Continue {
				keep = append(keep, r)
			}
		}
		running = keep
	}
	return steps, best
}

// TestASHASavesIterations: on a synthetic objective whose best trial is
// known (learning curves that keep their order), ASHA finds the same best
// trial as running every trial to the end, with at most half the
// iterations.
func TestASHASavesIterations(t *testing.T) {
	const trials, maxT = 27, 100
	r := seeding.New(1)
	final := make([]float64, trials)
	for i := range final {
		final[i] = 0.05 + r.Random()
	}
	loss := func(trial int, t float64) float64 { return final[trial] + 2*math.Exp(-t/15) }
	fifoSteps, fifoBest := simulate(FIFO{}, loss, trials, 4, maxT)
	a, _ := NewASHA(Min, maxT, 5, 3)
	ashaSteps, ashaBest := simulate(a, loss, trials, 4, maxT)
	t.Logf("FIFO %d steps, best trial %d; ASHA %d steps (%.0f%%), best trial %d", fifoSteps, fifoBest, ashaSteps, 100*float64(ashaSteps)/float64(fifoSteps), ashaBest)
	if fifoSteps != trials*maxT || ashaBest != fifoBest || ashaSteps*2 > fifoSteps {
		t.Errorf("FIFO %d steps best %d; ASHA %d steps best %d", fifoSteps, fifoBest, ashaSteps, ashaBest)
	}
}
