package cli

import (
	"strings"
	"testing"
)

// TestUnknownCommandAndHelpTopic: a command or help topic that does not
// exist is an error (exit 2) naming it and the nearest command.
func TestUnknownCommandAndHelpTopic(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"help", "exectue"}, `error: unknown help topic "exectue" (did you mean "machinable execute"?)` + "\n"},
		{[]string{"help", "nosuch"}, `error: unknown help topic "nosuch"; the commands are completion, config, execute, help, index, init, log, ls, records, repl, restore, resume, run, show, status, ui, vendor, version (machinable --help describes them)` + "\n"},
		{[]string{"exectue", "x"}, `error: unknown command "exectue" (did you mean "machinable execute"?)` + "\n"},
		{[]string{"nosuch"}, `error: unknown command "nosuch"; the commands are completion, config, `},
		{[]string{"res"}, `error: unknown command "res" (did you mean "machinable restore" or "machinable resume"?)` + "\n"},
		{[]string{"experiment.star"}, `error: unknown command "experiment.star" (did you mean "machinable run experiment.star"?)` + "\n"},
	} {
		stdout, stderr, code := runMain(t, dir, c.args...)
		if code != ExitError || !strings.HasPrefix(stderr, c.want) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, stdout, stderr, c.want)
		}
	}
	// known topics and no arguments still print help, exit 0
	for _, args := range [][]string{{"help", "run"}, {"help"}, {}, {"help", "worker"}} {
		stdout, stderr, code := runMain(t, dir, args...)
		if code != ExitOK || !strings.Contains(stdout, "Usage:") || stderr != "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

// TestWorkerHidden: engines start `machinable worker`; users do not see
// it in --help, and it still runs.
func TestWorkerHidden(t *testing.T) {
	dir := t.TempDir()
	stdout, _, _ := runMain(t, dir, "--help")
	if strings.Contains(stdout, "worker") || !strings.Contains(stdout, "execute") {
		t.Errorf("--help should list the commands but not worker:\n%s", stdout)
	}
	_, stderr, code := runMain(t, dir, "worker")
	if code != ExitError || !strings.Contains(stderr, "worker: expected the experiment URL") {
		t.Errorf("worker without arguments: exit %d, %q", code, stderr)
	}
}
