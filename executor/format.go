package executor

import (
	"encoding/json"
	"strings"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// errorSummary shortens an error for one console line: for a Starlark
// backtrace, the event, the message and where it was raised.
func errorSummary(s string) string {
	head, trace, ok := strings.Cut(s, "Traceback (most recent call last):")
	if !ok {
		line, _, _ := strings.Cut(s, "\n")
		return line
	}
	lines := strings.Split(strings.TrimSpace(trace), "\n")
	msg := strings.TrimSpace(lines[len(lines)-1])
	where := ""
	for i := len(lines) - 2; i >= 0; i-- {
		if pos, _, found := strings.Cut(strings.TrimSpace(lines[i]), ": in "); found {
			where = " (" + pos + ")"
			break
		}
	}
	return strings.TrimSpace(head) + " " + msg + where
}

func normalizeMap(m map[string]any) map[string]any { return jsonvalue.NormalizeMap(m) }
