package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// TestStaleByPIDReuseResumed: three components marked running — one by
// PID 1 with an old heartbeat and no process start time (a status.json
// of an older version, written in a container whose init ran it), one by
// this test's own PID but with another start time and an old heartbeat
// (the PID was reused), one by this very process with a fresh heartbeat.
// `machinable status` calls the first two stale, with their heartbeat's
// age and why; `machinable resume` runs them again and leaves the live
// one alone.
func TestStaleByPIDReuseResumed(t *testing.T) {
	dir := spinProject(t, 1000, 3, "")
	if stdout, stderr, code := runMain(t, dir, "run", "spin_run.star"); code != 0 {
		t.Fatalf("run: %d\n%s%s", code, stdout, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "results", "hp2cEP", "*", "status.json"))
	sort.Strings(files)
	// The statuses below are written by hand over finished ones: the
	// journal, which would still say finished, goes.
	os.Remove(filepath.Join(dir, "results", "hp2cEP", "journal.jsonl"))
	if len(files) != 3 {
		t.Fatalf("status files %v", files)
	}
	self := storage.Status{}
	self.SetProcess()
	if self.PIDStart == 0 {
		t.Skip("no /proc/<pid>/stat: process start times unknown here")
	}
	old := time.Now().Add(-time.Hour).UTC()
	fresh := time.Now().UTC()
	ids := make([]string, 3)
	for i, f := range files {
		ids[i] = filepath.Base(filepath.Dir(f))
		var st storage.Status
		readJSON(t, f, &st)
		st.Status, st.FinishedAt, st.HeartbeatEvery = storage.StatusRunning, nil, 10
		switch i {
		case 0: // PID 1, as written before start times were recorded
			st.Host, st.PID, st.PIDStart, st.BootID, st.HeartbeatAt = storage.Hostname(), 1, 0, "", &old
		case 1: // this PID, but another process's start time
			st.Host, st.PID, st.PIDStart, st.BootID, st.HeartbeatAt = self.Host, self.PID, self.PIDStart+1, self.BootID, &old
		case 2: // this very process, beating
			st.Host, st.PID, st.PIDStart, st.BootID, st.HeartbeatAt = self.Host, self.PID, self.PIDStart, self.BootID, &fresh
		}
		b, _ := json.MarshalIndent(st, "", "  ")
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	live, _ := os.ReadFile(files[2])

	stdout, stderr, code := runMain(t, dir, "status", "hp2cEP")
	for _, want := range []string{
		ids[0] + `\s+spin\s+stale\s+\S+\s+\S+\s+1h0m0s ago`,
		ids[1] + `\s+spin\s+stale\s+\S+\s+\S+\s+1h0m0s ago`,
		ids[2] + `\s+spin\s+running\s+\S+\s+\S+\s+\d[\w.]* ago`,
		`stale ` + ids[0] + `: last heartbeat 1h0m0s ago, expected every 10s`,
		`stale ` + ids[1] + `: process \d+ is another process now \(the one that ran it is gone\); last heartbeat 1h0m0s ago`,
		`machinable resume hp2cEP runs the stale component\(s\) again`,
		`0 finished, 1 running, 0 failed, 0 interrupted, 2 stale, 0 queued`,
	} {
		if code != 0 || !regexp.MustCompile(want).MatchString(stdout) {
			t.Errorf("status lacks %s:\n%s%s", want, stdout, stderr)
		}
	}

	stdout, stderr, code = runMain(t, dir, "resume", "hp2cEP")
	if code != 0 || !strings.Contains(stdout, "Resuming: 0 finished earlier (kept), 1 running elsewhere (left alone), 2 to run") {
		t.Fatalf("resume: exit %d\n%s%s", code, stdout, stderr)
	}
	s := statuses(t, dir)
	if s[ids[0]] != "finished" || s[ids[1]] != "finished" || s[ids[2]] != "running" {
		t.Errorf("after resume: %v", s)
	}
	if now, _ := os.ReadFile(files[2]); string(now) != string(live) {
		t.Errorf("the live component's status.json changed:\n%s", now)
	}
	for _, id := range ids[:2] {
		if _, err := os.Stat(filepath.Join(dir, "results", "hp2cEP", id, "attempts", "1", "status.json")); err != nil {
			t.Errorf("%s: the stale attempt should be kept in attempts/1: %v", id, err)
		}
	}
}
