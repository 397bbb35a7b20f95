package cli

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

// TestTerminalPrompt: answers by word, first letter or Enter; a wrong
// answer asks again; end of input and silence take the default.
func TestTerminalPrompt(t *testing.T) {
	choices := []string{"cancel", "detach"}
	for _, tc := range []struct {
		input, want, shown string
	}{
		{"d\n", "detach", "Type c (cancel) or d (detach) and Enter; Enter alone: cancel."},
		{"DETACH\n", "detach", ""},
		{"\n", "cancel", ""},
		{"c\n", "cancel", ""},
		{"x\nd\n", "detach", `"x" is none of cancel, detach`},
		{"", "cancel", ""}, // end of input
	} {
		var out bytes.Buffer
		ask := terminalPrompt(strings.NewReader(tc.input), time.Minute)
		if got := ask(&out, "Cancel or detach?", choices); got != tc.want {
			t.Errorf("input %q: got %q, want %q", tc.input, got, tc.want)
		}
		if !strings.HasPrefix(out.String(), "Cancel or detach?\n") || !strings.Contains(out.String(), tc.shown) {
			t.Errorf("input %q: shown %q", tc.input, out.String())
		}
	}
	r, w := io.Pipe() // nobody answers
	defer w.Close()
	var out bytes.Buffer
	if got := terminalPrompt(r, 50*time.Millisecond)(&out, "Cancel?", choices); got != "cancel" || !strings.Contains(out.String(), "no answer within 50ms: cancel") {
		t.Errorf("silence: got %q, shown %q", got, out.String())
	}
}

func TestPickChoice(t *testing.T) {
	choices := []string{"cancel", "detach", "debug"}
	for answer, want := range map[string]string{"": "cancel", "c": "cancel", "De": "", "det": "detach", "debug": "debug", "z": ""} {
		got, ok := pickChoice(answer, choices)
		if got != want || ok != (want != "") {
			t.Errorf("%q: got %q %v, want %q", answer, got, ok, want)
		}
	}
}
