package seeding

import "math"

const (
	twoPi = 2.0 * math.Pi
	// nvMagicConst is CPython's NV_MAGICCONST = 4*exp(-0.5)/sqrt(2.0) as
	// evaluated by glibc; spelled in hex so no libm call can alter it.
	nvMagicConst = 0x1.b72cd3f331398p+0
)

// Gauss returns a normal variate like Python's gauss(mu, sigma): a
// Box–Muller pair is drawn from two random() calls and the second value is
// cached for the next call. Seed and SeedBig clear the cache.
func (r *Random) Gauss(mu, sigma float64) float64 {
	z := r.gaussNext
	if r.hasGaussNext {
		r.hasGaussNext = false
		r.gaussNext = 0
	} else {
		x2pi := r.Random() * twoPi
		g2rad := math.Sqrt(-2.0 * libmLog(1.0-r.Random()))
		sin, cos := libmSinCos(x2pi)
		z = cos * g2rad
		r.gaussNext = sin * g2rad
		r.hasGaussNext = true
	}
	return mu + float64(z*sigma) // no FMA: Python rounds the product
}

// NormalVariate returns a normal variate like Python's
// normalvariate(mu, sigma), using the Kinderman–Monahan ratio method.
func (r *Random) NormalVariate(mu, sigma float64) float64 {
	var z float64
	for {
		u1 := r.Random()
		u2 := 1.0 - r.Random()
		z = nvMagicConst * (u1 - 0.5) / u2
		zz := z * z / 4.0
		if zz <= -libmLog(u2) {
			break
		}
	}
	return mu + float64(z*sigma)
}
