package dsl

import (
	"bytes"
	"errors"
	"regexp"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// pythonHint explains an error that a Python habit causes in Starlark and
// names the Starlark way. msg matches a piece of Starlark's message; the
// hint may refer to its groups ($1). line, when set, must match the source
// line the syntax error points at: the parser's message alone is often
// ambiguous ("got string literal, want newline" is an f-string or two
// strings side by side), so such hints only apply where the source is
// known.
type pythonHint struct {
	msg  *regexp.Regexp
	line *regexp.Regexp
	hint string
}

func hint(msg, line, text string) pythonHint {
	h := pythonHint{msg: regexp.MustCompile(msg), hint: text}
	if line != "" {
		h.line = regexp.MustCompile(line)
	}
	return h
}

const isHint = `Starlark has no is operator: compare with == and != (x == None, x != None)`

// pythonHints are tried in order; the first that matches wins.
var pythonHints = []pythonHint{
	hint(`got (import|from), want`, "", `Starlark has no import: load("lib/file.star", "name") loads a name from another .star file of the project; math, json, time, random and format are there without importing`),
	hint(`got class, want`, "", `Starlark has no classes: write functions, and keep data in dicts or struct(name=value); a component is a .star file of on_* functions`),
	hint(`got (try|except|finally), want`, "", `Starlark has no try/except: check before you act (if "k" in d, d.get("k", default)); fail("message") stops with an error`),
	hint(`got raise, want`, "", `Starlark has no raise: fail("message") stops with an error`),
	hint(`got string literal|invalid syntax`, `(^|[^\w])([fF][rR]?|[rR][fF])["']`, `Starlark has no f-strings: use "lr={}".format(lr), "lr=%s" % lr, or format(lr, ".4f") for a number`),
	hint(`got with, want`, "", `Starlark has no with statement: call the functions directly; there is nothing to open or close`),
	hint(`got is, want`, "", isHint),
	hint(`invalid syntax`, `\sis\s`, isHint), // the REPL's message for x = y is None
	hint(`got (global|nonlocal), want`, "", `Starlark has no global or nonlocal: a function cannot rebind a name outside it; return the new value, or keep state on self (self.count = 1)`),
	hint(`got yield, want`, "", `Starlark has no generators: build a list and return it`),
	hint(`got del, want`, "", `Starlark has no del: use d.pop(key) or xs.pop(i), or bind the name to None`),
	hint(`got (async|await), want`, "", `Starlark has no async/await: calls run one after another`),
	hint(`^got |invalid syntax`, `^\s*assert\s+[^\s.(=]`, `Starlark has no assert statement: write if not cond: fail("message")`),
	hint(`unexpected input character '@'`, `^\s*@`, `Starlark has no decorators: call the function instead (f = deco(f))`),
	hint(`got for, want ('\)'|',')`, "", `Starlark has no generator expressions: use a list comprehension, [x for x in xs]`),
	hint(`got '\*\*'`, `\{\s*\*\*`, `Starlark has no {**a, **b}: use dict(a, **b), or d = dict(a) then d.update(b)`),
	hint(`got '\*\*'`, "", "Starlark has no ** operator: use math.pow(x, y), or x * x"),
	hint(`got ',', want ':'`, `\{`, `for a set, Starlark has no {1, 2} literal: write set([1, 2])`),
	hint(`undefined: isinstance`, "", `Starlark has no isinstance: compare type(x) == "dict" (type returns the name as a string)`),
	hint(`undefined: (map|filter)\b`, "", `Starlark has no $1: use a list comprehension, [f(x) for x in xs if cond(x)]`),
	hint(`list has no \.sort field or method`, "", `Starlark lists have no sort method: xs = sorted(xs)`),
	hint(`list has no \.(max|min|sum|avg|count|unique|first|last|filter|where|all|take|pluck|as_json|as_numpy|each|reject|chunk|reduce|section|implode|empty) field or method`, "",
		`pluck, map, zip and section return lists, not collections: call the collection's method with the key (cs.$1("config.lr")), or use Starlark's functions on the list (max(xs), len(xs), xs[0])`),
	hint(`dict has no \.(\w+) field or method$`, "", `a dict's keys are not attributes: use d["$1"] or d.get("$1")`),
	hint(`format spec features not supported`, "", `Starlark's str.format has no format spec: use format(x, ".4f") for the field`),
	hint(`unknown conversion %\.`, "", `Starlark's % has no width or precision: use format(x, ".4f")`),
}

// findHint returns the hint for an error message, or "". line is the
// source line of a syntax error; haveLine says whether it is known.
func findHint(msg, line string, haveLine bool) string {
	for _, h := range pythonHints {
		if h.line != nil && (!haveLine || !h.line.MatchString(line)) {
			continue
		}
		for _, m := range h.msg.FindAllStringSubmatchIndex(msg, -1) {
			return string(h.msg.ExpandString(nil, h.hint, msg, m))
		}
	}
	return ""
}

// hintedError is a syntax error with the hint for the Python habit that
// caused it.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() + "\nhint: " + e.hint }
func (e *hintedError) Unwrap() error { return e.err }

// withSourceHint adds a hint to a syntax error in src when the offending
// line shows a Python habit. Other errors are returned as they are.
func withSourceHint(err error, src []byte) error {
	var se syntax.Error
	if !errors.As(err, &se) {
		return err
	}
	if h := findHint(se.Msg, sourceLine(src, int(se.Pos.Line)), true); h != "" {
		return &hintedError{err: err, hint: h}
	}
	return err
}

// sourceLine is line n (1-based) of src, or "".
func sourceLine(src []byte, n int) string {
	for i := 1; len(src) > 0; i++ {
		line, rest, _ := bytes.Cut(src, []byte("\n"))
		if i == n {
			return string(line)
		}
		src = rest
	}
	return ""
}

// ErrorText is the text to show for an error of a script or component:
// Starlark's backtrace (file:line:col of every frame) when there is one,
// then a hint when the message is one that Python habits cause.
func ErrorText(err error) string {
	text := err.Error()
	var e *starlark.EvalError
	if errors.As(err, &e) {
		text = oncePrefixed(e.Backtrace())
	}
	if strings.Contains(text, "\nhint: ") {
		return text // hinted where the source was known
	}
	for _, line := range strings.Split(text, "\n") {
		if h := findHint(line, "", false); h != "" {
			return text + "\nhint: " + h
		}
	}
	return text
}

// oncePrefixed drops the builtin's name from the message where the
// backtrace names it already: Starlark writes "Error in repeat: " before a
// message that starts with "repeat: " (the builtins' own prefix, which the
// Go API's errors keep).
func oncePrefixed(backtrace string) string {
	lines := strings.Split(backtrace, "\n")
	for i, line := range lines {
		rest, ok := strings.CutPrefix(line, "Error in ")
		if !ok {
			continue
		}
		name, msg, ok := strings.Cut(rest, ": ")
		if ok && strings.HasPrefix(msg, name+": ") {
			lines[i] = "Error in " + name + ": " + msg[len(name)+2:]
		}
	}
	return strings.Join(lines, "\n")
}
