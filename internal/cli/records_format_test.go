package cli

import (
	"math"
	"testing"
)

// TestFormatValueFloats: table and CSV cells show floats as Python's
// repr does (what 2.x printed), whole ones with ".0", a Unix timestamp
// without an exponent.
func TestFormatValueFloats(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{0.1, "0.1"}, {2, "2.0"}, {-3.5, "-3.5"}, {1796008121.208551, "1796008121.208551"},
		{1e-05, "1e-05"}, {1e17, "1e+17"}, {123456.0, "123456.0"}, {math.Inf(1), "+Inf"},
	} {
		if got := formatValue(c.in); got != c.want {
			t.Errorf("formatValue(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
