package dsl

import (
	"errors"
	"strings"

	"go.starlark.net/starlark"
)

// pythonHints explain errors that Python habits cause in Starlark, keyed
// by a piece of Starlark's message.
var pythonHints = []struct{ match, hint string }{
	{"unknown conversion %.", `Starlark's % has no width or precision: use format(x, ".4f")`},
	{"got '**'", "Starlark has no ** operator: use math.pow(x, y), or x * x"},
}

// ErrorText is the text to show for an error of a script or component:
// Starlark's backtrace (file:line:col of every frame) when there is one,
// then a hint when the message is one that Python habits cause.
func ErrorText(err error) string {
	text := err.Error()
	var e *starlark.EvalError
	if errors.As(err, &e) {
		text = e.Backtrace()
	}
	for _, h := range pythonHints {
		if strings.Contains(text, h.match) {
			text += "\nhint: " + h.hint
			break
		}
	}
	return text
}
