package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestREPLTerminal drives `machinable repl` in a real terminal (tmux):
// a multi-line def, expression echo, an error and then a good statement,
// Ctrl-C during a long loop, execute() and a query, Tab completion, and the
// history file written on Ctrl-D, and read back by a second session
// started as `machinable` without arguments.
func TestREPLTerminal(t *testing.T) {
	requireTmux(t)
	bin := binary(t)
	dir := quickstart(t)
	history := filepath.Join(t.TempDir(), "history")
	m := startTmux(t, dir, 150, 50, fmt.Sprintf("env MACHINABLE_HISTORY=%s %q repl; echo EXIT=$?; sleep 600", history, bin))
	waitScreen := func(what string, re *regexp.Regexp) string {
		t.Helper()
		return m.waitScreen(what, re, 20*time.Second)
	}
	typeLine := m.typeLine
	waitScreen("the prompt", regexp.MustCompile(`(?m)^>>>\s*$`))

	typeLine("def double(x):")
	waitScreen("the continuation prompt", regexp.MustCompile(`(?m)^\.\.\.\s*$`))
	typeLine("    return x * 2")
	typeLine("")
	typeLine("double(21)")
	waitScreen("the def's result", regexp.MustCompile(`(?m)^42$`))

	typeLine("1 + 2")
	waitScreen("expression echo", regexp.MustCompile(`(?m)^3$`))

	typeLine("undefined_name")
	waitScreen("the error", regexp.MustCompile(`undefined: undefined_name`))
	typeLine("y = 7")
	typeLine("y * 6")
	waitScreen("the session going on after an error", regexp.MustCompile(`(?m)^42\n(.*\n)*>>> y \* 6\n42$`))

	typeLine("for i in range(1000000000):")
	typeLine("    pass")
	typeLine("")
	time.Sleep(500 * time.Millisecond)
	m.keys("C-c")
	waitScreen("the loop cancelled", regexp.MustCompile(`interrupted \(Ctrl-C\)`))
	typeLine("y + 1")
	waitScreen("the session after Ctrl-C", regexp.MustCompile(`(?m)^8$`))

	typeLine(`run = execute(Experiment().component("optimization").repeat(2), seed=42)`)
	waitScreen("execute", regexp.MustCompile(`Experiment 8gWVkz: 2 finished, 0 failed`))
	typeLine(`Storage("mem://").find(run.experiment_id).components.pluck("id")`)
	waitScreen("the query", regexp.MustCompile(`\["e9DJBHuoiCvn", "XfOWPgKJCcuh"\]`))

	m.run("send-keys", "-t", "main", "-l", "run.experi") // no Enter: Tab completes
	m.keys("Tab")
	m.keys("Enter")
	waitScreen("Tab completion", regexp.MustCompile(`(?m)^"8gWVkz"$`))

	m.keys("C-d")
	waitScreen("exit", regexp.MustCompile(`EXIT=0`))
	hist, err := os.ReadFile(history)
	if err != nil || !strings.Contains(string(hist), "double(21)") || !strings.Contains(string(hist), "y * 6") {
		t.Errorf("history file: %v\n%s", err, hist)
	}

	// A second session — `machinable` without arguments on a terminal is
	// the REPL — reads that history back: Up recalls the last statement.
	m2 := startTmux(t, dir, 150, 20, fmt.Sprintf("env MACHINABLE_HISTORY=%s %q; echo EXIT=$?; sleep 600", history, bin))
	m2.waitScreen("the prompt of the second session", regexp.MustCompile(`(?m)^>>>\s*$`), 20*time.Second)
	m2.keys("Up")
	m2.waitScreen("the recalled statement", regexp.MustCompile(`(?m)^>>> run\.experiment_id\s*$`), 20*time.Second)
	m2.keys("C-u", "C-d")
	m2.waitScreen("exit", regexp.MustCompile(`EXIT=0`), 20*time.Second)
}

// TestREPLPiped: without a terminal the REPL reads statements from stdin
// without prompts; a failing statement does not stop it, but makes the
// exit status 1.
func TestREPLPiped(t *testing.T) {
	dir := quickstart(t)
	cmd := exec.Command(binary(t), "repl")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader("def f(x):\n    return x + 1\n\nf(1)\nnope\nr = execute(\"optimization\", seed=42)\nr.components.count()\nprint(Storage(\"mem://\").find(\"8gWVkz\").id)\n")
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{"2\n", "undefined: nope", "1\n", "8gWVkz\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, ">>>") {
		t.Errorf("prompts without a terminal:\n%s", s)
	}
}
