package web

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
)

// Few points are placed exactly; a curve without a point at some x has
// a gap there.
func TestUIAlignExact(t *testing.T) {
	a := align([]curve{{X: []float64{0, 1, 2}, Y: []float64{5, 6, 7}}, {X: []float64{1, 3}, Y: []float64{8, math.NaN()}}}, 10)
	if a.Downsampled || !slices.Equal(a.X, []float64{0, 1, 2}) {
		t.Fatalf("x %v (downsampled %v), want 0 1 2: a NaN value adds no x", a.X, a.Downsampled)
	}
	b, _ := json.Marshal(a.Y)
	if string(b) != "[[5,6,7],[null,8,null]]" {
		t.Fatalf("y %s", b)
	}
}

// Many points are cut to about max per curve, and each bucket keeps the
// curve's extremes: a one-point spike survives.
func TestUIAlignDownsamples(t *testing.T) {
	const n = 100000
	var cs []curve
	for k := 0; k < 3; k++ {
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], y[i] = float64(i), math.Sin(float64(i)/1000)+float64(k)
		}
		y[n/2+k] = 100 // a spike
		cs = append(cs, curve{x, y})
	}
	a := align(cs, 2000)
	if !a.Downsampled || len(a.X) > 2000 || len(a.X) < 1900 {
		t.Fatalf("%d x positions (downsampled %v), want about 2000", len(a.X), a.Downsampled)
	}
	if !slices.IsSorted(a.X) || a.X[0] != 0 || a.X[len(a.X)-1] != n-1 {
		t.Fatalf("x from %v to %v, want 0 to %d ascending", a.X[0], a.X[len(a.X)-1], n-1)
	}
	for k, y := range a.Y {
		if len(y) != len(a.X) || slices.Max(y) != 100 {
			t.Errorf("curve %d: %d points, max %v: want the spike kept", k, len(y), slices.Max(y))
		}
		lo := math.Inf(1)
		for _, v := range y {
			lo = math.Min(lo, v)
		}
		if math.Abs(lo-(float64(k)-1)) > 1e-3 {
			t.Errorf("curve %d: lowest %v, want about %v", k, lo, float64(k)-1)
		}
	}
}
