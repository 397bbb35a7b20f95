package cli

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// requireTmux skips without tmux, unless CI requires it
// (MACHINABLE_REQUIRE_SERVICES=1): then the test fails.
func requireTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("MACHINABLE_REQUIRE_SERVICES") == "1" {
			t.Fatal("tmux is required (MACHINABLE_REQUIRE_SERVICES=1) but not installed: apt-get install -y tmux")
		}
		t.Skip("tmux not installed (apt-get install -y tmux); the terminal is not tested. Set MACHINABLE_REQUIRE_SERVICES=1 to fail instead")
	}
}

// tmux drives a real terminal on its own server (-L), without the user's
// configuration.
type tmux struct {
	t      *testing.T
	socket string
}

// startTmux runs command (a shell line) in a cols×rows terminal in dir,
// in a session "main" of a new tmux server that the test's cleanup kills.
// End the command with `; echo EXIT=$?; sleep 600` to read its exit
// status from the screen.
func startTmux(t *testing.T, dir string, cols, rows int, command string) tmux {
	t.Helper()
	m := tmux{t, fmt.Sprintf("machinable-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	m.run("new-session", "-d", "-x", fmt.Sprint(cols), "-y", fmt.Sprint(rows), "-s", "main", "-c", dir, command)
	socket := strings.TrimSpace(m.run("display-message", "-p", "#{socket_path}"))
	t.Cleanup(func() {
		exec.Command("tmux", "-L", m.socket, "kill-server").Run()
		os.Remove(socket) // kill-server leaves it
	})
	return m
}

func (m tmux) run(args ...string) string {
	m.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-L", m.socket, "-f", "/dev/null"}, args...)...)
	cmd.Env = withoutEnv(os.Environ(), "TMUX")
	out, err := cmd.CombinedOutput()
	if err != nil {
		m.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// screen is what the terminal shows, with what scrolled off (-S -) and
// wrapped lines joined (-J).
func (m tmux) screen() string { return m.run("capture-pane", "-p", "-J", "-S", "-", "-t", "main") }

// keys sends keys ("Enter", "C-c", or words) to the terminal.
func (m tmux) keys(keys ...string) { m.run(append([]string{"send-keys", "-t", "main"}, keys...)...) }

// typeLine types line literally, then Enter.
func (m tmux) typeLine(line string) {
	m.run("send-keys", "-t", "main", "-l", line)
	m.keys("Enter")
}

// waitScreen waits until the screen matches re and returns it.
func (m tmux) waitScreen(what string, re *regexp.Regexp, timeout time.Duration) string {
	m.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := m.screen()
		if re.MatchString(s) {
			return s
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("no %s on the screen within %s:\n%s", what, timeout, s)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func withoutEnv(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
