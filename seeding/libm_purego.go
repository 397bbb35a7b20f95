//go:build !cgo || seeding_purego

package seeding

// Without cgo we cannot reach the C library CPython uses, so fall back to
// correctly rounded implementations (see correctround.go).

// libmUsesC reports whether the C library is used; tests log it.
const libmUsesC = false

func libmLog(x float64) float64 { return crLog(x) }

func libmSinCos(x float64) (sin, cos float64) { return crSinCos(x) }
