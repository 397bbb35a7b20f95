package seeding

import "math"

// Double-double arithmetic: a value is the unevaluated sum hi+lo with
// |lo| <= ulp(hi)/2, giving about 106 bits of precision. It is used only to
// compute correctly rounded log/sin/cos (see libm.go). Products are formed
// with math.FMA and sums with error-free transformations, so no step
// depends on whether the compiler fuses operations.
type dd struct{ hi, lo float64 }

// twoSum returns s, e with s = fl(a+b) and s+e = a+b exactly.
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

// quickTwoSum is twoSum for |a| >= |b|.
func quickTwoSum(a, b float64) (s, e float64) {
	s = a + b
	e = b - (s - a)
	return s, e
}

// twoProd returns p, e with p = fl(a*b) and p+e = a*b exactly.
func twoProd(a, b float64) (p, e float64) {
	p = a * b
	e = math.FMA(a, b, -p)
	return p, e
}

func ddAdd(a, b dd) dd {
	s, e := twoSum(a.hi, b.hi)
	t, f := twoSum(a.lo, b.lo)
	e += t
	s, e = quickTwoSum(s, e)
	e += f
	s, e = quickTwoSum(s, e)
	return dd{s, e}
}

func ddNeg(a dd) dd { return dd{-a.hi, -a.lo} }

func ddMul(a, b dd) dd {
	p, e := twoProd(a.hi, b.hi)
	e = math.FMA(a.hi, b.lo, e)
	e = math.FMA(a.lo, b.hi, e)
	p, e = quickTwoSum(p, e)
	return dd{p, e}
}

func ddMulF(a dd, b float64) dd {
	p, e := twoProd(a.hi, b)
	e = math.FMA(a.lo, b, e)
	p, e = quickTwoSum(p, e)
	return dd{p, e}
}

// ddDiv uses three correction steps of long division, enough for full
// double-double precision.
func ddDiv(a, b dd) dd {
	q1 := a.hi / b.hi
	r := ddAdd(a, ddNeg(ddMulF(b, q1)))
	q2 := r.hi / b.hi
	r = ddAdd(r, ddNeg(ddMulF(b, q2)))
	q3 := r.hi / b.hi
	s, e := quickTwoSum(q1, q2)
	return ddAdd(dd{s, e}, dd{q3, 0})
}
