package runtime

import (
	"context"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/tune"
)

func tunedPlan() *Experiment {
	space := map[string]any{
		"lr":    tune.LogUniform{Lo: 1e-4, Hi: 1e-1, Base: 10},
		"opt":   map[string]any{"momentum": tune.Uniform{Lo: 0, Hi: 1}, "name": "sgd"},
		"batch": tune.Grid{Values: []any{int64(32), int64(64), int64(128)}},
		"depth": tune.Choice{Values: []any{int64(2), int64(4)}},
		"fixed": int64(7),
	}
	e := NewExperiment().Component(ComponentSpec{Name: "n", Version: Patch(space)}).Repeat(2, "")
	if err := e.SetTune(Tune{NumSamples: 2, Metric: "loss", Mode: "min", Scheduler: &TuneScheduler{Kind: "asha", Params: map[string]float64{"max_t": 9}},
		ResourcesPerTrial: map[string]any{"gpu": int64(1)}}); err != nil {
		panic(err)
	}
	return e
}

// TestTuneTrials: num_samples × grid trials per alternative and repeat,
// samples outer and the grid inner; each config drawn from its trial's
// SEED (tune.Config), constants and nested dicts kept; trial flags and
// resources_per_trial set; the count known before resolving.
func TestTuneTrials(t *testing.T) {
	plan := tunedPlan()
	if n := plan.ScheduledCount(); n != 2*2*3 {
		t.Fatalf("ScheduledCount %d, want 12", n)
	}
	r := &Resolver{Registry: streamRegistry()}
	got, err := r.Resolve(context.Background(), plan, 7957417341)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 12 {
		t.Fatalf("%d trials, want 12", len(got))
	}
	for i, sc := range got {
		n := i % 6 // the repeat is the outer loop
		if sc.Flags["TRIAL_NUMBER"] != int64(n) || sc.Flags["TRIAL_TOTAL"] != int64(6) || sc.Flags["TUNING"] != true {
			t.Errorf("trial %d flags %v", i, sc.Flags)
		}
		if want := []int64{32, 64, 128}[n%3]; sc.Config["batch"] != want {
			t.Errorf("trial %d batch %v, want %d (the grid varies fastest)", i, sc.Config["batch"], want)
		}
		want, err := tune.Config(tunedPlan().Components[0].Version.Values, map[string]any{"batch": sc.Config["batch"]}, sc.Flags["SEED"].(int64))
		if err != nil {
			t.Fatal(err)
		}
		if a, b := mustJSON(t, sc.Config), mustJSON(t, want); a != b {
			t.Errorf("trial %d config %s, want %s drawn from its SEED", i, a, b)
		}
		if sc.Resources["gpu"] != int64(1) {
			t.Errorf("trial %d resources %v", i, sc.Resources)
		}
	}
}

// TestTunePlanJSON: a tuned plan stored as JSON and read back draws the
// same trials; malformed stored spaces are refused by name.
func TestTunePlanJSON(t *testing.T) {
	data, err := tunedPlan().JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"$tune": "loguniform"`) {
		t.Fatalf("stored plan lacks the space's form:\n%s", data)
	}
	back, err := ParseExperiment(data)
	if err != nil {
		t.Fatal(err)
	}
	r := &Resolver{Registry: streamRegistry()}
	a, err := r.Resolve(context.Background(), tunedPlan(), 7957417341)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Resolve(context.Background(), back, 7957417341)
	if err != nil {
		t.Fatal(err)
	}
	if mustJSON(t, a) != mustJSON(t, b) {
		t.Error("the plan read back draws other trials")
	}
	bad := strings.Replace(string(data), `"$tune": "loguniform"`, `"$tune": "lognormal"`, 1)
	if _, err := ParseExperiment([]byte(bad)); err == nil || !strings.Contains(err.Error(), `component "n"`) || !strings.Contains(err.Error(), "expected") {
		t.Errorf("malformed space: %v", err)
	}
}

// TestTuneRefusals: spaces where no trial draws them, and settings a
// scheduler cannot work with.
func TestTuneRefusals(t *testing.T) {
	u := tune.Uniform{Lo: 0, Hi: 1}
	for name, c := range map[string]struct {
		plan *Experiment
		tune *Tune
		want string
	}{
		"untuned":  {NewExperiment().Component(ComponentSpec{Name: "n", Version: Patch(map[string]any{"a": u})}), nil, "not tuned"},
		"flag":     {NewExperiment().Component(ComponentSpec{Name: "n", Flags: map[string]any{"a": u}}), &Tune{NumSamples: 1}, "flag a is a search space"},
		"sub":      {NewExperiment().Node(ComponentSpec{Name: "n"}, ComponentSpec{Name: "s", Version: Patch(map[string]any{"a": u})}), &Tune{NumSamples: 1}, "sub-component"},
		"samples":  {NewExperiment().Component(ComponentSpec{Name: "n"}), &Tune{NumSamples: 0}, "num_samples=0"},
		"metric":   {NewExperiment().Component(ComponentSpec{Name: "n"}), &Tune{NumSamples: 1, Scheduler: &TuneScheduler{Kind: "asha"}}, "expected metric"},
		"mode":     {NewExperiment().Component(ComponentSpec{Name: "n"}), &Tune{NumSamples: 1, Metric: "x", Mode: "low"}, `"min" or "max"`},
		"stop":     {NewExperiment().Component(ComponentSpec{Name: "n"}), &Tune{NumSamples: 1, Stop: map[string]any{"x": "high"}}, "expected a number"},
		"asha-bad": {NewExperiment().Component(ComponentSpec{Name: "n"}), &Tune{NumSamples: 1, Metric: "x", Mode: "min", Scheduler: &TuneScheduler{Kind: "asha", Params: map[string]float64{"reduction_factor": 1}}}, "reduction_factor"},
	} {
		c.plan.Tune = c.tune
		if err := c.plan.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, c.want)
		}
	}
}
