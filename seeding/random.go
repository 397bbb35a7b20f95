package seeding

import (
	"math/big"
	"math/bits"
)

// Random is CPython's random.Random: the same seed yields the same stream
// of values from every method as in Python 3.11. The zero value is not
// usable; construct one with New or NewBig.
type Random struct {
	mt mt
	// gaussNext caches the second value of the Box–Muller pair, like
	// Python's self.gauss_next.
	gaussNext    float64
	hasGaussNext bool
}

// New returns a Random seeded like Python's random.Random(seed).
func New(seed int64) *Random {
	r := &Random{}
	r.Seed(seed)
	return r
}

// NewBig returns a Random seeded like random.Random(seed) for an arbitrary
// Python int. A nil seed is treated as 0.
func NewBig(seed *big.Int) *Random {
	r := &Random{}
	r.SeedBig(seed)
	return r
}

// Seed resets the generator like Python's r.seed(seed), including clearing
// the gauss cache. Python seeds from abs(seed), so -5 and 5 are the same.
func (r *Random) Seed(seed int64) {
	// Two's-complement negation is correct for math.MinInt64 as uint64.
	u := uint64(seed)
	if seed < 0 {
		u = -u
	}
	if u>>32 == 0 {
		r.seedKey([]uint32{uint32(u)})
	} else {
		r.seedKey([]uint32{uint32(u), uint32(u >> 32)})
	}
}

// SeedBig is Seed for an arbitrary-size integer. A nil seed is treated as 0.
func (r *Random) SeedBig(seed *big.Int) {
	if seed == nil || seed.Sign() == 0 {
		r.seedKey([]uint32{0})
		return
	}
	// CPython splits abs(seed) into 32-bit words, least significant first.
	words := seed.Bits() // magnitude, little-endian big.Words
	key := make([]uint32, 0, len(words)*(bits.UintSize/32))
	for _, w := range words {
		for s := 0; s < bits.UintSize; s += 32 {
			key = append(key, uint32(uint64(w)>>s))
		}
	}
	for len(key) > 1 && key[len(key)-1] == 0 {
		key = key[:len(key)-1]
	}
	r.seedKey(key)
}

func (r *Random) seedKey(key []uint32) {
	r.mt.initByArray(key)
	r.hasGaussNext = false
	r.gaussNext = 0
}

// Uint32 returns the next raw 32-bit output (CPython's genrand_uint32).
func (r *Random) Uint32() uint32 { return r.mt.next() }

// Random returns a float64 in [0, 1) with 53 random bits, exactly like
// Python's random().
func (r *Random) Random() float64 {
	a := r.mt.next() >> 5
	b := r.mt.next() >> 6
	return (float64(a)*67108864.0 + float64(b)) * (1.0 / 9007199254740992.0)
}

// GetRandBits64 returns getrandbits(k) for 0 <= k <= 64. It panics for k
// outside that range.
func (r *Random) GetRandBits64(k int) uint64 {
	switch {
	case k < 0 || k > 64:
		panic("seeding: GetRandBits64 requires 0 <= k <= 64")
	case k == 0:
		return 0 // CPython returns 0 without consuming output
	case k <= 32:
		return uint64(r.mt.next() >> (32 - k))
	}
	lo := uint64(r.mt.next())
	hi := uint64(r.mt.next() >> (64 - k))
	return hi<<32 | lo
}

// GetRandBits returns a non-negative integer with k random bits, like
// Python's getrandbits(k). It panics if k < 0.
func (r *Random) GetRandBits(k int) *big.Int {
	if k < 0 {
		panic("seeding: GetRandBits requires k >= 0")
	}
	if k <= 64 {
		return new(big.Int).SetUint64(r.GetRandBits64(k))
	}
	// Fill 32-bit words least significant first; the last word keeps only
	// its top bits, as CPython does.
	nwords := (k-1)/32 + 1
	buf := make([]byte, nwords*4)
	for i := 0; i < nwords; i, k = i+1, k-32 {
		w := r.mt.next()
		if k < 32 {
			w >>= 32 - k
		}
		pos := len(buf) - 4*(i+1) // big-endian byte order for SetBytes
		buf[pos] = byte(w >> 24)
		buf[pos+1] = byte(w >> 16)
		buf[pos+2] = byte(w >> 8)
		buf[pos+3] = byte(w)
	}
	return new(big.Int).SetBytes(buf)
}
