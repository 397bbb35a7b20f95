package storage

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAppendMicros: the fast path for timestamps writes what strconv's
// shortest formatting writes, for whole microseconds across the range it
// takes, and leaves every other float to it.
func TestAppendMicros(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(x float64) {
		t.Helper()
		if got, want := string(appendFloat(nil, x)), string(appendFloatAny(nil, x)); got != want {
			t.Fatalf("%v: fast %s, strconv %s", x, got, want)
		}
	}
	for _, us := range []int64{1e6, 1e6 + 1, 1e6 + 10, 1234567890000000, 1234567890000001, 1764480000123456, 1764480000100000, 1<<32*1e6 - 1} {
		check(float64(us) / 1e6)
	}
	fast := 0
	for range 1_000_000 {
		us := 1e6 + r.Int64N(1<<32*1e6-1e6)
		if r.IntN(4) == 0 { // today's timestamps
			us = 1_700_000_000_000_000 + r.Int64N(1e15)
		}
		x := float64(us) / 1e6
		if _, ok := appendMicros(nil, x); ok {
			fast++
		}
		if got, want := string(AppendJSONMicros(nil, us)), string(appendFloatAny(nil, x)); got != want {
			t.Fatalf("AppendJSONMicros(%d): %s, strconv %s", us, got, want)
		}
		check(x)
		check(math.Nextafter(x, 2*x)) // no whole microsecond: strconv writes it
		check(r.Float64() * math.Pow(10, float64(r.IntN(40)-20)))
	}
	if fast < 1_000_000 {
		t.Errorf("the fast path took %d of 1000000 whole microseconds", fast)
	}
	for _, x := range []float64{0, 0.5, 1 << 32, 1e21, -1.5, 1e-7, 0.1, 2.0} {
		check(x)
	}
}
