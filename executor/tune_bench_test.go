package executor

import (
	"fmt"
	"testing"

	"github.com/machinable-go/machinable/runtime"
)

// BenchmarkTrialJudge is what judging one saved row of a trial costs the
// save() that reports it: 1,000 trials under ASHA, rows interleaved.
func BenchmarkTrialJudge(b *testing.B) {
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "x"})
	if err := plan.SetTune(runtime.Tune{NumSamples: 1, Metric: "loss", Mode: "min",
		Scheduler: &runtime.TuneScheduler{Kind: "asha", Params: map[string]float64{"max_t": 1e9, "grace_period": 1, "reduction_factor": 3}}}); err != nil {
		b.Fatal(err)
	}
	j, err := newTrialJudge(plan)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("trial%07d", i)
	}
	row := map[string]any{"loss": 0.5}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		row["loss"] = float64(i%997) / 997
		j.Report(ids[i%len(ids)], row)
	}
}
