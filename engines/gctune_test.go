package engines

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func gcPercent() int {
	gcTune.mu.Lock()
	defer gcTune.mu.Unlock()
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestTuneGC: while tuned, a small heap gets a GOGC far above 100 (at
// most GCHeadroom over Go's 4 MB minimum), kept across collections;
// nested users share it and the last restore brings back 100.
func TestTuneGC(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC/GOMEMLIMIT set: tuning is off by design")
	}
	outer := TuneGC()
	inner := TuneGC()
	want := GCHeadroom * 100 / (4 << 20)
	for range 3 {
		runtime.GC()
	}
	deadline := time.Now().Add(5 * time.Second)
	for gcPercent() != want && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if p := gcPercent(); p != want {
		t.Errorf("GOGC %d while tuned with a small heap, want %d", p, want)
	}
	inner()
	inner() // twice is once
	if p := gcPercent(); p != want {
		t.Errorf("GOGC %d after the inner restore, want still %d", p, want)
	}
	outer()
	runtime.GC()
	if p := gcPercent(); p != 100 {
		t.Errorf("GOGC %d after the last restore, want 100", p)
	}
}

// TestTuneGCLeavesUserSetting: GOGC in the environment is the user's.
func TestTuneGCLeavesUserSetting(t *testing.T) {
	t.Setenv("GOGC", "50")
	before := gcPercent()
	defer TuneGC()()
	runtime.GC()
	if p := gcPercent(); p != before {
		t.Errorf("GOGC changed to %d with GOGC set", p)
	}
}

// TestTuneGCLeavesProgramSetting: a GOGC the embedding program set stays.
func TestTuneGCLeavesProgramSetting(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC/GOMEMLIMIT set")
	}
	old := debug.SetGCPercent(250)
	defer debug.SetGCPercent(old)
	restore := TuneGC()
	runtime.GC()
	if p := gcPercent(); p != 250 {
		t.Errorf("GOGC %d while tuned, want the program's 250", p)
	}
	restore()
	if p := gcPercent(); p != 250 {
		t.Errorf("GOGC %d after, want the program's 250", p)
	}
}
