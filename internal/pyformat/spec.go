// Package pyformat formats values as Python's format(value, spec) does,
// with the format specification mini-language
// ([[fill]align][sign][z][#][0][width][grouping][.precision][type]), so
// that a researcher's "{:.4f}"-style habits carry over to Starlark, whose
// % operator has no precision.
package pyformat

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Spec is a parsed format specification.
type Spec struct {
	Fill      rune // 0: not given
	Align     byte // '<', '>', '=', '^' or 0
	Sign      byte // '+', '-', ' ' or 0
	NoNegZero bool // 'z'
	Alt       bool // '#'
	Zero      bool // '0' before the width
	Width     int
	Grouping  byte // ',', '_' or 0
	Precision int  // -1: not given
	Type      byte // 0: not given
}

// Parse reads a format specification; errors say what was expected.
func Parse(spec string) (Spec, error) {
	s := Spec{Precision: -1}
	rest := spec
	isAlign := func(c byte) bool { return strings.IndexByte("<>=^", c) >= 0 }
	if r, n := utf8.DecodeRuneInString(rest); n > 0 && len(rest) > n && isAlign(rest[n]) {
		s.Fill, s.Align, rest = r, rest[n], rest[n+1:]
	} else if len(rest) > 0 && isAlign(rest[0]) {
		s.Align, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 && strings.IndexByte("+- ", rest[0]) >= 0 {
		s.Sign, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 && rest[0] == 'z' {
		s.NoNegZero, rest = true, rest[1:]
	}
	if len(rest) > 0 && rest[0] == '#' {
		s.Alt, rest = true, rest[1:]
	}
	if len(rest) > 0 && rest[0] == '0' {
		s.Zero, rest = true, rest[1:]
	}
	s.Width, rest = digits(rest)
	if len(rest) > 0 && (rest[0] == ',' || rest[0] == '_') {
		s.Grouping, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 && rest[0] == '.' {
		p, after := digits(rest[1:])
		if len(after) == len(rest)-1 {
			return s, fmt.Errorf("format spec %q: expected digits (the precision) after '.'", spec)
		}
		s.Precision, rest = p, after
	}
	if len(rest) > 1 {
		return s, fmt.Errorf("invalid format spec %q: expected [[fill]align][sign][z][#][0][width][,|_][.precision][type]", spec)
	}
	if len(rest) == 1 {
		s.Type = rest[0]
	}
	return s, nil
}

func digits(s string) (int, string) {
	n, i := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<20 {
		n = n*10 + int(s[i]-'0')
		i++
	}
	return n, s[i:]
}

// pad lays out sign+prefix+body in the width: '=' puts the fill between
// the sign/prefix and the body.
func (s Spec) pad(sign, prefix, body string, defaultAlign byte) string {
	align, fill := s.Align, s.Fill
	if fill == 0 {
		fill = ' '
		if s.Zero && align == 0 {
			fill = '0'
		}
	}
	if align == 0 {
		align = defaultAlign
		if s.Zero && defaultAlign == '>' {
			align = '='
		}
	}
	n := s.Width - utf8.RuneCountInString(sign+prefix+body)
	if n <= 0 {
		return sign + prefix + body
	}
	f := strings.Repeat(string(fill), n)
	switch align {
	case '<':
		return sign + prefix + body + f
	case '^':
		left := strings.Repeat(string(fill), n/2)
		return left + sign + prefix + body + strings.Repeat(string(fill), n-n/2)
	case '=':
		return sign + prefix + f + body
	}
	return f + sign + prefix + body
}

// signOf is the sign to show for a number.
func (s Spec) signOf(negative bool) string {
	switch {
	case negative:
		return "-"
	case s.Sign == '+':
		return "+"
	case s.Sign == ' ':
		return " "
	}
	return ""
}

// group inserts sep every n digits from the right of an integer part;
// with zero padding ('0' flag, no explicit align) the digits are padded
// with zeros first, so the separators continue into the padding, as in
// Python: the fewest digits whose grouped form, with reserved characters
// (sign, prefix, fraction) around it, fills the width. intPart is ASCII.
func (s Spec) group(intPart string, sep byte, every int, reserved int) string {
	if sep == 0 {
		return intPart
	}
	digits := len(intPart)
	if s.Zero && s.Align == 0 && s.Fill == 0 {
		// Counted, not built and measured, so a width of millions stays
		// linear.
		for digits+(digits-1)/every+reserved < s.Width {
			digits++
		}
	}
	var b strings.Builder
	b.Grow(digits + (digits-1)/every)
	for i := 0; i < digits; i++ {
		if i > 0 && (digits-i)%every == 0 {
			b.WriteByte(sep)
		}
		if k := i - (digits - len(intPart)); k >= 0 {
			b.WriteByte(intPart[k])
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}
