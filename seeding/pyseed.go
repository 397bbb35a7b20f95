package seeding

import (
	"crypto/sha512"
	"errors"
	"math"
	"math/big"
)

// SeedBytes seeds like Python's r.seed(b) for bytes (and, UTF-8 encoded,
// for str): the integer of b followed by its SHA-512 digest (version 2).
func (r *Random) SeedBytes(b []byte) {
	sum := sha512.Sum512(b)
	r.SeedBig(new(big.Int).SetBytes(append(append([]byte{}, b...), sum[:]...)))
}

// SeedString is SeedBytes of the string's UTF-8 bytes, as Python does.
func (r *Random) SeedString(s string) { r.SeedBytes([]byte(s)) }

// SeedFloat seeds like Python's r.seed(x) for a float: from hash(x),
// taken as an unsigned 64-bit number. NaN is refused: Python hashes it by
// object identity, so its seed could never be reproduced.
func (r *Random) SeedFloat(x float64) error {
	if math.IsNaN(x) {
		return errors.New("seed: nan hashes differently in every Python run; use an int, a float or a string")
	}
	h := pyHashFloat(x)
	r.SeedBig(new(big.Int).SetUint64(uint64(h)))
	return nil
}

// pyHashFloat is CPython's hash of a finite or infinite float
// (_Py_HashDouble): the value modulo the Mersenne prime 2**61-1, with the
// sign, and -1 mapped to -2.
func pyHashFloat(v float64) int64 {
	const bitsN = 61
	const modulus = uint64(1)<<bitsN - 1
	if math.IsInf(v, 1) {
		return 314159
	}
	if math.IsInf(v, -1) {
		return -314159
	}
	m, e := math.Frexp(v)
	sign := int64(1)
	if m < 0 {
		sign, m = -1, -m
	}
	var x uint64
	for m != 0 {
		x = ((x << 28) & modulus) | x>>(bitsN-28)
		m *= 268435456.0 // 2**28
		e -= 28
		y := uint64(m)
		m -= float64(y)
		x += y
		if x >= modulus {
			x -= modulus
		}
	}
	if e >= 0 {
		e %= bitsN
	} else {
		e = bitsN - 1 - ((-1 - e) % bitsN)
	}
	x = ((x << uint(e)) & modulus) | x>>(bitsN-uint(e))
	h := int64(x) * sign
	if h == -1 {
		h = -2
	}
	return h
}
