package executor

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/machinable-go/machinable/runtime"
)

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// ErrorSummary shortens an error for one console line: for a Starlark
// backtrace, the event, the message and where it was raised.
func ErrorSummary(s string) string {
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

// scheduleDiff names the first difference between a stored schedule and a
// newly resolved one, or returns "" when they are the same plan.
func scheduleDiff(stored, fresh []runtime.ScheduledComponent) string {
	if len(stored) != len(fresh) {
		return fmt.Sprintf("%d components stored, %d now", len(stored), len(fresh))
	}
	for i := range stored {
		a, _ := json.Marshal(stored[i])
		b, _ := json.Marshal(fresh[i])
		if string(a) != string(b) {
			return fmt.Sprintf("component %d (%s %s) has other config or flags", i+1, stored[i].ID, stored[i].Name)
		}
	}
	return ""
}

// planDiff compares the plan of an experiment stored in an earlier
// schedule format with the plan being executed, ignoring what the format
// change added to plans (a repeat's mode) or took away (its coverage).
func planDiff(stored, fresh *runtime.Experiment) string {
	if stored == nil || fresh == nil {
		return "no plan stored"
	}
	canon := func(e *runtime.Experiment) string {
		c := *e
		c.Repeats = make([]runtime.Repeat, len(e.Repeats))
		for i, r := range e.Repeats {
			r.Covers, r.Mode = 0, ""
			c.Repeats[i] = r
		}
		return compactJSON(&c)
	}
	if canon(stored) != canon(fresh) {
		return "the plan differs from the one stored"
	}
	return ""
}
