package runtime

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/machinable-go/machinable/runtime/project"
	"github.com/machinable-go/machinable/seeding"
)

// variantCacheLimit is how many resolved alternatives of one component
// (or sub-component) are kept for reuse across repeat combinations and
// node cross products. Larger spaces (a sweep crossing long lists) are
// resolved again each time an alternative is needed, so memory stays flat
// whatever the size of the sweep.
const variantCacheLimit = 4096

// ScheduleStream yields the components of a plan one at a time, in
// schedule order, with the seeds and IDs Resolve gives them: nothing of
// the whole schedule is held. It is used by one goroutine at a time.
type ScheduleStream struct {
	r            *Resolver
	globalSeed   int64
	experimentID string
	streams      *seeding.Streams
	combos       *repeatSpace
	comps        []*variantSpace
	total        int

	combo, comp int    // position: repeat combination, component
	variant     uint64 // alternative of comps[comp]
	comboFlags  map[string]any
	done        int

	tune   *Tune     // the plan's tuning, nil if it is not tuned
	trials *trialSet // the trials of the current alternative when tuned
}

// Stream opens the schedule of a plan for a global seed; see Resolve for
// the order in which seeds and IDs are drawn. The plan is validated and
// every version compiled first, so a malformed plan is refused before the
// first component; config errors of an alternative (a key a component
// does not accept) show when that alternative is reached.
func (r *Resolver) Stream(ctx context.Context, plan *Experiment, globalSeed int64) (*ScheduleStream, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	experimentID, err := seeding.EncodeExperimentID(globalSeed)
	if err != nil {
		return nil, err
	}
	s := &ScheduleStream{r: r, globalSeed: globalSeed, experimentID: experimentID, total: int(plan.ScheduledCount()), tune: plan.Tune}
	for _, spec := range plan.Components {
		vs, err := r.variants(spec, plan.Versions)
		if err != nil {
			return nil, err
		}
		s.comps = append(s.comps, vs)
	}
	s.streams = seeding.NewStreams(globalSeed)
	s.combos = newRepeatSpace(plan.Repeats, s.streams)
	// Resolve what is reused once, up front, as Resolve always did:
	// errors and warnings of a plan's components come before anything
	// runs, and the stream then costs a copy per component.
	for _, vs := range s.comps {
		if err := vs.warm(ctx, r); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Warnings are the resolver's warnings so far: resolving an alternative
// when it is reached may find more (a key a component does not have).
func (s *ScheduleStream) Warnings() []string { return s.r.Warnings }

// Total is how many components the stream yields, computed from the
// plan's shape.
func (s *ScheduleStream) Total() int { return s.total }

// Next returns the next component, or io.EOF after the last.
func (s *ScheduleStream) Next(ctx context.Context) (ScheduledComponent, error) {
	if s.trials != nil && s.trials.next < s.trials.total {
		return s.nextTrial(ctx)
	}
	v, err := s.nextVariant(ctx)
	if err != nil {
		return ScheduledComponent{}, err
	}
	if s.tune != nil {
		s.trials = newTrialSet(s.tune, v, s.comboFlags)
		return s.nextTrial(ctx)
	}
	sc := assignIdentity(v, s.streams, s.globalSeed, s.experimentID, s.comboFlags)
	if err := sc.compute(ctx); err != nil {
		return ScheduledComponent{}, err
	}
	return sc, nil
}

// nextVariant moves to the next alternative of a component in schedule
// order and resolves it, without identity: io.EOF after the last.
func (s *ScheduleStream) nextVariant(ctx context.Context) (ScheduledComponent, error) {
	for {
		if s.combo >= s.combos.size {
			return ScheduledComponent{}, io.EOF
		}
		if s.comboFlags == nil {
			s.comboFlags = s.combos.flags(s.combo)
		}
		if s.comp >= len(s.comps) {
			s.combo, s.comp, s.comboFlags = s.combo+1, 0, nil
			continue
		}
		vs := s.comps[s.comp]
		if s.variant >= vs.size {
			s.comp, s.variant = s.comp+1, 0
			continue
		}
		// A large plan takes a while: Ctrl-C stops it here.
		if s.done%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return ScheduledComponent{}, fmt.Errorf("resolving the plan: %w", context.Cause(ctx))
			}
		}
		v, err := vs.at(ctx, s.r, s.variant)
		if err != nil {
			return ScheduledComponent{}, err
		}
		s.variant++
		s.done++
		return v, nil
	}
}

// repeatSpace holds the repeat levels that shape the combinations, as
// repeatCombinations builds them: a level of k = 0 empties the list and
// the next level starts it again; no level at all runs once.
type repeatSpace struct {
	levels []repeatLevel // first is innermost
	size   int
}

type repeatLevel struct {
	name, suffix string
	k            int
	seed         int64
}

// newRepeatSpace draws one seed per repeat or split call, in call order.
func newRepeatSpace(repeats []Repeat, streams *seeding.Streams) *repeatSpace {
	rs := &repeatSpace{}
	for level, rep := range repeats {
		seed := streams.NextSeed()
		if rep.K <= 0 {
			rs.levels = nil
			continue
		}
		suffix := ""
		if level > 0 {
			suffix = fmt.Sprintf("_%d", level)
		}
		rs.levels = append(rs.levels, repeatLevel{name: rep.Name, suffix: suffix, k: rep.K, seed: seed})
	}
	rs.size = 1
	for _, l := range rs.levels {
		rs.size *= l.k // bounded by Validate's count
	}
	return rs
}

// flags are the repeat flags of combination i: each level is an outer
// loop around the levels before it, and an outer level's flags win.
func (rs *repeatSpace) flags(i int) map[string]any {
	m := make(map[string]any, 3*len(rs.levels))
	for _, l := range rs.levels {
		n := i % l.k
		i /= l.k
		m[l.name+"_SEED"+l.suffix] = l.seed
		m[l.name+"_TOTAL"+l.suffix] = int64(l.k)
		m[l.name+"_NUMBER"+l.suffix] = int64(n)
	}
	return m
}

// variantSpace is every alternative of one component: its own version
// (after the experiment's) crossed with the alternatives of each
// sub-component, the sub-components varying fastest, last first.
type variantSpace struct {
	spec    ComponentSpec
	version *patchSpace
	subs    []*variantSpace
	dims    []uint64 // version.size, then each sub's size
	size    uint64
	cache   map[uint64]ScheduledComponent // resolved own alternatives, when few
	cached  bool
	patches []project.Patch // reused buffer
}

// variants compiles the alternatives of a component.
func (r *Resolver) variants(spec ComponentSpec, expVersions []Version) (*variantSpace, error) {
	// The experiment's versions apply first, so the component's own wins
	// (2.x collects them in that order).
	version := spec.Version
	if len(expVersions) > 0 {
		version = Merge(append(slices.Clone(expVersions), spec.Version)...)
	}
	ps, err := version.space()
	if err != nil {
		return nil, fmt.Errorf("component %q: %w%s", spec.Name, err, namedVersionHint(err, r.Project, spec.Name))
	}
	vs := &variantSpace{spec: spec, version: ps, dims: []uint64{ps.size}, size: ps.size}
	for _, sub := range spec.Components {
		s, err := r.variants(sub, expVersions)
		if err != nil {
			return nil, err
		}
		vs.subs = append(vs.subs, s)
		vs.dims = append(vs.dims, s.size)
		vs.size = satMul(vs.size, s.size)
	}
	vs.cached = ps.size <= variantCacheLimit
	if vs.cached {
		vs.cache = make(map[uint64]ScheduledComponent, ps.size)
	}
	return vs, nil
}

// warm resolves every alternative that is kept, in the order Resolve
// resolved them (own alternatives first, then each sub-component's), so
// that errors and warnings come in the same order as before.
func (vs *variantSpace) warm(ctx context.Context, r *Resolver) error {
	if vs.cached {
		for i := range vs.version.size {
			if _, err := vs.own(ctx, r, i); err != nil {
				return err
			}
		}
	} else if vs.version.size > 0 {
		// At least the first: a component that does not resolve at all
		// is refused before anything runs.
		if _, err := vs.own(ctx, r, 0); err != nil {
			return err
		}
	}
	for _, s := range vs.subs {
		if err := s.warm(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// own resolves alternative i of the component's own version.
func (vs *variantSpace) own(ctx context.Context, r *Resolver, i uint64) (ScheduledComponent, error) {
	if vs.cached {
		if c, ok := vs.cache[i]; ok {
			return c, nil
		}
	}
	vs.patches = vs.version.at(i, vs.patches[:0])
	c, err := r.resolveOne(ctx, vs.spec, slices.Clone(vs.patches))
	if err != nil {
		return ScheduledComponent{}, err
	}
	if vs.cached {
		vs.cache[i] = c
	}
	return c, nil
}

// at returns alternative i, sharing the maps of kept alternatives:
// assignIdentity copies them.
func (vs *variantSpace) at(ctx context.Context, r *Resolver, i uint64) (ScheduledComponent, error) {
	idx := make([]uint64, len(vs.dims))
	for j := len(vs.dims) - 1; j >= 0; j-- {
		idx[j] = i % vs.dims[j]
		i /= vs.dims[j]
	}
	c, err := vs.own(ctx, r, idx[0])
	if err != nil {
		return ScheduledComponent{}, err
	}
	if len(vs.subs) > 0 {
		c.Components = make([]ScheduledComponent, 0, len(vs.subs))
		for j, s := range vs.subs {
			sub, err := s.at(ctx, r, idx[j+1])
			if err != nil {
				return ScheduledComponent{}, err
			}
			c.Components = append(c.Components, sub)
		}
	}
	return c, nil
}
