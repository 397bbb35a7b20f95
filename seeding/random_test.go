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
