package project

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pyParser reads the arguments of a config method call as Python reads
// call arguments made of literals: numbers, strings (with escapes,
// prefixes r and u, implicit concatenation), True, False, None, lists,
// tuples (as lists) and dicts with string keys, and name=value keyword
// arguments. machinable 2.x evaluates them as a Python expression.
type pyParser struct {
	s string
	i int
}

func (p *pyParser) errorf(format string, args ...any) error {
	return fmt.Errorf("column %d: %s", p.i+1, fmt.Sprintf(format, args...))
}

// errKeywords marks a misuse of keyword arguments: the arguments are
// Python then, not YAML.
type errKeywords struct{ error }

func (p *pyParser) skipSpace() {
	for p.i < len(p.s) && strings.IndexByte(" \t\n\r\f\v", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// parsePyArgs parses "1, 'a', k=True" into positional and keyword
// arguments.
func parsePyArgs(s string) ([]any, []KeyValue, error) {
	p := &pyParser{s: s}
	args := []any{}
	var kwargs []KeyValue
	for {
		p.skipSpace()
		if p.i == len(p.s) {
			return args, kwargs, nil
		}
		if name, ok := p.keyword(); ok {
			for _, kv := range kwargs {
				if kv.Key == name {
					return nil, nil, errKeywords{p.errorf("keyword argument %q repeated", name)}
				}
			}
			v, err := p.expr()
			if err != nil {
				return nil, nil, err
			}
			kwargs = append(kwargs, KeyValue{Key: name, Value: v})
		} else {
			if kwargs != nil {
				return nil, nil, errKeywords{p.errorf("positional argument follows keyword argument")}
			}
			v, err := p.expr()
			if err != nil {
				return nil, nil, err
			}
			args = append(args, v)
		}
		p.skipSpace()
		switch {
		case p.i == len(p.s):
			return args, kwargs, nil
		case p.peek() == ',':
			p.i++
		default:
			return nil, nil, p.errorf("expected , between arguments")
		}
	}
}

// keyword reads "name =" (not "==") and reports whether it was there.
func (p *pyParser) keyword() (string, bool) {
	start := p.i
	j := start
	for j < len(p.s) && (isIdentByte(p.s[j]) || j > start && p.s[j] >= '0' && p.s[j] <= '9') {
		j++
	}
	if j == start || p.s[start] >= '0' && p.s[start] <= '9' {
		return "", false
	}
	k := j
	for k < len(p.s) && (p.s[k] == ' ' || p.s[k] == '\t') {
		k++
	}
	if k < len(p.s) && p.s[k] == '=' && (k+1 == len(p.s) || p.s[k+1] != '=') {
		p.i = k + 1
		return p.s[start:j], true
	}
	return "", false
}

func isIdentByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// expr reads one literal, with a leading + or - for numbers.
func (p *pyParser) expr() (any, error) {
	p.skipSpace()
	if c := p.peek(); c == '-' || c == '+' {
		p.i++
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case int64:
			if c == '-' {
				if x == math.MinInt64 {
					return nil, p.errorf("integer out of range")
				}
				return -x, nil
			}
			return x, nil
		case float64:
			if c == '-' {
				return -x, nil
			}
			return x, nil
		case bool: // Python: -True is -1
			n := int64(0)
			if x {
				n = 1
			}
			if c == '-' {
				n = -n
			}
			return n, nil
		}
		return nil, p.errorf("bad operand for unary %c: %s", c, describe(v))
	}
	return p.atom()
}

func (p *pyParser) atom() (any, error) {
	p.skipSpace()
	c := p.peek()
	switch {
	case c == 0:
		return nil, p.errorf("expected a value")
	case c == '[':
		p.i++
		return p.sequence(']')
	case c == '(':
		p.i++
		p.skipSpace()
		if p.peek() == ')' {
			p.i++
			return []any{}, nil
		}
		first, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		switch p.peek() {
		case ')':
			p.i++
			return first, nil // parentheses around a value
		case ',':
			p.i++
			rest, err := p.sequence(')')
			if err != nil {
				return nil, err
			}
			return append([]any{first}, rest.([]any)...), nil
		}
		return nil, p.errorf("expected ) or ,")
	case c == '{':
		p.i++
		return p.dict()
	case c == '"' || c == '\'':
		return p.strings()
	case c >= '0' && c <= '9' || c == '.' && p.i+1 < len(p.s) && p.s[p.i+1] >= '0' && p.s[p.i+1] <= '9':
		return p.number()
	case isIdentByte(c):
		j := p.i
		for j < len(p.s) && isIdentByte(p.s[j]) {
			j++
		}
		word := p.s[p.i:j]
		if j < len(p.s) && (p.s[j] == '\'' || p.s[j] == '"') {
			switch strings.ToLower(word) {
			case "r", "u":
				return p.strings()
			}
		}
		switch word {
		case "True":
			p.i = j
			return true, nil
		case "False":
			p.i = j
			return false, nil
		case "None":
			p.i = j
			return nil, nil
		}
		return nil, p.errorf("%q is not a literal (use True, False, None, numbers, quoted strings, lists or dicts)", word)
	}
	return nil, p.errorf("unexpected %q", c)
}

// sequence reads items up to the closing bracket (the opening one is
// consumed); a trailing comma is allowed.
func (p *pyParser) sequence(closing byte) (any, error) {
	out := []any{}
	for {
		p.skipSpace()
		if p.peek() == closing {
			p.i++
			return out, nil
		}
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.i++
		case closing:
		default:
			return nil, p.errorf("expected , or %c", closing)
		}
	}
}

func (p *pyParser) dict() (any, error) {
	out := map[string]any{}
	for {
		p.skipSpace()
		if p.peek() == '}' {
			p.i++
			return out, nil
		}
		k, err := p.expr()
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok {
			return nil, p.errorf("dict keys must be strings, got %s", describe(k))
		}
		p.skipSpace()
		if p.peek() != ':' {
			return nil, p.errorf("expected : after a dict key")
		}
		p.i++
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		out[key] = v
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.i++
		case '}':
		default:
			return nil, p.errorf("expected , or }")
		}
	}
}

// strings reads one string literal and those that follow it directly:
// Python joins adjacent literals ('a' 'b' is 'ab').
func (p *pyParser) strings() (any, error) {
	var b strings.Builder
	for {
		s, err := p.stringLiteral()
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
		save := p.i
		p.skipSpace()
		c := p.peek()
		if c == '"' || c == '\'' {
			continue
		}
		if (c == 'r' || c == 'R' || c == 'u' || c == 'U') && p.i+1 < len(p.s) && (p.s[p.i+1] == '"' || p.s[p.i+1] == '\'') {
			continue
		}
		p.i = save
		return b.String(), nil
	}
}

func (p *pyParser) stringLiteral() (string, error) {
	raw := false
	switch p.peek() {
	case 'r', 'R':
		raw = true
		p.i++
	case 'u', 'U':
		p.i++
	}
	q := p.peek()
	quote := string(q)
	if strings.HasPrefix(p.s[p.i:], strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	p.i += len(quote)
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return "", p.errorf("unterminated string")
		}
		if strings.HasPrefix(p.s[p.i:], quote) {
			p.i += len(quote)
			return b.String(), nil
		}
		c := p.s[p.i]
		switch {
		case c == '\n' && len(quote) == 1:
			return "", p.errorf("unterminated string")
		case c == '\\' && p.i+1 < len(p.s):
			if raw {
				// The backslash stays; it only keeps a quote from ending
				// the string.
				b.WriteString(p.s[p.i : p.i+2])
				p.i += 2
				continue
			}
			s, err := p.escape()
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		default:
			b.WriteByte(c)
			p.i++
		}
	}
}

// escape reads a backslash escape of a (non-raw) Python string.
func (p *pyParser) escape() (string, error) {
	c := p.s[p.i+1]
	p.i += 2
	simple := map[byte]string{'\\': `\`, '\'': `'`, '"': `"`, 'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v", '\n': ""}
	if s, ok := simple[c]; ok {
		return s, nil
	}
	hex := func(n int) (string, error) {
		if p.i+n > len(p.s) {
			return "", p.errorf("truncated \\%c escape", c)
		}
		v, err := strconv.ParseUint(p.s[p.i:p.i+n], 16, 32)
		if err != nil || !utf8.ValidRune(rune(v)) {
			return "", p.errorf("invalid \\%c escape", c)
		}
		p.i += n
		return string(rune(v)), nil
	}
	switch c {
	case 'x':
		return hex(2)
	case 'u':
		return hex(4)
	case 'U':
		return hex(8)
	case 'N':
		return "", p.errorf(`\N{...} escapes are not supported`)
	}
	if c >= '0' && c <= '7' {
		j := p.i - 1
		for j < len(p.s) && j < p.i+2 && p.s[j] >= '0' && p.s[j] <= '7' {
			j++
		}
		v, _ := strconv.ParseUint(p.s[p.i-1:j], 8, 32)
		p.i = j
		return string(rune(v)), nil
	}
	return `\` + string(c), nil // Python keeps unknown escapes
}

// number reads an int (decimal, 0x, 0o, 0b, with _ between digits) or a
// float, as Python 3 does.
func (p *pyParser) number() (any, error) {
	j := p.i
	for j < len(p.s) && (isIdentByte(p.s[j]) || p.s[j] == '.' ||
		(p.s[j] == '+' || p.s[j] == '-') && j > p.i && (p.s[j-1] == 'e' || p.s[j-1] == 'E') && !isPrefixed(p.s[p.i:j])) {
		j++
	}
	text := p.s[p.i:j]
	if !pyNumber(text) {
		return nil, p.errorf("invalid number %q", text)
	}
	p.i = j
	clean := strings.ReplaceAll(text, "_", "")
	lower := strings.ToLower(clean)
	if isPrefixed(lower) || !strings.ContainsAny(lower, ".e") {
		base := 10
		digits := lower
		switch {
		case strings.HasPrefix(lower, "0x"):
			base, digits = 16, lower[2:]
		case strings.HasPrefix(lower, "0o"):
			base, digits = 8, lower[2:]
		case strings.HasPrefix(lower, "0b"):
			base, digits = 2, lower[2:]
		}
		n, ok := new(big.Int).SetString(digits, base)
		if !ok || !n.IsInt64() {
			return nil, p.errorf("integer %s does not fit into 64 bits", text)
		}
		return n.Int64(), nil
	}
	f, err := strconv.ParseFloat(clean, 64)
	if ne, ok := err.(*strconv.NumError); err != nil && !(ok && ne.Err == strconv.ErrRange) {
		return nil, p.errorf("invalid number %q", text)
	}
	return f, nil
}

func isPrefixed(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "0x") || strings.HasPrefix(l, "0o") || strings.HasPrefix(l, "0b")
}

// pyNumber reports whether s is a Python 3 int or float literal (without
// sign).
func pyNumber(s string) bool {
	digitpart := func(s string, digit func(byte) bool) bool {
		if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
			return false
		}
		for i := 0; i < len(s); i++ {
			if s[i] != '_' && !digit(s[i]) {
				return false
			}
		}
		return true
	}
	dec := func(c byte) bool { return c >= '0' && c <= '9' }
	l := strings.ToLower(s)
	switch {
	case strings.HasPrefix(l, "0x"):
		return digitpart(strings.TrimPrefix(l[2:], "_"), func(c byte) bool { return dec(c) || c >= 'a' && c <= 'f' })
	case strings.HasPrefix(l, "0o"):
		return digitpart(strings.TrimPrefix(l[2:], "_"), func(c byte) bool { return c >= '0' && c <= '7' })
	case strings.HasPrefix(l, "0b"):
		return digitpart(strings.TrimPrefix(l[2:], "_"), func(c byte) bool { return c == '0' || c == '1' })
	}
	mant, exp, hasExp := strings.Cut(l, "e")
	if hasExp {
		exp = strings.TrimLeft(exp, "+-")
		if len(l)-len(mant)-1-len(exp) > 1 || !digitpart(exp, dec) {
			return false
		}
	}
	whole, frac, hasDot := strings.Cut(mant, ".")
	if !hasDot {
		if !digitpart(whole, dec) {
			return false
		}
		// A decimal integer other than zero cannot start with 0.
		return hasExp || strings.TrimLeft(strings.ReplaceAll(whole, "_", ""), "0") == "" || whole[0] != '0'
	}
	if whole == "" && frac == "" {
		return false
	}
	return (whole == "" || digitpart(whole, dec)) && (frac == "" || digitpart(frac, dec))
}
