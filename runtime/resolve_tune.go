package runtime

import (
	"context"
	"fmt"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/runtime/project"
	"github.com/machinable-go/machinable/tune"
)

// trialSet is the trials of one resolved alternative of a tuned plan:
// num_samples passes over the points of its grids, the grid varying
// fastest (Ray Tune's order: every sample repeats the whole grid).
type trialSet struct {
	tune       *Tune
	base       ScheduledComponent // the alternative, its config holding the spaces
	grid       []map[string]any
	comboFlags map[string]any
	next       int
	total      int
}

func newTrialSet(t *Tune, base ScheduledComponent, comboFlags map[string]any) *trialSet {
	grid := tune.GridPoints(base.Config)
	return &trialSet{tune: t, base: base, grid: grid, comboFlags: comboFlags, total: t.NumSamples * len(grid)}
}

// nextTrial gives the next trial its identity, then draws its config
// from random.Random(its SEED): the same seed draws the same trials on
// every engine, and a trial's seed alone reproduces its config.
func (s *ScheduleStream) nextTrial(ctx context.Context) (ScheduledComponent, error) {
	t := s.trials
	i := t.next
	t.next++
	sc := assignIdentity(t.base, s.streams, s.globalSeed, s.experimentID, t.comboFlags)
	seed, _ := sc.Flags["SEED"].(int64)
	config, err := tune.Config(sc.Config, t.grid[i%len(t.grid)], seed)
	if err != nil {
		return ScheduledComponent{}, fmt.Errorf("component %q: search space: %w", sc.Name, err)
	}
	if f := tune.Find(config, ""); f != "" {
		return ScheduledComponent{}, fmt.Errorf("component %q: config %s is a search space inside a list: only dict values are searched", sc.Name, f)
	}
	sc.Config = config
	sc.Flags["TUNING"] = true
	sc.Flags[FlagTrialNumber] = int64(i)
	sc.Flags[FlagTrialTotal] = int64(t.total)
	if len(t.tune.ResourcesPerTrial) > 0 {
		res := sc.Resources
		if res == nil {
			res = map[string]any{}
		}
		sc.Resources = project.Merge(res, jsonvalue.DeepCopy(t.tune.ResourcesPerTrial).(map[string]any))
	}
	if err := sc.compute(ctx); err != nil {
		return ScheduledComponent{}, err
	}
	return sc, nil
}
