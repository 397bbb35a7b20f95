//go:build cgo && !seeding_purego

package seeding

// CPython's gauss() calls the C library's log, sin and cos, whose last bit
// is implementation specific (glibc is not always correctly rounded). With
// cgo we call the very same functions, so Gauss matches the local python3
// bit for bit.

/*
#cgo LDFLAGS: -lm
#include <math.h>
*/
import "C"

// libmUsesC reports whether the C library is used; tests log it.
const libmUsesC = true

func libmLog(x float64) float64 { return float64(C.log(C.double(x))) }

func libmSinCos(x float64) (sin, cos float64) {
	return float64(C.sin(C.double(x))), float64(C.cos(C.double(x)))
}
