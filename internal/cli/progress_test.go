package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/executor"
)

func TestDisplayChoice(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "console")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	yes := func(*os.File) bool { return true }
	no := func(*os.File) bool { return false }
	env := func(kv ...string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1], true
				}
			}
			return "", false
		}
	}
	for _, c := range []struct {
		name        string
		console     io.Writer
		terminal    func(*os.File) bool
		env         func(string) (string, bool)
		live, color bool
	}{
		{"terminal", f, yes, env("TERM", "xterm-256color"), true, true},
		{"NO_COLOR", f, yes, env("TERM", "xterm", "NO_COLOR", "1"), true, false},
		{"NO_COLOR empty", f, yes, env("NO_COLOR", ""), true, false},
		{"TERM=dumb", f, yes, env("TERM", "dumb"), false, false},
		{"file", f, no, env(), false, false},
		{"pipe or buffer", &bytes.Buffer{}, yes, env(), false, false},
		{"nil", nil, yes, env(), false, false},
	} {
		live, color := display(c.console, c.terminal, c.env)
		if live != c.live || color != c.color {
			t.Errorf("%s: live %v color %v, want %v %v", c.name, live, color, c.live, c.color)
		}
	}
	// not a terminal: the plain reporter
	if _, ok := reporterFor(f)().(*executor.PlainReporter); !ok {
		t.Error("a regular file should get the plain reporter")
	}
}

// slowQuickstart is the quickstart plus a dozen slow components, one of
// which fails, run three at a time: 13 components.
func slowQuickstart(t *testing.T) string {
	dir := quickstart(t)
	star := `def on_execute(self):
    for i in range(self.config.n):
        pass
    if self.config.fail:
        fail("boom")
    print("slow done", self.config.n)
`
	exp := `e = Experiment().component("slow", [{"fail": False}] * 12 + [{"fail": True}])
execute(e, storage="./results", seed=7, engine="native:3")
`
	yaml, err := os.ReadFile(filepath.Join(dir, "machinable.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	yaml = append(yaml, "  - slow:\n      n: 20000000\n      fail: false\n"...)
	for name, text := range map[string]string{"slow.star": star, "slow_experiment.star": exp, "machinable.yaml": string(yaml)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var (
	failedLineRE = regexp.MustCompile(`(?m)^\[\d+/13\] \w{12} slow failed in \S+: on_execute: Error in fail: boom \(\S+slow.star:5:\d+\)$`)
	summaryRE    = regexp.MustCompile(`(?m)^Experiment \w{6}: 12 finished, 1 failed in \S+\n  failed: \w{12} slow: on_execute: Error in fail: boom \(\S+slow.star:5:\d+\)$`)
	printRE      = regexp.MustCompile(`(?m)^\w{12} \| slow done 20000000$`)
)

// TestProgressPiped: a pipe gets plain lines, no escape codes.
func TestProgressPiped(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := binary(t)
	dir := slowQuickstart(t)
	cmd := exec.Command(bin, "run", "slow_experiment.star")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TERM=xterm-256color") // a pipe even so
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != ExitFailed {
		t.Fatalf("exit: %v, want 1\n%s\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	if strings.Contains(out, "\x1b[") || strings.Contains(stderr.String(), "\x1b[") {
		t.Errorf("escape codes in piped output:\n%q", out)
	}
	if !strings.HasPrefix(out, "Experiment ") {
		t.Errorf("the experiment ID should come first:\n%s", out)
	}
	if n := len(regexp.MustCompile(`(?m)^\[\d+/13\] `).FindAllString(out, -1)); n != 13 {
		t.Errorf("%d lines for finished components, want 13:\n%s", n, out)
	}
	if !failedLineRE.MatchString(out) || !summaryRE.MatchString(out) || len(printRE.FindAllString(out, -1)) != 12 {
		t.Errorf("failure line, summary or component output missing:\n%s", out)
	}
}

// TestProgressTerminal runs the binary in a tmux pane (120x30) and reads
// the screen: the live line while components run, failures above it as
// they happen, component output above it, the summary at the end, in
// color unless NO_COLOR is set.
func TestProgressTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	requireTmux(t)
	bin := binary(t)
	for _, noColor := range []bool{false, true} {
		t.Run(fmt.Sprintf("NO_COLOR=%v", noColor), func(t *testing.T) {
			dir := slowQuickstart(t)
			env := "env -u NO_COLOR"
			if noColor {
				env = "env NO_COLOR=1"
			}
			m := startTmux(t, dir, 120, 30, fmt.Sprintf("%s %q run slow_experiment.star; echo EXIT=$?; sleep 600", env, bin))
			screen := m.screen
			// the live line: done/total, running, failed, queued, bar, percentage, ETA, elapsed
			live := regexp.MustCompile(`(?m)^ ?\d+/13 done  running [1-3]\s+failed [01]\s+queued \d+\s+\[[=>-]+\]\s+\d+ %  ETA (\?|\d\S*)  elapsed \d\S*$`)
			// and later, with some done, an ETA in seconds
			later := regexp.MustCompile(`(?m)^ ?([1-9]|1[0-2])/13 done  running [1-3]\s+failed [01]\s+queued \d+\s+\[=+>?-*\]\s+\d+ %  ETA \d+(\.\d+)?m?s  elapsed \d\S*$`)
			var seen, seenLater string
			deadline := time.Now().Add(2 * time.Minute)
			for {
				s := screen()
				if seen == "" && live.MatchString(s) {
					seen = s
				}
				if seenLater == "" && later.MatchString(s) {
					seenLater = s
				}
				if strings.Contains(s, "EXIT=") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no end within 2 minutes:\n%s", s)
				}
				time.Sleep(40 * time.Millisecond)
			}
			if seen == "" || seenLater == "" {
				t.Errorf("never saw the live line while components ran (at start: %v, later with an ETA: %v)", seen != "", seenLater != "")
			} else {
				t.Logf("live:\n%s", strings.TrimRight(seenLater, "\n"))
			}
			final := screen()
			t.Logf("final:\n%s", strings.TrimRight(final, "\n"))
			lines := strings.Split(final, "\n")
			if !strings.HasPrefix(lines[0], "Experiment ") || !strings.Contains(lines[0], "13 component(s), engine native:3") {
				t.Errorf("first line should name the experiment: %q", lines[0])
			}
			if !failedLineRE.MatchString(final) {
				t.Error("no failure line")
			}
			if !summaryRE.MatchString(final) || !strings.Contains(final, "\nEXIT=1\n") {
				t.Error("no summary, or exit status not 1")
			}
			if n := len(printRE.FindAllString(final, -1)); n != 12 {
				t.Errorf("%d whole lines of component output, want 12", n)
			}
			// one bar, complete, the last line before the summary: not garbled by output
			bars := regexp.MustCompile(`(?m)^.*/13 done.*$`).FindAllString(final, -1)
			endBar := regexp.MustCompile(`^13/13 done  running 0\s+failed 1\s+queued 0\s+\[=+\] 100 %  elapsed \d\S*$`)
			if len(bars) != 1 || !endBar.MatchString(bars[0]) {
				t.Errorf("want one complete bar line, got %q", bars)
			}
			if !regexp.MustCompile(`(?m)^13/13 done.*\nExperiment \w{6}: 12 finished`).MatchString(final) {
				t.Error("the summary should follow the bar")
			}
			if strings.Contains(final, "finished in") {
				t.Error("finished components get no line of their own on a terminal")
			}
			colored := m.run("capture-pane", "-p", "-J", "-S", "-", "-e", "-t", "main")
			red := regexp.MustCompile(`\x1b\[31m\[\d+/13\] \w{12} slow failed`)
			if noColor && strings.Contains(colored, "\x1b[31m") {
				t.Errorf("red with NO_COLOR:\n%q", colored)
			}
			if !noColor && !red.MatchString(colored) {
				t.Errorf("failure line not red:\n%q", colored)
			}
		})
	}
}

// TestProgressOff: on a real terminal (tmux), --no-progress and TERM=dumb
// give the plain lines of a pipe: a line per finished component, no bar.
// Without either, the same run draws the bar (the terminal is real).
func TestProgressOff(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	requireTmux(t)
	bin := binary(t)
	bar := regexp.MustCompile(`(?m)^3/3 done  running 0`)
	plainLine := regexp.MustCompile(`(?m)^\[3/3\] \w{12} optimization finished in \S+$`)
	for _, c := range []struct {
		name, command string
		plain         bool
	}{
		{"bar", fmt.Sprintf("env TERM=xterm %q run experiment.star", bin), false},
		{"--no-progress", fmt.Sprintf("env TERM=xterm %q run experiment.star --no-progress", bin), true},
		{"--no-progress before the command", fmt.Sprintf("env TERM=xterm %q --no-progress execute optimization --storage ./results --repeat 3", bin), true},
		{"TERM=dumb", fmt.Sprintf("env TERM=dumb %q run experiment.star", bin), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := startTmux(t, quickstart(t), 120, 30, c.command+"; echo EXIT=$?; sleep 600")
			s := m.waitScreen("exit status", regexp.MustCompile(`EXIT=\d+`), time.Minute)
			if !strings.Contains(s, "EXIT=0") || !strings.Contains(s, "3 finished, 0 failed") {
				t.Fatalf("run failed:\n%s", s)
			}
			if c.plain && (bar.MatchString(s) || !plainLine.MatchString(s)) {
				t.Errorf("want plain lines and no bar:\n%s", s)
			}
			if !c.plain && (!bar.MatchString(s) || plainLine.MatchString(s)) {
				t.Errorf("want the bar and no line per component:\n%s", s)
			}
		})
	}
}
