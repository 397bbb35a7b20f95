package project

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode"
)

// Environment variables in machinable.yaml (and in the files it includes)
// are expanded in the text before it is parsed, the way machinable 2.2+
// does it with the expandvars package (0.6): $VAR, ${VAR}, ${VAR:-default},
// ${VAR-default}, ${VAR:=default}, ${VAR:+alt}, ${VAR:?message},
// ${VAR:offset[:length]}, ${!VAR} and $$ (the process ID). An unset
// variable expands to the empty string, and so does a "$" followed by a
// character that cannot start a name ("5$ each" becomes "5 each"); a "$" at
// the very end of the text stays. A backslash before "$" keeps the "$"
// literal. References ($. and $self.) and includes ($/) are protected
// first, so they reach the parser unchanged.

// Placeholders for the protected prefixes, as 2.x spells them; the text
// is restored after the expansion.
var envProtect = []struct{ text, placeholder string }{
	{includePrefix, "~INCLUDE~"},
	{rootRef, "~REFERENCE~"},
	{selfRef, "~SELFREF~"},
}

// envError is an expansion error at a byte offset of the text.
type envError struct {
	offset int
	msg    string
}

func (e *envError) Error() string { return e.msg }

// expandEnv expands the environment variables in text, which was read
// from file; lookup finds a variable (os.LookupEnv outside tests).
func expandEnv(file string, text []byte, lookup func(string) (string, bool)) ([]byte, error) {
	if !strings.ContainsAny(string(text), `$\~`) {
		return text, nil // nothing to expand: most files
	}
	s := string(text)
	for _, p := range envProtect {
		s = strings.ReplaceAll(s, p.text, p.placeholder)
	}
	x := &envExpander{src: []rune(s), lookup: lookup, set: map[string]string{}}
	out, err := x.run()
	if err != nil {
		e := err.(*envError)
		line := 1 + strings.Count(string(x.src[:min(e.offset, len(x.src))]), "\n")
		return nil, newPosError(file, line, "environment variable expansion: %s", e.msg)
	}
	for _, p := range envProtect {
		out = strings.ReplaceAll(out, p.placeholder, p.text)
	}
	return []byte(out), nil
}

// envExpander walks the text rune by rune, as expandvars walks the
// characters of a Python string.
type envExpander struct {
	src    []rune
	lookup func(string) (string, bool)
	set    map[string]string // variables assigned by ${VAR:=default}
}

func (x *envExpander) run() (string, error) {
	var b strings.Builder
	for i := 0; i < len(x.src); {
		var s string
		var err error
		switch x.src[i] {
		case '$':
			s, i, err = x.variable(i + 1)
		case '\\':
			s, i, err = x.escape(i + 1)
		default:
			s, i = string(x.src[i]), i+1
		}
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// get returns a variable and whether it is set (to anything, "" too).
func (x *envExpander) get(name string) (string, bool) {
	if v, ok := x.set[name]; ok {
		return v, true
	}
	if name == "" {
		return "", false
	}
	return x.lookup(name)
}

// value is a variable's value, "" when unset; indirect reads the variable
// named by the value (${!VAR}); def is used when unset.
func (x *envExpander) value(name string, indirect bool, def *string) string {
	v, ok := x.get(name)
	if ok && indirect {
		v, ok = x.get(v)
	}
	switch {
	case ok:
		return v
	case def != nil:
		return *def
	}
	return ""
}

// escape handles the text after a backslash at i-1 and returns what it
// stands for and where expansion goes on.
func (x *envExpander) escape(i int) (string, int, error) {
	rest := len(x.src) - i
	switch {
	case rest == 0:
		return "", 0, &envError{i - 1, `a backslash at the end of the text escapes nothing`}
	case rest == 1:
		return string(x.src[i]), i + 1, nil // expandvars drops the backslash here
	case x.src[i] == '$':
		return "$", i + 1, nil
	case x.src[i] == '\\' && x.src[i+1] == '$':
		return `\`, i + 1, nil // the "$" that follows is expanded
	case x.src[i] == '\\' && x.src[i+1] == '\\':
		s, next, err := x.escape(i + 2)
		return `\` + s, next, err
	}
	return `\` + string(x.src[i]), i + 1, nil
}

func isVarRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// variable expands what follows a "$" at i-1.
func (x *envExpander) variable(i int) (string, int, error) {
	if i == len(x.src) {
		return "$", i, nil
	}
	switch x.src[i] {
	case '\\':
		s, next, err := x.escape(i + 1)
		return "$" + s, next, err
	case '$':
		return strconv.Itoa(os.Getpid()), i + 1, nil
	case '{':
		return x.braced(i+1, i-1)
	}
	j := i
	for j < len(x.src) && isVarRune(x.src[j]) {
		j++
	}
	return x.value(string(x.src[i:j]), false, nil), j, nil
}

// braced expands "${...}" whose content starts at i; start is the "$".
func (x *envExpander) braced(i, start int) (string, int, error) {
	if len(x.src)-i <= 1 {
		return "", 0, &envError{start, fmt.Sprintf("%q: bad substitution", string(x.src[start:]))}
	}
	indirect := false
	if x.src[i] == '!' {
		indirect, i = true, i+1
	}
	j := i
	for ; j < len(x.src); j++ {
		r := x.src[j]
		switch {
		case isVarRune(r):
			continue
		case r == '}':
			return x.value(string(x.src[i:j]), indirect, nil), j + 1, nil
		}
		name, k := string(x.src[i:j]), j
		if r == ':' {
			k++
		}
		return x.modifier(name, k, indirect, start)
	}
	return "", 0, x.unclosed(start)
}

func (x *envExpander) unclosed(start int) error {
	return &envError{start, fmt.Sprintf("%q: missing '}'", x.upToLineEnd(start))}
}

// upToLineEnd is the text from start to the end of its line, for messages.
func (x *envExpander) upToLineEnd(start int) string {
	end := start
	for end < len(x.src) && x.src[end] != '\n' {
		end++
	}
	return string(x.src[start:end])
}

// untilBrace returns the text from i to the next "}" and the index after
// the brace.
func (x *envExpander) untilBrace(i, start int) (string, int, error) {
	for j := i; j < len(x.src); j++ {
		if x.src[j] == '}' {
			return string(x.src[i:j]), j + 1, nil
		}
	}
	return "", 0, x.unclosed(start)
}

// modifier expands ${name<op>...} with the operator at i.
func (x *envExpander) modifier(name string, i int, indirect bool, start int) (string, int, error) {
	if i == len(x.src) {
		return "", 0, x.unclosed(start)
	}
	op := x.src[i]
	switch op {
	case '-', '=', '+', '?':
		arg, next, err := x.untilBrace(i+1, start)
		if err != nil {
			return "", 0, err
		}
		switch op {
		case '-', '=':
			if _, ok := x.get(name); op == '=' && !ok {
				x.set[name] = arg
			}
			return x.value(name, indirect, &arg), next, nil
		case '+':
			if _, ok := x.get(name); ok {
				return arg, next, nil
			}
			return "", next, nil
		default: // '?'
			if v, _ := x.get(name); v != "" {
				return v, next, nil
			}
			if arg == "" {
				arg = "parameter null or not set"
			}
			return "", 0, &envError{start, fmt.Sprintf("%s: %s", name, arg)}
		}
	}
	return x.substring(name, i, start)
}

// substring expands ${name:offset} and ${name:offset:length}.
func (x *envExpander) substring(name string, i, start int) (string, int, error) {
	operand := func(s string) error {
		return &envError{start, fmt.Sprintf("%s: operand expected (error token is %q)", name, s)}
	}
	for j := i; j < len(x.src); j++ {
		switch x.src[j] {
		case ':':
			var offset *int
			if s := string(x.src[i:j]); s != "" {
				n, ok := pyInt(s)
				if !ok {
					return "", 0, operand(s)
				}
				offset = &n
			}
			lenText, next, err := x.untilBrace(j+1, start)
			if err != nil {
				return "", 0, err
			}
			var length *int
			if s := strings.TrimSpace(lenText); s != "" {
				n, ok := pyInt(s)
				if !ok {
					return "", 0, operand(s)
				}
				if n < 0 {
					return "", 0, &envError{start, fmt.Sprintf("%s: %s: substring expression < 0", name, s)}
				}
				length = &n
			}
			// expandvars slices [offset:width] with width 0 when no
			// length is given.
			width := 0
			switch {
			case length != nil && offset != nil:
				width = *offset + *length
			case length != nil:
				width = *length
			}
			return pySlice(x.value(name, false, nil), offset, &width), next, nil
		case '}':
			s := strings.TrimSpace(string(x.src[i:j]))
			if s == "" {
				return "", 0, &envError{start, fmt.Sprintf("%q: bad substitution", string(x.src[start:j+1]))}
			}
			n, ok := pyInt(s)
			if !ok {
				return "", 0, operand(s)
			}
			return pySlice(x.value(name, false, nil), &n, nil), j + 1, nil
		}
	}
	return "", 0, x.unclosed(start)
}

// pyInt parses an integer as Python's int() does for decimal text:
// surrounding blanks, a sign and single underscores between digits.
func pyInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	digits := strings.TrimLeft(s, "+-")
	if len(s)-len(digits) > 1 || digits == "" || strings.HasPrefix(digits, "_") || strings.HasSuffix(digits, "_") || strings.Contains(digits, "__") {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-len(digits)] + strings.ReplaceAll(digits, "_", ""))
	return n, err == nil
}

// pySlice is Python's s[from:to] on the code points of s; nil means the
// bound is left out.
func pySlice(s string, from, to *int) string {
	r := []rune(s)
	n := len(r)
	clamp := func(i *int, def int) int {
		if i == nil {
			return def
		}
		v := *i
		if v < 0 {
			v += n
		}
		return min(max(v, 0), n)
	}
	a, b := clamp(from, 0), clamp(to, n)
	if a >= b {
		return ""
	}
	return string(r[a:b])
}
