package tune

import (
	"fmt"
	"math"
	"sort"
)

// Decision is what a scheduler says of a trial after one of its results.
type Decision int

const (
	// Continue lets the trial go on.
	Continue Decision = iota
	// Stop ends the trial early: it is stopped, not failed.
	Stop
)

func (d Decision) String() string {
	if d == Stop {
		return "stop"
	}
	return "continue"
}

// Scheduler decides from a trial's results (its metric at a time: the
// record row's _iteration, or the row's index) whether it goes on. The
// runtime calls it with the rows in the order each trial saved them;
// trials interleave in any order. It is not safe for concurrent use.
type Scheduler interface {
	// Result reports a trial's metric at time t and returns the decision.
	Result(trial string, t, value float64) Decision
	// Name is how the scheduler is shown, e.g. asha(max_t=100, ...).
	Name() string
}

// Mode says whether a smaller ("min") or larger ("max") metric is better.
type Mode string

const (
	Min Mode = "min"
	Max Mode = "max"
)

// score turns a metric into a value where larger is better.
func (m Mode) score(v float64) float64 {
	if m == Min {
		return -v
	}
	return v
}

// CheckMode refuses a mode other than "min" and "max".
func CheckMode(m string) (Mode, error) {
	if m != string(Min) && m != string(Max) {
		return "", fmt.Errorf("mode %q: expected \"min\" or \"max\"", m)
	}
	return Mode(m), nil
}

// FIFO lets every trial run to its end.
type FIFO struct{}

func (FIFO) Result(string, float64, float64) Decision { return Continue }
func (FIFO) Name() string                             { return "fifo" }

// ASHA is asynchronous successive halving as Ray Tune's
// AsyncHyperBandScheduler implements it with one bracket (Li et al., "A
// System for Massively Parallel Hyperparameter Tuning", 2020): rungs at
// times grace_period·rf^k below max_t; the first time a trial reaches a
// rung, its score is compared with the scores recorded there so far, and
// it stops unless it is at least the (1 − 1/rf) quantile of them (linear
// interpolation, as numpy's percentile); its score is then recorded. A
// trial that reaches max_t stops (it is done).
type ASHA struct {
	Mode            Mode
	MaxT            float64
	GracePeriod     float64
	ReductionFactor float64

	rungs []rung // highest first, as Ray checks them
}

type rung struct {
	milestone float64
	recorded  map[string]float64
}

// NewASHA checks the parameters and builds the rungs.
func NewASHA(mode Mode, maxT, gracePeriod, reductionFactor float64) (*ASHA, error) {
	switch {
	case !(gracePeriod > 0):
		return nil, fmt.Errorf("asha: grace_period must be positive, got %v", gracePeriod)
	case !(maxT >= gracePeriod):
		return nil, fmt.Errorf("asha: max_t (%v) must be at least grace_period (%v)", maxT, gracePeriod)
	case !(reductionFactor > 1):
		return nil, fmt.Errorf("asha: reduction_factor must be greater than 1, got %v", reductionFactor)
	}
	a := &ASHA{Mode: mode, MaxT: maxT, GracePeriod: gracePeriod, ReductionFactor: reductionFactor}
	// Ray: MAX_RUNGS = int(log(max_t / min_t) / log(rf) + 1).
	n := int(math.Log(maxT/gracePeriod)/math.Log(reductionFactor) + 1)
	for k := n - 1; k >= 0; k-- {
		a.rungs = append(a.rungs, rung{milestone: gracePeriod * math.Pow(reductionFactor, float64(k)), recorded: map[string]float64{}})
	}
	return a, nil
}

// Milestones are the rung times, lowest first.
func (a *ASHA) Milestones() []float64 {
	out := make([]float64, len(a.rungs))
	for i, r := range a.rungs {
		out[len(a.rungs)-1-i] = r.milestone
	}
	return out
}

func (a *ASHA) Name() string {
	return fmt.Sprintf("asha(max_t=%v, grace_period=%v, reduction_factor=%v)", a.MaxT, a.GracePeriod, a.ReductionFactor)
}

func (a *ASHA) Result(trial string, t, value float64) Decision {
	d := Continue
	score := a.Mode.score(value)
	for i := range a.rungs {
		r := &a.rungs[i]
		if t < r.milestone {
			continue
		}
		if _, seen := r.recorded[trial]; seen {
			break
		}
		if cut, ok := quantile(r.recorded, 1-1/a.ReductionFactor); ok && score < cut {
			d = Stop
		}
		r.recorded[trial] = score
		break
	}
	if t >= a.MaxT {
		d = Stop
	}
	return d
}

// quantile is numpy.nanpercentile(values, q·100) with linear
// interpolation; ok is false without values.
func quantile(m map[string]float64, q float64) (float64, bool) {
	vals := make([]float64, 0, len(m))
	for _, v := range m {
		if !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return 0, false
	}
	sort.Float64s(vals)
	pos := q * float64(len(vals)-1)
	lo := math.Floor(pos)
	hi := math.Ceil(pos)
	return vals[int(lo)] + (vals[int(hi)]-vals[int(lo)])*(pos-lo), true
}

// MedianStopping is Ray Tune's median stopping rule (Golovin et al.,
// "Google Vizier", 2017): after grace_period, a trial stops when its best
// score so far is worse than the median of the other trials' running
// means up to the same time, once at least min_samples_required other
// trials have got that far.
type MedianStopping struct {
	Mode               Mode
	GracePeriod        float64
	MinSamplesRequired int

	results map[string][]timed
}

type timed struct{ t, score float64 }

// NewMedianStopping checks the parameters.
func NewMedianStopping(mode Mode, gracePeriod float64, minSamples int) (*MedianStopping, error) {
	if gracePeriod < 0 || minSamples < 1 {
		return nil, fmt.Errorf("median_stopping: grace_period must be >= 0 and min_samples_required >= 1, got %v and %d", gracePeriod, minSamples)
	}
	return &MedianStopping{Mode: mode, GracePeriod: gracePeriod, MinSamplesRequired: minSamples, results: map[string][]timed{}}, nil
}

func (m *MedianStopping) Name() string {
	return fmt.Sprintf("median_stopping(grace_period=%v, min_samples_required=%d)", m.GracePeriod, m.MinSamplesRequired)
}

func (m *MedianStopping) Result(trial string, t, value float64) Decision {
	m.results[trial] = append(m.results[trial], timed{t, m.Mode.score(value)})
	if t < m.GracePeriod {
		return Continue
	}
	var means []float64
	for other, rs := range m.results {
		if other == trial || rs[len(rs)-1].t < t {
			continue // only trials that got this far
		}
		sum, n := 0.0, 0
		for _, r := range rs {
			if r.t <= t {
				sum += r.score
				n++
			}
		}
		means = append(means, sum/float64(n))
	}
	if len(means) < m.MinSamplesRequired {
		return Continue
	}
	sort.Float64s(means)
	median := means[len(means)/2]
	if len(means)%2 == 0 {
		median = (means[len(means)/2-1] + means[len(means)/2]) / 2
	}
	best := math.Inf(-1)
	for _, r := range m.results[trial] {
		best = math.Max(best, r.score)
	}
	if best < median {
		return Stop
	}
	return Continue
}
