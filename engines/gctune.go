package engines

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Starlark allocates a little on nearly every operation while keeping
// few objects alive, so with Go's default (collect when the heap doubled)
// a component with a 3 MB live heap collects every 3 MB of allocation:
// hundreds of cycles a second, each with pauses and write barriers that
// every running component pays for. While components run, TuneGC lets
// at least GCHeadroom of garbage build up between cycles (the heap goal
// is the live heap plus the larger of itself and GCHeadroom), which costs
// up to that much more memory and saves most of the cycles. A GOGC or
// GOMEMLIMIT in the environment is the user's choice: then nothing
// changes, as when the program set a GOGC of its own (SetGCPercent).
const GCHeadroom = 32 << 20

var gcTune struct {
	mu     sync.Mutex
	users  int
	active bool
	pct    int
}

// TuneGC starts the tuning until the returned function is called; calls
// nest (native:N and a worker in one process).
func TuneGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	gcTune.mu.Lock()
	defer gcTune.mu.Unlock()
	gcTune.users++
	if gcTune.users == 1 {
		// A program embedding machinable may have set its own GOGC.
		if prev := debug.SetGCPercent(100); prev != 100 {
			debug.SetGCPercent(prev)
		} else {
			gcTune.active = true
			gcTune.pct = 100
			retune()
			armGCHook()
		}
	}
	return sync.OnceFunc(func() {
		gcTune.mu.Lock()
		defer gcTune.mu.Unlock()
		gcTune.users--
		if gcTune.users == 0 && gcTune.active {
			gcTune.active = false
			gcTune.pct = 100
			debug.SetGCPercent(100)
		}
	})
}

// gcSentinel is garbage whose finalizer runs after each collection; big
// enough and with a pointer, so it is not batched with tiny objects.
type gcSentinel struct {
	_ [32]byte
	_ *int
}

func armGCHook() {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		gcTune.mu.Lock()
		defer gcTune.mu.Unlock()
		if gcTune.active {
			retune()
			armGCHook()
		}
	})
}

// retune sets GOGC for the heap just measured; gcTune.mu is held. Go's
// goal is live + (live + stacks + globals) × GOGC/100, at least 4 MB ×
// GOGC/100.
func retune() {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}}
	metrics.Read(s)
	var base uint64
	for _, v := range s {
		if v.Value.Kind() == metrics.KindUint64 {
			base += v.Value.Uint64()
		}
	}
	base = max(base, 1<<20)
	// Go's heap minimum (4 MB) scales with GOGC too: capped, a small
	// heap's goal stays near GCHeadroom.
	pct := int(min(max(100, GCHeadroom*100/base), GCHeadroom*100/(4<<20)))
	// Only a real change: the setting is global and taken under a lock.
	if pct*10 < gcTune.pct*9 || pct*10 > gcTune.pct*11 {
		gcTune.pct = pct
		debug.SetGCPercent(pct)
	}
}
