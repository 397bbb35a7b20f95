package cli

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestProcessEngineGroupInterrupt: Ctrl-C on a terminal sends SIGINT to
// the whole foreground process group — `machinable run` and its
// `process:2` workers alike. Every started component ends interrupted in
// its status.json (none stays running, none is failed), the report says
// the same, the exit status is 130, and a resume runs them all.
func TestProcessEngineGroupInterrupt(t *testing.T) {
	dir := spinProject(t, 50000000, 4, `, engine="process:2"`)
	var out bytes.Buffer
	cmd := exec.Command(binary(t), "run", "spin_run.star")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "MACHINABLE_HEARTBEAT=200ms")
	// Its own process group, as a shell gives a foreground job.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	t.Cleanup(func() { syscall.Kill(-pgid, syscall.SIGKILL); cmd.Wait() })
	waitFor(t, 60*time.Second, "two running components", func() bool { return count(statuses(t, dir), "running") == 2 })
	if err := syscall.Kill(-pgid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("no exit within 20 s of Ctrl-C\n%s", out.String())
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != ExitInterrupted {
		t.Errorf("exit: %v, want %d\n%s", err, ExitInterrupted, out.String())
	}
	s := statuses(t, dir)
	if len(s) != 2 || count(s, "interrupted") != 2 {
		t.Errorf("status.json of the started components: %v, want 2 interrupted\n%s", s, out.String())
	}
	for id := range s { // recorded by the worker itself, stopped by machinable with one SIGTERM
		var st struct{ Error string }
		readJSON(t, dir+"/results/hp2cEP/"+id+"/status.json", &st)
		if st.Error != "interrupted: received terminated" {
			t.Errorf("%s: error %q, want the worker's own record of the SIGTERM", id, st.Error)
		}
	}
	if n := len(regexp.MustCompile(`\] \w{12} spin interrupted in`).FindAllString(out.String(), -1)); n != 2 ||
		!strings.Contains(out.String(), "Experiment hp2cEP: 0 finished, 0 failed, 2 interrupted, 2 not run") ||
		strings.Contains(out.String(), " failed in ") {
		t.Errorf("the report should call both interrupted:\n%s", out.String())
	}
	if t.Failed() {
		return
	}
	// The workers are gone: nothing keeps running the components.
	if s := statuses(t, dir); count(s, "interrupted") != 2 {
		t.Errorf("statuses changed after the exit: %v", s)
	}
	// Quick now: resume loads the code from the project.
	os.WriteFile(dir+"/spin.star", []byte("def on_execute(self):\n    print(\"spun\", self.flags.COMPONENT_ID)\n"), 0o644)
	t.Setenv("MACHINABLE_BINARY", binary(t))
	stdout, stderr, code := runMain(t, dir, "resume", "hp2cEP", "--engine", "process:2")
	if code != 0 || !strings.Contains(stdout, "Resuming: 0 finished earlier (kept), 0 running elsewhere (left alone), 4 to run") ||
		count(statuses(t, dir), "finished") != 4 {
		t.Errorf("resume: exit %d\n%s%s\n%v", code, stdout, stderr, statuses(t, dir))
	}
}
