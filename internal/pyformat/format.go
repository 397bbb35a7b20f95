package pyformat

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Int formats an integer as format(int, spec) does in Python; float
// types (e, f, g, %, ...) format it as a float.
func Int(x *big.Int, spec string) (string, error) {
	s, err := Parse(spec)
	if err != nil {
		return "", err
	}
	switch s.Type {
	case 'e', 'E', 'f', 'F', 'g', 'G', '%':
		f, _ := new(big.Float).SetInt(x).Float64()
		return formatFloat(f, s, "int")
	case 0, 'd', 'n', 'b', 'o', 'x', 'X', 'c':
	default:
		return "", fmt.Errorf("unknown format code '%c' for an int", s.Type)
	}
	if s.Precision >= 0 {
		return "", fmt.Errorf("format spec %q: precision not allowed for an int", spec)
	}
	if s.Type == 'c' {
		if s.Sign != 0 || s.Alt || s.Grouping != 0 {
			return "", fmt.Errorf("format spec %q: sign, '#' and grouping not allowed with 'c'", spec)
		}
		if !x.IsInt64() || x.Int64() < 0 || x.Int64() > utf8.MaxRune {
			return "", fmt.Errorf("format: %%c arg not in range(0x110000)")
		}
		return s.pad("", "", string(rune(x.Int64())), '<'), nil
	}
	base, prefix, every := 10, "", 3
	switch s.Type {
	case 'b':
		base, prefix, every = 2, "0b", 4
	case 'o':
		base, prefix, every = 8, "0o", 4
	case 'x', 'X':
		base, prefix, every = 16, "0x", 4
	}
	if s.Grouping == ',' && base != 10 {
		return "", fmt.Errorf("format spec %q: cannot use ',' with '%c'", spec, s.Type)
	}
	if !s.Alt {
		prefix = ""
	}
	abs := new(big.Int).Abs(x)
	body := abs.Text(base)
	if s.Type == 'X' {
		body, prefix = strings.ToUpper(body), strings.ToUpper(prefix)
	}
	sign := s.signOf(x.Sign() < 0)
	body = s.group(body, s.Grouping, every, len(sign)+len(prefix))
	return s.pad(sign, prefix, body, '>'), nil
}

// Float formats a float as format(float, spec) does in Python.
func Float(x float64, spec string) (string, error) {
	s, err := Parse(spec)
	if err != nil {
		return "", err
	}
	return formatFloat(x, s, "float")
}

func formatFloat(x float64, s Spec, kind string) (string, error) {
	switch s.Type {
	case 0, 'e', 'E', 'f', 'F', 'g', 'G', 'n', '%':
	default:
		return "", fmt.Errorf("unknown format code '%c' for a %s", s.Type, kind)
	}
	if s.Type == '%' {
		x *= 100
	}
	negative := math.Signbit(x) && !math.IsNaN(x)
	abs := math.Abs(x)
	var body string
	switch {
	case math.IsNaN(x):
		body = "nan"
	case math.IsInf(x, 0):
		body = "inf"
	default:
		body = floatBody(abs, s)
	}
	if s.Type == '%' {
		body += "%"
	}
	if s.NoNegZero && negative && strings.Trim(body, "0.e+-%") == "" {
		negative = false
	}
	if s.Type == 'E' || s.Type == 'F' || s.Type == 'G' {
		body = strings.ToUpper(body)
	}
	if s.Grouping != 0 && !math.IsNaN(x) && !math.IsInf(x, 0) {
		intPart, frac := body, ""
		if i := strings.IndexAny(body, ".e%"); i >= 0 {
			intPart, frac = body[:i], body[i:]
		}
		sign := s.signOf(negative)
		body = s.group(intPart, s.Grouping, 3, len(sign)+len(frac)) + frac
	}
	return s.pad(s.signOf(negative), "", body, '>'), nil
}

// floatBody formats a finite non-negative float without sign or padding.
func floatBody(x float64, s Spec) string {
	p := s.Precision
	switch s.Type {
	case 'f', 'F':
		if p < 0 {
			p = 6
		}
		return withPoint(strconv.FormatFloat(x, 'f', p, 64), s.Alt)
	case '%':
		if p < 0 {
			p = 6
		}
		return withPoint(strconv.FormatFloat(x, 'f', p, 64), s.Alt)
	case 'e', 'E':
		if p < 0 {
			p = 6
		}
		return exponent(strconv.FormatFloat(x, 'e', p, 64), s.Alt && p == 0)
	case 'g', 'G', 'n':
		if p < 0 {
			p = 6
		}
		return general(x, max(p, 1), p, s.Alt, false)
	}
	if p < 0 { // repr: shortest digits, scientific outside 1e-4 <= x < 1e16
		return general(x, 17, -1, false, true)
	}
	return general(x, max(p, 1), p, s.Alt, true)
}

// general is Python's 'g' (and, with dot0, the format of no type): p
// significant digits, scientific when the exponent is < -4 or too large,
// trailing zeros removed unless alt. p < 0 means shortest (repr).
func general(x float64, p, given int, alt, dot0 bool) string {
	digits := p - 1
	if given < 0 {
		digits = -1
	}
	e := strconv.FormatFloat(x, 'e', digits, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	limit := p
	switch {
	case given < 0:
		limit = 16
	case dot0:
		limit = p - 1
	}
	if x == 0 {
		exp = 0
	}
	var out string
	if exp < -4 || exp >= limit {
		out = e
		if !alt {
			out = trimZeros(out)
		}
		out = exponent(out, alt && !strings.Contains(out, "."))
	} else {
		decimals := p - 1 - exp
		if given < 0 {
			decimals = -1
		}
		out = strconv.FormatFloat(x, 'f', decimals, 64)
		if !alt {
			out = trimZeros(out)
		} else if !strings.Contains(out, ".") {
			out += "."
		}
	}
	if dot0 && !strings.ContainsAny(out, ".e") {
		out += ".0"
	}
	return out
}

// trimZeros removes trailing zeros of the mantissa, and a bare point.
func trimZeros(s string) string {
	mant, exp := s, ""
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		mant, exp = s[:i], s[i:]
	}
	if strings.Contains(mant, ".") {
		mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
	}
	return mant + exp
}

// exponent writes Go's e+XX exponent as Python does (at least two
// digits, which Go also does), adding a point before it when asked.
func exponent(s string, point bool) string {
	if point {
		if i := strings.IndexByte(s, 'e'); i >= 0 {
			return s[:i] + "." + s[i:]
		}
	}
	return s
}

func withPoint(s string, alt bool) string {
	if alt && !strings.Contains(s, ".") {
		return s + "."
	}
	return s
}

// String formats a string as format(str, spec) does in Python.
func String(x string, spec string) (string, error) {
	s, err := Parse(spec)
	if err != nil {
		return "", err
	}
	if s.Type != 0 && s.Type != 's' {
		return "", fmt.Errorf("unknown format code '%c' for a string", s.Type)
	}
	if s.Sign != 0 {
		return "", fmt.Errorf("format spec %q: sign not allowed for a string", spec)
	}
	if s.Align == '=' {
		return "", fmt.Errorf("format spec %q: '=' alignment not allowed for a string", spec)
	}
	if s.Alt || s.Grouping != 0 {
		return "", fmt.Errorf("format spec %q: '#' and grouping not allowed for a string", spec)
	}
	if s.Precision >= 0 && utf8.RuneCountInString(x) > s.Precision {
		x = string([]rune(x)[:s.Precision])
	}
	return s.pad("", "", x, '<'), nil
}

// Repr is Python's repr of a finite float: the shortest digits that read
// back the same, positional from 1e-4 up to 1e16 (with ".0" for whole
// numbers) and scientific outside ("1e+16", "1.5e-07"). Callers spell
// NaN and infinities their own way (json.dumps and YAML differ).
func Repr(f float64) string {
	e := strconv.FormatFloat(f, 'e', -1, 64) // like -1.5e+16
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}
