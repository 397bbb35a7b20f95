package storage

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var hostname = sync.OnceValue(func() string {
	h, _ := os.Hostname()
	return h
})

// Hostname is this machine's name as stored in status.json.
func Hostname() string { return hostname() }

// bootID names this boot of the machine (Linux:
// /proc/sys/kernel/random/boot_id), "" where unknown. A process start
// time means something only within one boot.
var bootID = sync.OnceValue(func() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
})

// SetProcess records in st the process that runs the component: this
// host (and its boot), this process's ID and its start time, so that a
// reader can tell whether that very process still runs.
func (st *Status) SetProcess() {
	st.Host, st.PID = Hostname(), os.Getpid()
	st.PIDStart = processStart(st.PID)
	st.BootID = bootID()
}

// procInfo is what the system says about a process ID.
type procInfo struct {
	exists bool
	zombie bool   // exited, not yet reaped by its parent
	start  uint64 // start time in clock ticks after boot; 0: unknown
}

// inspectProcess looks a process up: /proc/<pid>/stat where there is one
// (Linux), else signal 0 (existence only).
func inspectProcess(pid int) procInfo {
	if pid <= 0 {
		return procInfo{}
	}
	if state, start, err := readProcStat(pid); err == nil {
		return procInfo{exists: true, zombie: state == "Z" || state == "X", start: start}
	} else if errors.Is(err, os.ErrNotExist) && procMounted() {
		return procInfo{}
	}
	return procInfo{exists: processAlive(pid)}
}

// processStart is the start time of a process (Linux: field 22 of
// /proc/<pid>/stat, clock ticks after boot), 0 where unknown.
func processStart(pid int) uint64 {
	_, start, err := readProcStat(pid)
	if err != nil {
		return 0
	}
	return start
}

var procMounted = sync.OnceValue(func() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
})

// readProcStat reads the state (field 3) and start time (field 22) of
// /proc/<pid>/stat. The command name (field 2) is in parentheses and
// may itself hold spaces and parentheses: fields are counted after the
// last ')'.
func readProcStat(pid int) (state string, start uint64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, err
	}
	return parseProcStat(string(b))
}

func parseProcStat(s string) (state string, start uint64, err error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", 0, fmt.Errorf("/proc stat: no command name in %q", s)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3
	if len(f) < 20 {
		return "", 0, fmt.Errorf("/proc stat: %d fields after the command name", len(f))
	}
	start, err = strconv.ParseUint(f[22-3], 10, 64)
	return f[0], start, err
}

// processAlive reports whether a process of that pid exists (signal 0).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Liveness is the verdict on a component whose status.json says
// running: whether some process still runs it, and why.
type Liveness struct {
	// Alive: a process runs it; false: it is stale, a resume runs it
	// again.
	Alive bool
	// Reason says how it was decided, e.g. "process 4242 is gone" or
	// "last heartbeat 5m3s ago, expected every 10s".
	Reason string
	// HeartbeatAge is how long ago its heartbeat last beat; negative
	// when status.json has none.
	HeartbeatAge time.Duration
	// Every is its heartbeat interval (status.json's heartbeat_every,
	// else 10 s).
	Every time.Duration
}

// staleAfter is how many heartbeat intervals may pass without a beat
// before a component is stale (plus a little slack for slow storage).
const staleAfter = 3

// Liveness decides whether the component is still being run. On the
// host (and boot) that runs it, the process decides: the recorded PID
// gone, a zombie, or another process under that PID (its start time
// differs from the one recorded) means stale at once; the same process
// means alive. Without a recorded start time (older status.json files,
// systems without /proc) a process that exists proves nothing, as PIDs
// are reused: the heartbeat decides. On any other host the heartbeat
// alone decides: stale once it is older than three intervals.
func (st Status) Liveness(now time.Time) Liveness {
	every := time.Duration(st.HeartbeatEvery * float64(time.Second))
	if every <= 0 {
		every = 10 * time.Second
	}
	l := Liveness{HeartbeatAge: -1, Every: every}
	if st.HeartbeatAt != nil {
		l.HeartbeatAge = max(now.Sub(*st.HeartbeatAt), 0)
	}
	if st.Status != StatusRunning {
		l.Reason = "status " + st.Status
		return l
	}
	if st.PID > 0 && st.Host != "" && st.Host == hostname() && (st.BootID == "" || st.BootID == bootID()) {
		p := inspectProcess(st.PID)
		switch {
		case !p.exists:
			l.Reason = fmt.Sprintf("process %d is gone", st.PID)
			return l
		case p.zombie:
			l.Reason = fmt.Sprintf("process %d has exited (a zombie)", st.PID)
			return l
		case st.PIDStart != 0 && p.start != 0 && st.PIDStart != p.start:
			l.Reason = fmt.Sprintf("process %d is another process now (the one that ran it is gone)", st.PID)
			return l
		case st.PIDStart != 0 && p.start != 0:
			l.Alive, l.Reason = true, fmt.Sprintf("process %d runs it", st.PID)
			return l
		}
	}
	window := staleAfter*every + 2*time.Second
	switch {
	case st.HeartbeatAt == nil:
		l.Reason = "no heartbeat"
	case l.HeartbeatAge <= window:
		l.Alive = true
		l.Reason = fmt.Sprintf("last heartbeat %s ago", roundAge(l.HeartbeatAge))
	default:
		l.Reason = fmt.Sprintf("last heartbeat %s ago, expected every %s", roundAge(l.HeartbeatAge), every)
	}
	return l
}

// roundAge rounds a duration for people: to seconds above a second.
func roundAge(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}
