package storage

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestLivenessNotByPIDAlone: a status.json naming a process that exists
// but is not the one that ran the component — PID 1 (as in a container),
// or this very process with a start time other than its own — and an old
// heartbeat is stale; the same with the right start time is alive
// whatever the heartbeat; older files without a start time are judged by
// the heartbeat when the PID exists; another host by the heartbeat only.
func TestLivenessNotByPIDAlone(t *testing.T) {
	if processStart(os.Getpid()) == 0 {
		t.Skip("no /proc/<pid>/stat: process start times unknown here")
	}
	now := time.Now()
	old, fresh := now.Add(-time.Hour), now.Add(-time.Second)
	self := Status{Status: StatusRunning}
	self.SetProcess()
	if self.PIDStart == 0 || self.Host == "" || self.PID != os.Getpid() {
		t.Fatalf("SetProcess: %+v", self)
	}
	with := func(mod func(*Status)) Status {
		st := self
		st.HeartbeatEvery = 10
		mod(&st)
		return st
	}
	for _, c := range []struct {
		name  string
		st    Status
		alive bool
		why   string
	}{
		{"PID 1, no start time, old heartbeat", with(func(s *Status) { s.PID, s.PIDStart, s.BootID, s.HeartbeatAt = 1, 0, "", &old }), false, "last heartbeat 1h0m0s ago, expected every 10s"},
		{"PID 1, other start time, old heartbeat", with(func(s *Status) { s.PID, s.PIDStart, s.HeartbeatAt = 1, self.PIDStart+7, &old }), false, "process 1 is another process"},
		{"own PID, wrong start time, old heartbeat", with(func(s *Status) { s.PIDStart, s.HeartbeatAt = self.PIDStart+1, &old }), false, "is another process"},
		{"own PID, wrong start time, fresh heartbeat", with(func(s *Status) { s.PIDStart, s.HeartbeatAt = self.PIDStart+1, &fresh }), false, "is another process"},
		{"own PID, right start time, fresh heartbeat", with(func(s *Status) { s.HeartbeatAt = &fresh }), true, "runs it"},
		{"own PID, right start time, old heartbeat (stopped, e.g. Ctrl-Z)", with(func(s *Status) { s.HeartbeatAt = &old }), true, "runs it"},
		{"older file: own PID, fresh heartbeat", with(func(s *Status) { s.PIDStart, s.BootID, s.HeartbeatAt = 0, "", &fresh }), true, "last heartbeat 1s ago"},
		{"older file: own PID, old heartbeat", with(func(s *Status) { s.PIDStart, s.BootID, s.HeartbeatAt = 0, "", &old }), false, "last heartbeat 1h0m0s ago"},
		{"another boot of this host: heartbeat only", with(func(s *Status) { s.BootID, s.HeartbeatAt = "another-boot", &old }), false, "last heartbeat"},
		{"another host, fresh heartbeat", with(func(s *Status) { s.Host, s.PID, s.HeartbeatAt = "elsewhere", 1, &fresh }), true, "last heartbeat"},
		{"another host, old heartbeat", with(func(s *Status) { s.Host, s.PID, s.HeartbeatAt = "elsewhere", 1, &old }), false, "last heartbeat"},
		{"no heartbeat at all", with(func(s *Status) { s.Host, s.HeartbeatAt = "elsewhere", nil }), false, "no heartbeat"},
		{"heartbeat_every honoured", with(func(s *Status) {
			s.Host, s.HeartbeatEvery = "elsewhere", 0.1
			t := now.Add(-3 * time.Second)
			s.HeartbeatAt = &t
		}), false, "expected every 100ms"},
	} {
		l := c.st.Liveness(now)
		if l.Alive != c.alive || !strings.Contains(l.Reason, c.why) || c.st.Running(now) != c.alive {
			t.Errorf("%s: %+v, want alive=%v, reason with %q", c.name, l, c.alive, c.why)
		}
		want := map[bool]string{true: "running", false: "stale"}[c.alive]
		if got := c.st.State(now); got != want {
			t.Errorf("%s: state %s, want %s", c.name, got, want)
		}
	}
}

// TestLivenessZombie: a process that exited but was not reaped still
// answers kill(pid, 0); it does not run the component any more.
func TestLivenessZombie(t *testing.T) {
	if processStart(os.Getpid()) == 0 {
		t.Skip("no /proc/<pid>/stat")
	}
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	pid := cmd.Process.Pid
	deadline := time.Now().Add(10 * time.Second)
	for {
		state, _, err := readProcStat(pid)
		if err == nil && state == "Z" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %d never became a zombie (state %q, %v)", pid, state, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	now := time.Now()
	st := Status{Status: StatusRunning, Host: Hostname(), PID: pid, HeartbeatAt: &now, HeartbeatEvery: 10}
	if l := st.Liveness(now); l.Alive || !strings.Contains(l.Reason, "zombie") {
		t.Errorf("zombie: %+v", l)
	}
}

// TestLivenessStatusJSON: the start time and boot are written next to
// the PID, and a status.json of an older version (without them) still
// reads.
func TestLivenessStatusJSON(t *testing.T) {
	_, c := newComponent(t)
	now := time.Now().UTC()
	st := Status{Status: StatusRunning, StartedAt: &now, HeartbeatAt: &now, HeartbeatEvery: 10}
	st.SetProcess()
	if err := c.WriteStatus(st); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	b, _ := os.ReadFile(c.Path + "/status.json")
	if err := json.Unmarshal(b, &raw); err != nil || raw["pid_start"] == nil || raw["pid"] == nil || raw["host"] == nil {
		t.Errorf("status.json: %s", b)
	}
	if got, err := c.ReadStatus(); err != nil || !got.Running(time.Now()) || got.PIDStart != st.PIDStart {
		t.Errorf("read back %+v %v", got, err)
	}
	legacy := `{"status": "running", "started_at": "2020-01-02T03:04:05Z", "heartbeat_at": "2020-01-02T03:04:05Z", "host": "` +
		Hostname() + `", "pid": 1, "heartbeat_every": 10}`
	if err := os.WriteFile(c.Path+"/status.json", []byte(legacy), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := c.ReadStatus()
	if err != nil || got.PIDStart != 0 || got.Running(time.Now()) || got.State(time.Now()) != "stale" {
		t.Errorf("older status.json: %+v %v", got, err)
	}
}

func TestParseProcStat(t *testing.T) {
	state, start, err := parseProcStat("42 (a) b) (c) S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 98765 0 0")
	if err != nil || state != "S" || start != 98765 {
		t.Errorf("%q %d %v", state, start, err)
	}
	if _, _, err := parseProcStat("garbage"); err == nil {
		t.Error("garbage parsed")
	}
}
