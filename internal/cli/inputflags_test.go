package cli

import (
	"github.com/machinable-go/machinable/internal/syncbuf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/machinable-go/machinable/seeding"
)

// TestExecuteRepeatFlags: a negative --repeat or --split is refused
// before anything runs, naming the flag and what it takes; 0 runs the
// component once without repeat flags, as repeat(0) does in a script.
func TestExecuteRepeatFlags(t *testing.T) {
	dir := quickstart(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--repeat", "-1"}, "error: --repeat -1: expected a number of trials >= 0"},
		{[]string{"--split", "-3"}, "error: --split -3: expected a number of trials >= 0"},
	} {
		stdout, stderr, code := runMain(t, dir, append([]string{"execute", "optimization", "--engine", "dry"}, tc.args...)...)
		if code != ExitError || !strings.Contains(stderr, tc.want) || strings.Contains(stdout, "Experiment") {
			t.Errorf("%v: exit %d\nstderr %s\nstdout %s", tc.args, code, stderr, stdout)
		}
	}
	for _, flag := range []string{"--repeat", "--split"} {
		stdout, stderr, code := runMain(t, dir, "execute", "optimization", "--engine", "dry", flag, "0", "--seed", "42")
		if code != 0 || !strings.Contains(stdout, "dry run of 1 component(s)") || strings.Contains(stdout, "REPEAT_") || strings.Contains(stdout, "SPLIT_") {
			t.Errorf("%s 0: exit %d\nstderr %s\nstdout %s", flag, code, stderr, stdout)
		}
	}
	// A repeat too large to schedule is refused before anything is
	// allocated for it.
	stdout, stderr, code := runMain(t, dir, "execute", "optimization", "--engine", "dry", "--repeat", "1099511627776")
	if code != ExitError || !strings.Contains(stderr, "1000000") || strings.Contains(stdout, "dry run") {
		t.Errorf("--repeat 2**40: exit %d\nstderr %s\nstdout %s", code, stderr, stdout)
	}
}

// TestSeedFlagIDForm: --seed 123456 is the integer seed 123456; the
// experiment whose ID is 123456 is --seed id:123456. IDs below 62**5 (a
// leading 0) are refused with the range.
func TestSeedFlagIDForm(t *testing.T) {
	dir := quickstart(t)
	asInt, err := seeding.EncodeExperimentID(seeding.GlobalSeedFromInt(123456))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		seed, id string
	}{
		{"123456", asInt},
		{"id:123456", "123456"},
		{"id:8gWVkz", "8gWVkz"},
		{"8gWVkz", "8gWVkz"},
	} {
		for _, cmd := range [][]string{{"execute", "optimization"}, {"run", "experiment.star"}} {
			stdout, stderr, code := runMain(t, dir, append(cmd, "--engine", "dry", "--seed", tc.seed)...)
			if code != 0 || !strings.HasPrefix(stdout, "Experiment "+tc.id+" ") {
				t.Errorf("%v --seed %s: exit %d, want experiment %s\nstderr %s\nstdout %s", cmd, tc.seed, code, tc.id, stderr, stdout)
			}
		}
	}
	for _, tc := range []struct{ seed, want string }{
		{"id:012345", `--seed "id:012345": expected id: followed by a 6-character experiment ID: invalid experiment ID "012345": expected a first character from 1-9`},
		{"0abcde", `--seed "0abcde": expected an integer or a 6-character experiment ID (id:ID for an ID of digits): invalid experiment ID "0abcde": expected a first character from 1-9`},
		{"id:42", `--seed "id:42": expected id: followed by a 6-character experiment ID: invalid experiment ID "42": expected 6 characters`},
	} {
		stdout, stderr, code := runMain(t, dir, "execute", "optimization", "--engine", "dry", "--seed", tc.seed)
		if code != ExitError || !strings.Contains(stderr, tc.want) || strings.Contains(stdout, "Experiment") {
			t.Errorf("--seed %s: exit %d\nstderr %s\nstdout %s", tc.seed, code, stderr, stdout)
		}
	}
}

// TestFirstInterruptStopsScriptCode: the first Ctrl-C stops Starlark code
// that runs while the plan is read and resolved (a loop at the top of a
// load()ed file, a config method), not only running components; the run
// exits with 130.
func TestFirstInterruptStopsScriptCode(t *testing.T) {
	dir := quickstart(t)
	os.WriteFile(filepath.Join(dir, "spin.star"), []byte("x = 0\nwhile True:\n    x += 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "loads.star"), []byte(`print("loading")`+"\n"+`load("spin.star", "x")`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "method.star"), []byte("def config_spin(self):\n    print('spinning')\n    while True:\n        pass\n"), 0o644)
	yaml, _ := os.ReadFile(filepath.Join(dir, "machinable.yaml"))
	os.WriteFile(filepath.Join(dir, "machinable.yaml"), append(yaml, []byte("  - method:\n      v: spin()\n")...), 0o644)
	os.WriteFile(filepath.Join(dir, "methods.star"), []byte(`print("loading")`+"\n"+`execute("method", engine="dry")`+"\n"), 0o644)
	for _, script := range []string{"loads.star", "methods.star"} {
		t.Run(script, func(t *testing.T) {
			var out syncbuf.Buffer // read while the process writes
			cmd := spawn(t, dir, &out, "run", script)
			waitFor(t, 30*time.Second, "the script to start", func() bool { return strings.Contains(out.String(), "loading") })
			time.Sleep(300 * time.Millisecond)
			done := make(chan error, 1)
			start := time.Now()
			cmd.Process.Signal(syscall.SIGINT)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != ExitInterrupted {
					t.Errorf("exit: %v, want %d\n%s", err, ExitInterrupted, out.String())
				}
				if took := time.Since(start); took > 5*time.Second {
					t.Errorf("exit took %s after the first Ctrl-C", took)
				}
			case <-time.After(15 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 15 s after the first Ctrl-C\n%s", out.String())
			}
		})
	}
}
