package seeding

import (
	"errors"
	"math"
)

// Errors returned by the sequence methods; messages follow CPython's.
var (
	ErrEmptySequence   = errors.New("cannot choose from an empty sequence")
	ErrSampleSize      = errors.New("sample larger than population or is negative")
	ErrEmptyPopulation = errors.New("cannot choose from an empty population")
	ErrBothWeights     = errors.New("cannot specify both weights and cumulative weights")
	ErrWeightsLength   = errors.New("the number of weights does not match the population")
	ErrWeightsTotal    = errors.New("total of weights must be greater than zero")
	ErrWeightsFinite   = errors.New("total of weights must be finite")
)

// Choice returns an index in [0, n) like Python's choice(seq) with
// len(seq) == n; index the sequence with the result.
func (r *Random) Choice(n int) (int, error) {
	if n <= 0 {
		return 0, ErrEmptySequence
	}
	return int(r.RandBelow(uint64(n))), nil
}

// Shuffle permutes a sequence of length n in place like Python's
// shuffle(x): swap(i, j) must exchange elements i and j.
func (r *Random) Shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i >= 1; i-- {
		j := int(r.RandBelow(uint64(i + 1)))
		swap(i, j)
	}
}

// Sample returns k distinct indices into a population of size n, in
// selection order, exactly as Python's sample(range(n), k).
func (r *Random) Sample(n, k int) ([]int, error) {
	if k < 0 || k > n {
		return nil, ErrSampleSize
	}
	result := make([]int, k)
	if n <= r.sampleSetSize(k) {
		// Pool method: non-selected items are kept in pool[:n-i].
		pool := make([]int, n)
		for i := range pool {
			pool[i] = i
		}
		for i := range k {
			j := int(r.RandBelow(uint64(n - i)))
			result[i] = pool[j]
			pool[j] = pool[n-i-1]
		}
		return result, nil
	}
	// Set method: redraw until an unselected index comes up.
	selected := make(map[int]struct{}, k)
	for i := range k {
		j := int(r.RandBelow(uint64(n)))
		for _, dup := selected[j]; dup; _, dup = selected[j] {
			j = int(r.RandBelow(uint64(n)))
		}
		selected[j] = struct{}{}
		result[i] = j
	}
	return result, nil
}

// sampleSetSize is CPython's memory heuristic that picks the algorithm:
// 21, plus 4**ceil(log(3k, 4)) when k > 5. The float log must be the
// same libm computation as CPython's, since it decides the branch.
func (r *Random) sampleSetSize(k int) int {
	setsize := 21
	if k > 5 {
		e := math.Ceil(libmLog(float64(k*3)) / libmLog(4))
		if e >= 31 { // 4**e exceeds any int population size
			return math.MaxInt
		}
		setsize += 1 << (2 * int(e))
	}
	return setsize
}

// Choices returns k indices drawn with replacement from a population of
// size n, like Python's choices(population, weights, cum_weights=..., k=k).
// Pass nil for weights or cumWeights that are not given. As in Python, a
// negative k yields an empty result.
func (r *Random) Choices(n int, weights, cumWeights []float64, k int) ([]int, error) {
	k = max(k, 0)
	result := make([]int, k)
	if weights == nil && cumWeights == nil {
		if n <= 0 && k > 0 {
			// CPython draws once before population[0] raises IndexError;
			// drawing too keeps the stream in step with Python's.
			r.Random()
			return nil, ErrEmptyPopulation
		}
		fn := float64(n)
		for i := range result {
			result[i] = int(math.Floor(r.Random() * fn))
		}
		return result, nil
	}
	if weights != nil && cumWeights != nil {
		return nil, ErrBothWeights
	}
	if weights != nil {
		// itertools.accumulate: left-to-right float sums.
		cumWeights = make([]float64, len(weights))
		var sum float64
		for i, w := range weights {
			sum += w
			cumWeights[i] = sum
		}
	}
	if len(cumWeights) != n {
		return nil, ErrWeightsLength
	}
	if n == 0 {
		return nil, ErrEmptyPopulation
	}
	total := cumWeights[n-1]
	if total <= 0 {
		return nil, ErrWeightsTotal
	}
	if math.IsInf(total, 0) || math.IsNaN(total) {
		return nil, ErrWeightsFinite
	}
	for i := range result {
		result[i] = bisectRight(cumWeights, r.Random()*total, n-1)
	}
	return result, nil
}

// bisectRight is Python's bisect.bisect_right(a, x, 0, hi).
func bisectRight(a []float64, x float64, hi int) int {
	lo := 0
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if x < a[mid] {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
