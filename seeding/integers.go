package seeding

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// RandBelow returns a uniform integer in [0, n) using CPython's
// _randbelow_with_getrandbits rejection loop, so it consumes the same
// generator output. RandBelow(0) returns 0 without consuming anything.
func (r *Random) RandBelow(n uint64) uint64 {
	if n == 0 {
		return 0
	}
	k := bits.Len64(n)
	v := r.GetRandBits64(k)
	for v >= n {
		v = r.GetRandBits64(k)
	}
	return v
}

// RandBelowBig is RandBelow for arbitrary n. It returns 0 for n <= 0.
func (r *Random) RandBelowBig(n *big.Int) *big.Int {
	if n.Sign() <= 0 {
		return new(big.Int)
	}
	if n.IsUint64() {
		return new(big.Int).SetUint64(r.RandBelow(n.Uint64()))
	}
	k := n.BitLen()
	v := r.GetRandBits(k)
	for v.Cmp(n) >= 0 {
		v = r.GetRandBits(k)
	}
	return v
}

// RandRange returns a random element of range(start, stop, step) like
// Python's randrange(start, stop, step); pass step 1 for the common form.
// Ranges whose width overflows int64 are still handled exactly.
func (r *Random) RandRange(start, stop, step int64) (int64, error) {
	if step == 1 && stop > start {
		// Fast path without big.Int: the width always fits in uint64 and
		// the wrapping addition lands back inside [start, stop).
		return start + int64(r.RandBelow(uint64(stop)-uint64(start))), nil
	}
	v, err := r.RandRangeBig(big.NewInt(start), big.NewInt(stop), big.NewInt(step))
	if err != nil {
		return 0, err
	}
	return v.Int64(), nil // the result lies between start and stop
}

// RandInt returns a random integer in [a, b] like Python's randint(a, b).
func (r *Random) RandInt(a, b int64) (int64, error) {
	if b == math.MaxInt64 { // b+1 would overflow
		v, err := r.RandIntBig(big.NewInt(a), big.NewInt(b))
		if err != nil {
			return 0, err
		}
		return v.Int64(), nil
	}
	return r.RandRange(a, b+1, 1)
}

// RandIntBig is RandInt for arbitrary-size integers, e.g. randint(0, 2**70).
func (r *Random) RandIntBig(a, b *big.Int) (*big.Int, error) {
	stop := new(big.Int).Add(b, big.NewInt(1))
	return r.RandRangeBig(a, stop, big.NewInt(1))
}

// RandRangeBig is RandRange for arbitrary-size integers. A nil step means 1.
func (r *Random) RandRangeBig(start, stop, step *big.Int) (*big.Int, error) {
	if step == nil {
		step = big.NewInt(1)
	}
	width := new(big.Int).Sub(stop, start)
	if step.Cmp(big.NewInt(1)) == 0 {
		if width.Sign() > 0 {
			return width.Add(start, r.randBelowInt(width)), nil
		}
		return nil, fmt.Errorf("empty range for randrange() (%d, %d, %d): start must be less than stop", start, stop, width)
	}
	// Python: n = (width + step - 1) // step, or (width + step + 1) // step
	// for a negative step; both use floor division.
	n := new(big.Int).Add(width, step)
	switch step.Sign() {
	case 1:
		n = floorDiv(n.Sub(n, big.NewInt(1)), step)
	case -1:
		n = floorDiv(n.Add(n, big.NewInt(1)), step)
	default:
		return nil, fmt.Errorf("zero step for randrange() (%d, %d, 0)", start, stop)
	}
	if n.Sign() <= 0 {
		return nil, fmt.Errorf("empty range for randrange() (%d, %d, %d): the step does not lead from start toward stop", start, stop, step)
	}
	v := r.randBelowInt(n)
	return v.Add(start, v.Mul(v, step)), nil
}

// randBelowInt avoids big-integer rejection sampling when n fits in 64 bits.
func (r *Random) randBelowInt(n *big.Int) *big.Int {
	if n.IsUint64() {
		return new(big.Int).SetUint64(r.RandBelow(n.Uint64()))
	}
	return r.RandBelowBig(n)
}

// floorDiv is Python's // on integers.
func floorDiv(a, b *big.Int) *big.Int {
	q, m := new(big.Int).QuoRem(a, b, new(big.Int))
	if m.Sign() != 0 && (m.Sign() < 0) != (b.Sign() < 0) {
		q.Sub(q, big.NewInt(1))
	}
	return q
}

// Uniform returns a + (b-a)*random(), like Python's uniform(a, b).
func (r *Random) Uniform(a, b float64) float64 {
	// The conversion forbids fusing into an FMA, which would change bits.
	return a + float64((b-a)*r.Random())
}
