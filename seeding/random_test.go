package seeding

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
)

func TestSeedAbsAndBig(t *testing.T) {
	minBig := new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 63))
	cases := []struct {
		a, b *Random
		name string
	}{
		{New(-5), New(5), "-5 vs 5"},
		{New(0), NewBig(nil), "0 vs nil"},
		{New(1 << 40), NewBig(big.NewInt(1 << 40)), "2**40"},
		{New(math.MinInt64), NewBig(minBig), "MinInt64"},
	}
	for _, c := range cases {
		for i := range 10 {
			if x, y := c.a.Uint32(), c.b.Uint32(); x != y {
				t.Fatalf("%s: output %d differs: %d != %d", c.name, i, x, y)
			}
		}
	}
}

func TestSeedClearsGaussCache(t *testing.T) {
	r := New(7)
	first := r.Gauss(0, 1)
	r.Gauss(0, 1) // consumes the cached value
	r.Gauss(0, 1) // leaves a cached value behind
	r.Seed(7)
	if got := r.Gauss(0, 1); got != first {
		t.Fatalf("after Seed, Gauss = %v, want %v", got, first)
	}
}

func TestRandomRange(t *testing.T) {
	r := New(3)
	for range 10000 {
		if x := r.Random(); x < 0 || x >= 1 {
			t.Fatalf("Random() = %v outside [0, 1)", x)
		}
	}
}

func TestGetRandBitsPanics(t *testing.T) {
	for _, f := range []func(){
		func() { New(1).GetRandBits(-1) },
		func() { New(1).GetRandBits64(65) },
		func() { New(1).GetRandBits64(-1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("expected a panic")
				}
			}()
			f()
		}()
	}
}

func TestRandBelowZero(t *testing.T) {
	r, ref := New(1), New(1)
	if r.RandBelow(0) != 0 || r.RandBelowBig(big.NewInt(0)).Sign() != 0 {
		t.Fatal("RandBelow(0) != 0")
	}
	if r.Uint32() != ref.Uint32() {
		t.Fatal("RandBelow(0) consumed generator output")
	}
}

func TestRangeErrors(t *testing.T) {
	r := New(1)
	for _, c := range []struct {
		start, stop, step int64
		want              string
	}{
		{5, 5, 1, "empty range for randrange() (5, 5, 0)"},
		{5, 0, 1, "empty range for randrange() (5, 0, -5)"},
		{0, 10, -1, "empty range for randrange() (0, 10, -1)"},
		{10, 0, 2, "empty range for randrange() (10, 0, 2)"},
		{0, 10, 0, "zero step for randrange()"},
	} {
		_, err := r.RandRange(c.start, c.stop, c.step)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("RandRange(%d, %d, %d) error = %v, want prefix %q", c.start, c.stop, c.step, err, c.want)
		}
	}
	if _, err := r.RandInt(3, 2); err == nil {
		t.Error("RandInt(3, 2) succeeded")
	}
	if _, err := r.RandIntBig(big.NewInt(3), big.NewInt(2)); err == nil {
		t.Error("RandIntBig(3, 2) succeeded")
	}
	// The widest int64 ranges must work, not overflow.
	if _, err := r.RandInt(math.MinInt64, math.MaxInt64); err != nil {
		t.Error(err)
	}
	if _, err := r.RandRange(math.MaxInt64, math.MinInt64, -1); err != nil {
		t.Error(err)
	}
}

func TestSequenceErrors(t *testing.T) {
	r := New(1)
	if _, err := r.Choice(0); !errors.Is(err, ErrEmptySequence) {
		t.Errorf("Choice(0) error = %v", err)
	}
	for _, c := range [][2]int{{5, 6}, {5, -1}, {-1, 0}} {
		if _, err := r.Sample(c[0], c[1]); !errors.Is(err, ErrSampleSize) {
			t.Errorf("Sample(%d, %d) error = %v", c[0], c[1], err)
		}
	}
	inf := math.Inf(1)
	for _, c := range []struct {
		n        int
		w, cw    []float64
		k        int
		expected error
	}{
		{0, nil, nil, 1, ErrEmptyPopulation},
		{2, []float64{1, 2}, []float64{1, 3}, 1, ErrBothWeights},
		{3, []float64{1, 2}, nil, 1, ErrWeightsLength},
		{2, nil, []float64{1}, 1, ErrWeightsLength},
		{0, []float64{}, nil, 1, ErrEmptyPopulation},
		{2, []float64{0, 0}, nil, 1, ErrWeightsTotal},
		{2, []float64{1, -3}, nil, 1, ErrWeightsTotal},
		{2, []float64{1, inf}, nil, 1, ErrWeightsFinite},
		{2, []float64{1, math.NaN()}, nil, 1, ErrWeightsFinite},
	} {
		if _, err := r.Choices(c.n, c.w, c.cw, c.k); !errors.Is(err, c.expected) {
			t.Errorf("Choices(%d, %v, %v, %d) error = %v, want %v", c.n, c.w, c.cw, c.k, err, c.expected)
		}
	}
	if got, err := r.Choices(3, nil, nil, -2); err != nil || len(got) != 0 {
		t.Errorf("Choices with k < 0 = %v, %v; want empty like Python", got, err)
	}
}

func TestSampleSetSize(t *testing.T) {
	// Python: 21, plus 4**ceil(log(3k, 4)) when k > 5.
	r := New(0)
	for k, want := range map[int]int{0: 21, 5: 21, 6: 21 + 64, 21: 21 + 64, 22: 21 + 256, 1000: 21 + 4096} {
		if got := r.sampleSetSize(k); got != want {
			t.Errorf("sampleSetSize(%d) = %d, want %d", k, got, want)
		}
	}
}

// TestSeedPythonTypes: str, bytes and float seeds give what Python 3.11's
// random.Random(a) gives (vectors from python3: random(), getrandbits(64)).
func TestSeedPythonTypes(t *testing.T) {
	for _, tc := range []struct {
		seed  func(r *Random) error
		name  string
		first float64
		bits  uint64
	}{
		{func(r *Random) error { r.SeedString("abc"); return nil }, "'abc'", 0.7720246314157545, 8489244102664399922},
		{func(r *Random) error { r.SeedString(""); return nil }, "''", 0.9602256525641875, 3816387820137540352},
		{func(r *Random) error { r.SeedString("héllo"); return nil }, "'héllo'", 0.013203794245314593, 2112024118126430450},
		{func(r *Random) error { r.SeedBytes([]byte("abc")); return nil }, "b'abc'", 0.7720246314157545, 8489244102664399922},
		{func(r *Random) error { return r.SeedFloat(1.5) }, "1.5", 0.551763726942059, 2683050553194271000},
		{func(r *Random) error { return r.SeedFloat(-2.5) }, "-2.5", 0.4779490710306722, 8761820181271917178},
		{func(r *Random) error { return r.SeedFloat(0.1) }, "0.1", 0.8062579873336703, 17769747410435166397},
		{func(r *Random) error { return r.SeedFloat(1e300) }, "1e300", 0.2614143642581235, 12936516245453861979},
		{func(r *Random) error { return r.SeedFloat(math.Inf(1)) }, "inf", 0.19236379321481523, 1820410804330987991},
		{func(r *Random) error { return r.SeedFloat(math.Copysign(0, -1)) }, "-0.0", 0.8444218515250481, 16422101724900707500},
		{func(r *Random) error { return r.SeedFloat(3.0) }, "3.0", 0.23796462709189137, 2405875930906139466},
	} {
		r := New(0)
		if err := tc.seed(r); err != nil {
			t.Fatal(err)
		}
		if got, bits := r.Random(), r.GetRandBits(64); got != tc.first || bits.Uint64() != tc.bits {
			t.Errorf("seed %s: random() %v getrandbits(64) %v; Python: %v %v", tc.name, got, bits, tc.first, tc.bits)
		}
	}
	if err := New(0).SeedFloat(math.NaN()); err == nil {
		t.Error("nan should be refused")
	}
}
