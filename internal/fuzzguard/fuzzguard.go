// Package fuzzguard bounds what one fuzz input may cost, for the fuzz
// targets of every package: an input that runs too long, grows the heap
// too far or recurses without bound crashes the fuzz worker, so Go saves
// it as a failing input (and a go test replaying it fails).
package fuzzguard

import (
	"fmt"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// Heap bounds the heap while an input runs.
const Heap = 1 << 30

// Time is how long one input may run: 10 s, or 60 s in a -race build
// (go test -race replays the corpus 5 to 10 times slower).
var Time = func() time.Duration {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" && s.Value == "true" {
				return 60 * time.Second
			}
		}
	}
	return 10 * time.Second
}()

var (
	once  sync.Once
	start atomic.Int64 // UnixNano when the running input started; 0 between inputs
)

// Start bounds the input that runs until the returned stop is called:
// a watchdog goroutine panics when it runs longer than Time or the heap
// grows past Heap, and the stack is limited to 256 MiB so runaway
// recursion fails fast.
func Start() (stop func()) {
	once.Do(func() {
		debug.SetMaxStack(256 << 20)
		go watchdog()
	})
	start.Store(time.Now().UnixNano())
	return func() { start.Store(0) }
}

func watchdog() {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	for range time.Tick(50 * time.Millisecond) {
		began := start.Load()
		if began == 0 {
			continue
		}
		if d := time.Since(time.Unix(0, began)); d > Time {
			panic(fmt.Sprintf("fuzz input still running after %v (bound %v)", d.Round(time.Second), Time))
		}
		metrics.Read(sample)
		if h := sample[0].Value.Uint64(); h > Heap {
			panic(fmt.Sprintf("fuzz input grew the heap to %d MiB (bound %d MiB)", h>>20, Heap>>20))
		}
	}
}
