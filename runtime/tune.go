package runtime

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/tune"
)

// Tune is a plan's .tune(): the search spaces in its components' configs
// (tune domains in version patches) expand into trials, each a normal
// component, and a scheduler watches their record rows of Metric and may
// stop a trial early. machinable 2.x handed this to Ray Tune
// (experiment.py@v2.0.0 tune(), engines/ray_engine.py@v2.0.0:74), which
// only ran on the ray engine; here every engine runs trials.
type Tune struct {
	// NumSamples is how many times each point of the grid is sampled
	// (Ray Tune's num_samples): trials = NumSamples × grid points.
	NumSamples int `json:"num_samples"`
	// Metric is the record key the scheduler and best() compare; Mode is
	// "min" or "max".
	Metric string `json:"metric,omitempty"`
	Mode   string `json:"mode,omitempty"`
	// Scheduler is tune.asha(...), tune.median_stopping(...) or nil for
	// FIFO (every trial runs to its end).
	Scheduler *TuneScheduler `json:"scheduler,omitempty"`
	// Stop ends a trial when one of its record rows meets a limit (for
	// Metric: reaches it in the mode's direction; any other key: at least).
	Stop map[string]any `json:"stop,omitempty"`
	// ResourcesPerTrial is merged over each trial's resources.
	ResourcesPerTrial map[string]any `json:"resources_per_trial,omitempty"`
}

// TuneScheduler is a scheduler's kind ("asha", "median_stopping",
// "fifo") and parameters, as the script gave them.
type TuneScheduler struct {
	Kind   string             `json:"kind"`
	Params map[string]float64 `json:"params,omitempty"`
}

// Trial flags every trial gets, besides TUNING = True.
const (
	FlagTrialNumber = "TRIAL_NUMBER" // 0-based among the trials of one plan component
	FlagTrialTotal  = "TRIAL_TOTAL"
)

// Tune sets the plan's tuning; see Tune.
func (e *Experiment) SetTune(t Tune) error {
	if err := t.check(); err != nil {
		return err
	}
	e.Tune = &t
	return nil
}

func (t *Tune) check() error {
	if t.NumSamples < 1 {
		return fmt.Errorf(".tune(num_samples=%d): expected at least 1", t.NumSamples)
	}
	if t.Mode != "" {
		if _, err := tune.CheckMode(t.Mode); err != nil {
			return fmt.Errorf(".tune(): %w", err)
		}
	}
	if t.Metric == "" && t.Mode != "" || t.Metric != "" && t.Mode == "" {
		return fmt.Errorf(".tune(metric=%q, mode=%q): expected both or neither", t.Metric, t.Mode)
	}
	if t.Metric == "" && t.Scheduler != nil && t.Scheduler.Kind != "fifo" {
		return fmt.Errorf(".tune(scheduler=tune.%s(...)): expected metric=\"<record key>\" and mode=\"min\" or \"max\" for the scheduler to compare trials", t.Scheduler.Kind)
	}
	for k, v := range t.Stop {
		if _, ok := jsonvalue.Float(v); !ok {
			return fmt.Errorf(".tune(stop={%q: %v}): expected a number for each record key", k, v)
		}
	}
	if _, err := t.NewScheduler(); err != nil {
		return err
	}
	return nil
}

// NewScheduler builds the scheduler; each execution (and each resume,
// which replays the stored rows into it) gets a fresh one.
func (t *Tune) NewScheduler() (tune.Scheduler, error) {
	if t.Scheduler == nil || t.Scheduler.Kind == "fifo" {
		return tune.FIFO{}, nil
	}
	mode := tune.Mode(t.Mode)
	p := t.Scheduler.Params
	param := func(name string, def float64) float64 {
		if v, ok := p[name]; ok {
			return v
		}
		return def
	}
	var s tune.Scheduler
	var err error
	switch t.Scheduler.Kind {
	case "asha":
		s, err = tune.NewASHA(mode, param("max_t", 100), param("grace_period", 1), param("reduction_factor", 4))
	case "median_stopping":
		s, err = tune.NewMedianStopping(mode, param("grace_period", 1), int(param("min_samples_required", 3)))
	default:
		return nil, fmt.Errorf(".tune(scheduler=%q): expected tune.asha(...), tune.median_stopping(...) or tune.fifo()", t.Scheduler.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf(".tune(): %w", err)
	}
	return s, nil
}

// Conditions are the stop={...} limits.
func (t *Tune) Conditions() tune.Conditions {
	c := tune.Conditions{Limits: map[string]float64{}, Metric: t.Metric, Mode: tune.Mode(t.Mode)}
	for k, v := range t.Stop {
		c.Limits[k], _ = jsonvalue.Float(v)
	}
	return c
}

// String is the tuning as print(experiment) shows it.
func (t *Tune) String() string {
	parts := []string{fmt.Sprintf("num_samples=%d", t.NumSamples)}
	if t.Metric != "" {
		parts = append(parts, fmt.Sprintf("metric=%q, mode=%q", t.Metric, t.Mode))
	}
	if s, err := t.NewScheduler(); err == nil {
		parts = append(parts, "scheduler="+s.Name())
	}
	if len(t.Stop) > 0 {
		parts = append(parts, "stop="+t.Conditions().String())
	}
	if len(t.ResourcesPerTrial) > 0 {
		parts = append(parts, fmt.Sprintf("resources_per_trial=%v", t.ResourcesPerTrial))
	}
	return "tune(" + strings.Join(parts, ", ") + ")"
}

func (t *Tune) clone() *Tune {
	if t == nil {
		return nil
	}
	out := *t
	out.Stop = copyConfig(t.Stop)
	out.ResourcesPerTrial = copyConfig(t.ResourcesPerTrial)
	if t.Scheduler != nil {
		s := *t.Scheduler
		s.Params = maps.Clone(s.Params)
		out.Scheduler = &s
	}
	return &out
}

// checkSpaces refuses search-space values where no trial draws them: in
// a plan without .tune(), and in a component's flags or resources.
func (e *Experiment) checkSpaces() error {
	var inVersion func(v Version) string
	inVersion = func(v Version) string {
		if f := tune.Find(v.Values, ""); f != "" {
			return f
		}
		for _, item := range v.Items {
			if f := inVersion(item); f != "" {
				return f
			}
		}
		return ""
	}
	var comp func(c ComponentSpec, sub bool) error
	comp = func(c ComponentSpec, sub bool) error {
		if f := tune.Find(c.Flags, ""); f != "" {
			return fmt.Errorf("component %q: flag %s is a search space: search spaces belong in the config (the component's version)", c.Name, f)
		}
		if f := tune.Find(c.Resources, ""); f != "" {
			return fmt.Errorf("component %q: resource %s is a search space: search spaces belong in the config (the component's version)", c.Name, f)
		}
		if f := inVersion(c.Version); f != "" {
			switch {
			case e.Tune == nil:
				return fmt.Errorf("component %q: config %s is a search space (tune.*), but the experiment is not tuned: add .tune(num_samples=...)", c.Name, f)
			case sub:
				return fmt.Errorf("sub-component %q: config %s is a search space: only the tuned components' own configs are searched, not their sub-components'", c.Name, f)
			}
		}
		for _, s := range c.Components {
			if err := comp(s, true); err != nil {
				return err
			}
		}
		return nil
	}
	for _, c := range e.Components {
		if err := comp(c, false); err != nil {
			return err
		}
	}
	for _, v := range e.Versions {
		if f := inVersion(v); f != "" && e.Tune == nil {
			return fmt.Errorf("experiment version: config %s is a search space (tune.*), but the experiment is not tuned: add .tune(num_samples=...)", f)
		}
	}
	return nil
}

// trialsPerVariant is how many trials a tuned plan makes of one
// alternative of a component: num_samples × the points of its grids. The
// grids are counted from the version values as written (the last value
// of a key wins, as patches merge); an alternative of an iterated
// version with grids of other sizes is counted by its own grids when it
// is resolved, so the total shown for such a plan may differ.
func (e *Experiment) trialsPerVariant(c ComponentSpec) uint64 {
	if e.Tune == nil {
		return 1
	}
	grids := map[string]uint64{}
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				p := k
				if path != "" {
					p = path + "." + k
				}
				walk(x[k], p)
			}
		case tune.Grid:
			grids[path] = uint64(len(x.Values))
		}
	}
	var version func(v Version)
	version = func(v Version) {
		walk(v.Values, "")
		for _, item := range v.Items {
			version(item)
		}
	}
	for _, v := range e.Versions {
		version(v)
	}
	version(c.Version)
	n := uint64(e.Tune.NumSamples)
	for _, g := range grids {
		n = satMul(n, g)
	}
	return n
}
