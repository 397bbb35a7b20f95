package pyformat

import (
	"errors"
	"github.com/machinable-go/machinable/internal/fuzzguard"
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFormat formats an int, a float and a string with any spec:
//   - Parse never panics and gives Width >= 0, Precision >= -1;
//   - every format either fails or fills at least Width runes;
//   - String keeps the (precision-truncated) string, fuzzPadded with the fill
//     only;
//   - Int in base 2, 8, 10 or 16 reads back to the same integer once fill,
//     prefix and grouping are removed;
//   - Float reads back to the same value: exactly for repr (no type, no
//     precision) and for 'e' with precision >= 16 (17 significant digits),
//     within the rounding the precision allows for 'e', 'f', 'g' and '%';
//   - each call ends within a few seconds and stays below 1 GiB of heap
//     (a width or precision of ten million is allowed, as in Python).
func FuzzFormat(f *testing.F) {
	for _, spec := range []string{
		"", "d", "5", "<5", "^7", "*>+10,d", "_", "#x", "#010_b", "08,d", "04,d", "c", "n",
		".4f", ".2e", "g", ".3g", "#.0f", "+.1%", "z.1f", "010,.2f", ",.2f", "_.3e", "=+12.3E",
		"x<12s", "🙂^9.3s", ".0", "r", ".", ".f", "10.2ff", "=5", "+", "99999999999", "010000000,d",
		".99999999f", "\x00<5", "<<<", "0>5d", "%",
	} {
		f.Add(int64(1234567), 1234.5678, "héllo", spec)
	}
	f.Add(int64(-1), -0.0, "", "z,")
	f.Add(int64(math.MinInt64), math.Inf(-1), "x", "+015,d")
	f.Add(int64(0x10ffff), math.NaN(), "\xff\xfe", "c")
	f.Add(int64(255), 5e-324, "abc", "#o")
	f.Add(int64(math.MaxInt64), math.MaxFloat64, "long string", ".17e")
	f.Add(int64(7), 0.1, "a", "_.20g")
	f.Fuzz(func(t *testing.T, i int64, x float64, str, spec string) {
		if len(spec) > 64 || len(str) > 1024 {
			return
		}
		defer fuzzguard.Start()()
		s, perr := Parse(spec)
		if perr == nil && (s.Width < 0 || s.Precision < -1) {
			t.Fatalf("Parse(%q) = %+v: negative width or precision", spec, s)
		}
		if perr == nil && s.Width+max(s.Precision, 0) > 1<<22 {
			// Valid, and Python formats it, but a few megabytes per call
			// would slow the fuzzer to a crawl; TestZeroPaddedGrouping
			// covers a big width.
			return
		}
		fill := ' ' // as pad: the given fill, else '0' for the '0' flag without align
		switch {
		case perr != nil:
		case s.Fill != 0:
			fill = s.Fill
		case s.Zero && s.Align == 0:
			fill = '0'
		}

		out, err := String(str, spec)
		if perr != nil && err == nil {
			t.Fatalf("String(%q, %q) = %q, but Parse refused the spec: %v", str, spec, out, perr)
		}
		if err == nil {
			fuzzCheckWidth(t, "String", out, s)
			want := str
			if s.Precision >= 0 && utf8.RuneCountInString(want) > s.Precision {
				want = string([]rune(want)[:s.Precision])
			}
			if exp := fuzzPadded(want, fill, s.Align, s.Width); out != exp {
				t.Fatalf("String(%q, %q) = %q; want %q", str, spec, out, exp)
			}
		}

		out, err = Int(big.NewInt(i), spec)
		if perr != nil && err == nil {
			t.Fatalf("Int(%d, %q) = %q, but Parse refused the spec: %v", i, spec, out, perr)
		}
		if err == nil {
			fuzzCheckWidth(t, "Int", out, s)
			base := map[byte]int{0: 10, 'd': 10, 'n': 10, 'b': 2, 'o': 8, 'x': 16, 'X': 16}[s.Type]
			if base != 0 && !strings.ContainsRune("0123456789abcdefABCDEFxXoObB+-", fill) {
				digits := strings.ReplaceAll(out, string(fill), "")
				if s.Grouping != 0 {
					digits = strings.ReplaceAll(digits, string(rune(s.Grouping)), "")
				}
				sign := ""
				if len(digits) > 0 && strings.IndexByte("+- ", digits[0]) >= 0 {
					sign, digits = digits[:1], digits[1:]
				}
				if s.Alt && base != 10 {
					digits = digits[min(2, len(digits)):] // 0b, 0o, 0x
				}
				back, ok := new(big.Int).SetString(strings.TrimSpace(sign+digits), base)
				if !ok || back.Int64() != i || !back.IsInt64() {
					t.Fatalf("Int(%d, %q) = %q: reads back as %v (base %d)", i, spec, out, back, base)
				}
			}
		}

		out, err = Float(x, spec)
		if perr != nil && err == nil {
			t.Fatalf("Float(%v, %q) = %q, but Parse refused the spec: %v", x, spec, out, perr)
		}
		if err == nil {
			fuzzCheckWidth(t, "Float", out, s)
			if !strings.ContainsRune("0123456789.eE+-%nNaAiIfF,_", fill) && s.Type != 'n' {
				fuzzCheckFloat(t, x, spec, out, s, fill)
			}
		}
	})
}

// fuzzPadded is Python's layout of a string: fill to the width, on the right
// by default.
func fuzzPadded(x string, fill rune, align byte, width int) string {
	n := width - utf8.RuneCountInString(x)
	if n <= 0 {
		return x
	}
	f := string(fill)
	switch align {
	case '>':
		return strings.Repeat(f, n) + x
	case '^':
		return strings.Repeat(f, n/2) + x + strings.Repeat(f, n-n/2)
	}
	return x + strings.Repeat(f, n)
}

// fuzzCheckWidth: a formatted value fills at least the width.
func fuzzCheckWidth(t *testing.T, what, out string, s Spec) {
	if n := utf8.RuneCountInString(out); n < s.Width {
		t.Fatalf("%s: %q has %d runes, less than the width %d", what, out, n, s.Width)
	}
}

// fuzzCheckFloat reads a formatted float back.
func fuzzCheckFloat(t *testing.T, x float64, spec, out string, s Spec, fill rune) {
	body := strings.TrimSpace(strings.ReplaceAll(out, string(fill), ""))
	if s.Grouping != 0 {
		body = strings.ReplaceAll(body, string(rune(s.Grouping)), "")
	}
	body = strings.TrimPrefix(body, "+")
	want := x
	if s.Type == '%' {
		body = strings.TrimSuffix(body, "%")
		want *= 100
	}
	back, err := strconv.ParseFloat(strings.ToLower(body), 64)
	if errors.Is(err, strconv.ErrRange) && math.Abs(want) > math.MaxFloat64/2 {
		return // rounded up past the largest float: "2e+308", as Python writes it
	}
	if err != nil {
		t.Fatalf("Float(%v, %q) = %q: %q does not read back as a float: %v", x, spec, out, body, err)
	}
	switch {
	case math.IsNaN(want):
		if !math.IsNaN(back) {
			t.Fatalf("Float(NaN, %q) = %q", spec, out)
		}
		return
	case math.IsInf(want, 0):
		if back != want {
			t.Fatalf("Float(%v, %q) = %q", x, spec, out)
		}
		return
	}
	if math.Signbit(back) != math.Signbit(want) && !(s.NoNegZero && back == 0) && !(back == 0 && want == 0 && s.Type == '%') {
		t.Fatalf("Float(%v, %q) = %q: the sign is lost", x, spec, out)
	}
	p := s.Precision
	var tol float64 // the rounding the spec allows
	switch {
	case s.Type == 0 && p < 0: // repr
		tol = 0
	case s.Type == 'e' || s.Type == 'E':
		if p < 0 {
			p = 6
		}
		tol = math.Abs(want) * math.Pow(10, -float64(p))
		if p >= 16 {
			tol = 0
		}
	case s.Type == 'f' || s.Type == 'F' || s.Type == '%':
		if p < 0 {
			p = 6
		}
		tol = math.Pow(10, -float64(p)) + math.Abs(want)*1e-15
	default: // g, G, no type with a precision
		if p < 0 {
			p = 6
		}
		tol = math.Abs(want) * math.Pow(10, -float64(max(p, 1)-1))
		if p >= 17 {
			tol = 0
		}
	}
	if diff := math.Abs(back - want); diff > tol && !(math.IsInf(diff, 0) && math.IsInf(want*100, 0)) {
		t.Fatalf("Float(%v, %q) = %q reads back as %v, off by %g (allowed %g)", x, spec, out, back, diff, tol)
	}
}
