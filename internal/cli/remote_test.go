package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/internal/sshtest"
)

// TestRemoteEngine: the quickstart runs on "another host" — a real sshd on
// 127.0.0.1 — after rsync copied the project (not its ignored files) and
// the binary to ~/<directory>; its results equal the native run's.
func TestRemoteEngine(t *testing.T) {
	srv := sshtest.Start(t)
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := quickstart(t)
	os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("results/\nscratch.txt\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "scratch.txt"), []byte("ignored"), 0o644)
	// "~/..." as in the docs: the remote shell expands it (the sshd here
	// logs in as this user, so its home is ours)
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("machinable-remote-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	remoteDir := filepath.Join(home, name)
	t.Cleanup(func() { os.RemoveAll(remoteDir) })
	if _, stderr, code := runMain(t, dir, "run", "experiment.star", "--storage", "native"); code != 0 {
		t.Fatal(stderr)
	}
	args := []string{"run", "experiment.star", "--storage", filepath.Join(dir, "remote-results"),
		"--engine", "remote", "--engine-opt", "host=" + srv.Target(), "--engine-opt", "port=" + itoa(srv.Port),
		"--engine-opt", "identity=" + srv.Identity, "--engine-opt", "directory=~/" + name,
		"--engine-opt", "engine=native:2",
		"--engine-opt", "ssh_args=[-o, StrictHostKeyChecking=no, -o, UserKnownHostsFile=/dev/null, -o, LogLevel=ERROR]"}
	stdout, stderr, code := runMain(t, dir, args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"remote: copied", srv.Target() + " | Experiment 8gWVkz", "3 finished, 0 failed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(remoteDir, "optimization.star")); err != nil {
		t.Error("project not copied")
	}
	if _, err := os.Stat(filepath.Join(remoteDir, "scratch.txt")); err == nil {
		t.Error("a file .gitignore excludes was copied")
	}
	if _, err := os.Stat(filepath.Join(remoteDir, ".machinable", "bin", "machinable")); err != nil {
		t.Error("binary not copied to the host")
	}
	sameResults(t, filepath.Join(dir, "native", "8gWVkz"), filepath.Join(dir, "remote-results", "8gWVkz"), "remote", 9)
}

// TestRemoteCancel: cancelling the execution (Ctrl-C) interrupts the run
// on the host (SIGINT to the remote machinable): its running components
// end interrupted, none finished, and nothing of it keeps running.
func TestRemoteCancel(t *testing.T) {
	srv := sshtest.Start(t)
	t.Setenv("MACHINABLE_BINARY", binary(t))
	dir := spinProject(t, 50000000, 4, "")
	t.Chdir(dir)
	remoteDir := filepath.Join(t.TempDir(), "remote-project")
	res := executeSpinInterrupted(t, NewExecutor(nil), dir, 2, map[string]any{
		"type": "remote", "host": srv.Target(), "port": int64(srv.Port), "identity": srv.Identity,
		"directory": remoteDir, "engine": "native:2", "poll": "100ms",
		"ssh_args": []any{"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"},
	})
	if res.OK() || res.Counts().Finished != 0 {
		t.Errorf("a cancelled execution is not OK and finished nothing: %+v", res.Counts())
	}
	waitFor(t, 30*time.Second, "the remote run to record the interruption", func() bool {
		s := statuses(t, dir)
		return count(s, "running") == 0 && count(s, "interrupted") == 2
	})
	if s := statuses(t, dir); count(s, "finished") != 0 {
		t.Errorf("statuses after cancel: %v", s)
	}
	if pids := processesWith("resume", filepath.Join(dir, "results")); len(pids) != 0 {
		t.Errorf("the remote run still runs: pids %v", pids)
	}
}

// processesWith lists the pids whose command line holds every word.
func processesWith(words ...string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(cmdline) == 0 {
			continue
		}
		line := strings.ReplaceAll(string(cmdline), "\x00", " ")
		all := true
		for _, w := range words {
			all = all && strings.Contains(line, w)
		}
		if all {
			pids = append(pids, e.Name())
		}
	}
	return pids
}
