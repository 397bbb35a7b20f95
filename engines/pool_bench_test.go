package engines

import (
	"context"
	"testing"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// BenchmarkPool: the scheduling cost per component of runPool, 4 at a
// time, for components that do nothing.
func BenchmarkPool(b *testing.B) {
	cs := make([]*runtime.ScheduledComponent, 1000)
	for i := range cs {
		cs[i] = &runtime.ScheduledComponent{ID: "c", Resources: map[string]any{"cpu": 1}}
	}
	b.ResetTimer()
	for range b.N {
		runPool(context.Background(), &Job{Components: cs}, 4, func(_ context.Context, sc *runtime.ScheduledComponent, _ string) runtime.Outcome {
			return runtime.Outcome{Component: sc, Status: storage.StatusFinished}
		})
	}
}

// BenchmarkLocalPoolGPUs: the same with every component asking for half
// of one of 2 GPUs (native:4, process:4).
func BenchmarkLocalPoolGPUs(b *testing.B) {
	cs := make([]*runtime.ScheduledComponent, 1000)
	for i := range cs {
		cs[i] = &runtime.ScheduledComponent{ID: "c", Resources: map[string]any{"gpu": 0.5}}
	}
	gpus := fixedGPUs("0", "1")
	b.ResetTimer()
	for range b.N {
		runLocalPool(context.Background(), &Job{Components: cs}, 4, gpus, func(_ context.Context, sc *runtime.ScheduledComponent, _ string, _ []string) runtime.Outcome {
			return runtime.Outcome{Component: sc, Status: storage.StatusFinished}
		})
	}
}
