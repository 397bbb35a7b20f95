package seeding

import "math"

// Pure-Go log, sin and cos for builds without cgo (see libm_purego.go).
// CPython calls the C library for these, and Go's math package differs
// from glibc in the last bit for up to a quarter of gauss()'s inputs. We
// instead compute in double-double precision and round once: the result is
// correctly rounded, which equals glibc's except in the rare cases (about
// 0.1% of calls) where glibc itself is off by one ulp.

var (
	ln2DD = dd{0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56}
	// pi/2 as a three-term expansion (about 160 bits) for range reduction.
	pio2a = 0x1.921fb54442d18p+0
	pio2b = 0x1.1a62633145c07p-54
	pio2c = -0x1.f1976b7ed8fbcp-110
)

const (
	atanhTerms = 24 // |s| <= 0.1716: s^(2*24) is far below 2^-106
	taylorN    = 16 // |r| <= pi/4: r^32/32! is far below 2^-106
)

var (
	atanhCoef [atanhTerms + 1]dd // 1/(2n+1)
	sinCoef   [taylorN + 1]dd    // (-1)^n/(2n+1)!
	cosCoef   [taylorN + 1]dd    // (-1)^n/(2n)!
)

func init() {
	one := dd{1, 0}
	for n := range atanhCoef {
		atanhCoef[n] = ddDiv(one, dd{float64(2*n + 1), 0})
	}
	s, c := one, one
	for n := 0; n <= taylorN; n++ {
		if n > 0 {
			s = ddDiv(s, dd{-float64((2 * n) * (2*n + 1)), 0})
			c = ddDiv(c, dd{-float64((2*n - 1) * (2 * n)), 0})
		}
		sinCoef[n], cosCoef[n] = s, c
	}
}

// crLog returns log(x) correctly rounded (as glibc does in practice).
func crLog(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return x
	case x == 1:
		return 0
	}
	m, e := math.Frexp(x)
	if m < math.Sqrt2/2 {
		m *= 2
		e--
	}
	// log(m) = 2*atanh(s) with s = (m-1)/(m+1); m-1 is exact.
	den1, den2 := twoSum(m, 1)
	s := ddDiv(dd{m - 1, 0}, dd{den1, den2})
	s2 := ddMul(s, s)
	t := atanhCoef[atanhTerms]
	for n := atanhTerms - 1; n >= 0; n-- {
		t = ddAdd(ddMul(t, s2), atanhCoef[n])
	}
	r := ddMulF(ddMul(s, t), 2)
	r = ddAdd(r, ddMulF(ln2DD, float64(e)))
	return r.hi + r.lo
}

// reducePio2 returns r = x - k*pi/2 in double-double and k mod 4. It is
// accurate for |x| < 2^30, far beyond the [0, 2*pi) that gauss needs.
func reducePio2(x float64) (dd, int) {
	k := math.RoundToEven(x / pio2a)
	p, pe := twoProd(k, pio2a)
	r := ddAdd(dd{x, 0}, dd{-p, -pe})
	q, qe := twoProd(k, pio2b)
	r = ddAdd(r, dd{-q, -qe})
	r = ddAdd(r, dd{-k * pio2c, 0})
	return r, int(int64(k) & 3)
}

func ddSinKernel(r, r2 dd) dd {
	t := sinCoef[taylorN]
	for n := taylorN - 1; n >= 0; n-- {
		t = ddAdd(ddMul(t, r2), sinCoef[n])
	}
	return ddMul(t, r)
}

func ddCosKernel(r2 dd) dd {
	t := cosCoef[taylorN]
	for n := taylorN - 1; n >= 0; n-- {
		t = ddAdd(ddMul(t, r2), cosCoef[n])
	}
	return t
}

// crSinCos returns sin(x) and cos(x), each correctly rounded, for
// |x| < 2^30. Outside that range it falls back to Go's math.
func crSinCos(x float64) (sin, cos float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1<<30 {
		return math.Sincos(x)
	}
	if x == 0 {
		return x, 1
	}
	r, q := reducePio2(x)
	r2 := ddMul(r, r)
	s := ddSinKernel(r, r2)
	c := ddCosKernel(r2)
	switch q {
	case 1:
		s, c = c, ddNeg(s)
	case 2:
		s, c = ddNeg(s), ddNeg(c)
	case 3:
		s, c = ddNeg(c), s
	}
	return s.hi + s.lo, c.hi + c.lo
}
