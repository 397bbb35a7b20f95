package web

import (
	"math"
	"slices"
	"strconv"
)

// maxPoints is about how many x positions a chart gets: enough for a
// screen's width, few enough that 100 curves draw at once.
const maxPoints = 2000

// curve is one series: x ascending or not, y the same length.
type curve struct {
	X, Y []float64
}

// points encodes floats as a JSON array, NaN as null (a gap), so a chart
// of many series on one x axis stays one compact array per series. Seven
// significant digits are more than a chart can show and halve the bytes
// of 100 curves (the tables get the values as they are).
type points []float64

func (p points) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(p)*10)
	b = append(b, '[')
	for i, f := range p {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, f, 'g', 7, 64)
		}
	}
	return append(b, ']'), nil
}

// aligned puts curves on one x axis, as uPlot draws them: X ascending,
// Y[i][j] the value of curve i at X[j] or NaN. With more than max
// distinct x values it downsamples: the x range is cut into max/2
// buckets and each curve keeps its lowest and highest value in each (in
// the order they came), at the bucket's first and last x, so spikes and
// the envelope survive. Downsampled says whether it did.
type aligned struct {
	X           []float64 `json:"x"` // exact: x positions must stay distinct
	Y           []points  `json:"y"`
	Downsampled bool      `json:"downsampled"`
}

func align(cs []curve, max int) aligned {
	var xs []float64
	for _, c := range cs {
		for i, x := range c.X {
			if !math.IsNaN(x) && !math.IsNaN(c.Y[i]) {
				xs = append(xs, x)
			}
		}
	}
	slices.Sort(xs)
	xs = slices.Compact(xs)
	if len(xs) <= max {
		return exact(cs, xs)
	}
	return buckets(cs, xs, max/2)
}

// exact places every point at its own x.
func exact(cs []curve, xs []float64) aligned {
	out := aligned{X: xs, Y: make([]points, len(cs))}
	for i, c := range cs {
		y := nans(len(xs))
		for j, x := range c.X {
			if math.IsNaN(x) || math.IsNaN(c.Y[j]) {
				continue
			}
			k, _ := slices.BinarySearch(xs, x)
			y[k] = c.Y[j]
		}
		out.Y[i] = y
	}
	return out
}

// buckets keeps the lowest and highest value of each curve per bucket.
func buckets(cs []curve, xs []float64, n int) aligned {
	lo, hi := xs[0], xs[len(xs)-1]
	width := (hi - lo) / float64(n)
	bucket := func(x float64) int {
		b := int((x - lo) / width)
		return min(max(b, 0), n-1)
	}
	// The slots of a bucket: its first and last distinct x (one slot
	// when it has one x); empty buckets have none.
	first, last := make([]float64, n), make([]float64, n)
	has := make([]bool, n)
	for _, x := range xs {
		b := bucket(x)
		if !has[b] {
			first[b], has[b] = x, true
		}
		last[b] = x
	}
	slot := make([]int, n) // index of the bucket's first slot in X
	var out aligned
	out.Downsampled = true
	for b := 0; b < n; b++ {
		if !has[b] {
			continue
		}
		slot[b] = len(out.X)
		out.X = append(out.X, first[b])
		if last[b] != first[b] {
			out.X = append(out.X, last[b])
		}
	}
	for _, c := range cs {
		y := nans(len(out.X))
		// per bucket: lowest and highest value and where they came
		lowV, highV := nans(n), nans(n)
		lowAt, highAt := make([]int, n), make([]int, n)
		for j, x := range c.X {
			v := c.Y[j]
			if math.IsNaN(x) || math.IsNaN(v) {
				continue
			}
			b := bucket(x)
			if math.IsNaN(lowV[b]) || v < lowV[b] {
				lowV[b], lowAt[b] = v, j
			}
			if math.IsNaN(highV[b]) || v > highV[b] {
				highV[b], highAt[b] = v, j
			}
		}
		for b := 0; b < n; b++ {
			if math.IsNaN(lowV[b]) {
				continue
			}
			two := last[b] != first[b]
			switch {
			case !two:
				y[slot[b]] = highV[b]
				if lowAt[b] > highAt[b] {
					y[slot[b]] = lowV[b]
				}
			case lowAt[b] <= highAt[b]:
				y[slot[b]], y[slot[b]+1] = lowV[b], highV[b]
			default:
				y[slot[b]], y[slot[b]+1] = highV[b], lowV[b]
			}
		}
		out.Y = append(out.Y, y)
	}
	return out
}

func nans(n int) points {
	p := make(points, n)
	for i := range p {
		p[i] = math.NaN()
	}
	return p
}
