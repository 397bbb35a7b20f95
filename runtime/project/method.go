package project

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// KeyValue is a keyword argument of a config method call.
type KeyValue struct {
	Key   string
	Value any
}

// ParseMethodCallKw recognizes a config method value such as
// "base_lr(0.01)" or `arghello('world', works=True)`: a name of letters,
// digits and _, at most one blank, and arguments in parentheses. As in
// machinable 2.x, where the arguments are a Python expression, they are
// read as Python literals: numbers (1, 1e-3, 0x1F, 1_000), strings in
// single, double or triple quotes (escapes, r and u prefixes, adjacent
// strings joined), True, False, None, lists, tuples (as lists), dicts
// with string keys, and name=value keyword arguments, returned in the
// order written. Arguments that are not Python literals are read as the
// YAML flow sequence ParseMethodCall reads, without keyword arguments
// (f(a b) gives "a b", f(null) gives nil). The runtime calls
// config_<name>(self, *args, **kwargs) in the component module for it.
// ok is false for any other string, which is then an ordinary value.
func ParseMethodCallKw(s string) (name string, args []any, kwargs []KeyValue, ok bool) {
	open := strings.IndexByte(s, '(')
	if open <= 0 || !strings.HasSuffix(s, ")") {
		return "", nil, nil, false
	}
	name = s[:open]
	if last := name[len(name)-1]; strings.IndexByte(" \t\n\r\f\v", last) >= 0 {
		name = name[:len(name)-1] // 2.x allows one blank before "("
	}
	for i := 0; i < len(name); i++ {
		if !isIdentByte(name[i]) {
			return "", nil, nil, false
		}
	}
	if name == "" {
		return "", nil, nil, false
	}
	args, kwargs, err := parsePyArgs(s[open+1 : len(s)-1])
	if err == nil {
		return name, args, kwargs, true
	}
	if _, ok := err.(errKeywords); ok {
		return "", nil, nil, false
	}
	if _, args, ok := ParseMethodCall(name + s[open:]); ok {
		return name, args, nil, true
	}
	return "", nil, nil, false
}

// ParseMethodCall recognizes a config method value such as "base_lr(0.01)"
// or `schedule(1, "cos", [1,2])`: an identifier followed by arguments in
// parentheses. The arguments are read as a YAML flow sequence, so numbers
// become int64 or float64 like everywhere else in a config. ok is false
// for any other string, which is then an ordinary value. It is kept for
// callers that do not take keyword arguments; ParseMethodCallKw reads the
// arguments as machinable 2.x does (Python literals, None, True, 'x').
func ParseMethodCall(s string) (name string, args []any, ok bool) {
	open := strings.IndexByte(s, '(')
	if open <= 0 || !strings.HasSuffix(s, ")") || !isIdentifier(s[:open]) || !balanced(s[open+1:len(s)-1]) {
		return "", nil, false
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("["+s[open+1:len(s)-1]+"]"), &n); err != nil {
		return "", nil, false
	}
	v, err := (&decoder{}).decode(&n, "", "", nil)
	if err != nil {
		return "", nil, false
	}
	args, ok = v.([]any)
	if !ok {
		return "", nil, false
	}
	return s[:open], args, true
}

// isIdentifier reports whether s is a Starlark identifier, so that
// config_<s> names a function.
func isIdentifier(s string) bool {
	for i, r := range s {
		switch {
		case r == '_', 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		case '0' <= r && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

var opening = map[rune]rune{')': '(', ']': '[', '}': '{'}

// balanced reports whether the brackets in the arguments match outside of
// quoted strings, so "f(1))" or "f(1], [2)" are not taken for calls (the
// YAML parser would accept a part of them).
func balanced(args string) bool {
	var stack []rune
	var quote rune
	escaped := false
	for _, r := range args {
		switch {
		case quote == '"' && escaped:
			escaped = false
		case quote == '"' && r == '\\':
			escaped = true
		case quote != 0:
			if r == quote {
				quote = 0 // a doubled '' inside single quotes reopens at once
			}
		case r == '"' || r == '\'':
			quote = r
		case r == '(' || r == '[' || r == '{':
			stack = append(stack, r)
		case r == ')' || r == ']' || r == '}':
			if len(stack) == 0 || stack[len(stack)-1] != opening[r] {
				return false
			}
			stack = stack[:len(stack)-1]
		}
	}
	return len(stack) == 0 && quote == 0
}
