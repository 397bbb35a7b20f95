package runtime

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/machinable-go/machinable/seeding"
)

// The resolution as it was before it streamed: every alternative resolved
// up front, every repeat combination built as a list. The streamed
// resolver must give exactly this schedule (resolve_stream_test.go).

func (r *Resolver) resolveReference(ctx context.Context, plan *Experiment, globalSeed int64) ([]ScheduledComponent, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	experimentID, err := seeding.EncodeExperimentID(globalSeed)
	if err != nil {
		return nil, err
	}
	// Every alternative of every component, resolved once.
	variants := make([][]ScheduledComponent, len(plan.Components))
	for i, spec := range plan.Components {
		variants[i], err = r.expandReference(ctx, spec, plan.Versions)
		if err != nil {
			return nil, err
		}
	}
	streams := seeding.NewStreams(globalSeed)
	var schedule []ScheduledComponent
	for _, repeatFlags := range repeatCombinationsReference(plan.Repeats, streams) {
		for ci := range plan.Components {
			for _, v := range variants[ci] {
				// A large plan takes seconds: Ctrl-C stops it here.
				if len(schedule)%1024 == 0 {
					if err := ctx.Err(); err != nil {
						return nil, fmt.Errorf("resolving the plan: %w", context.Cause(ctx))
					}
				}
				sc := assignIdentity(v, streams, globalSeed, experimentID, repeatFlags)
				if err := sc.compute(ctx); err != nil {
					return nil, err
				}
				schedule = append(schedule, sc)
			}
		}
	}
	return schedule, nil
}

// repeatCombinations draws one seed per repeat or split call and returns
// the flags of every combination, in 2.0's order: each new level is an
// outer loop around the combinations of the levels before it. Flags of
// level n > 0 carry the suffix _n, whatever the call's name. A level of
// k = 0 empties the list, and a plan left without combinations runs once
// without repeat flags (2.0 does the same).
func repeatCombinationsReference(repeats []Repeat, streams *seeding.Streams) []map[string]any {
	var combos []map[string]any
	for level, rep := range repeats {
		seed := streams.NextSeed()
		suffix := ""
		if level > 0 {
			suffix = fmt.Sprintf("_%d", level)
		}
		next := make([]map[string]any, 0, rep.K*max(len(combos), 1))
		for n := 0; n < rep.K; n++ {
			info := map[string]any{
				rep.Name + "_SEED" + suffix:   seed,
				rep.Name + "_TOTAL" + suffix:  int64(rep.K),
				rep.Name + "_NUMBER" + suffix: int64(n),
			}
			if len(combos) == 0 {
				next = append(next, info)
				continue
			}
			for _, inner := range combos {
				m := maps.Clone(inner)
				maps.Copy(m, info)
				next = append(next, m)
			}
		}
		combos = next
	}
	if len(combos) == 0 {
		combos = []map[string]any{{}}
	}
	return combos
}

// expand resolves the config of every alternative of a component: its own
// version crossed with the experiment's versions and, for a node, with the
// alternatives of each sub-component.
func (r *Resolver) expandReference(ctx context.Context, spec ComponentSpec, expVersions []Version) ([]ScheduledComponent, error) {
	// The experiment's versions apply first, so the component's own wins
	// (2.x collects them in that order).
	version := spec.Version
	if len(expVersions) > 0 {
		version = Merge(append(slices.Clone(expVersions), spec.Version)...)
	}
	alts, err := version.Expand()
	if err != nil {
		return nil, fmt.Errorf("component %q: %w%s", spec.Name, err, namedVersionHint(err, r.Project, spec.Name))
	}
	nodes := make([]ScheduledComponent, 0, len(alts))
	for _, patches := range alts {
		c, err := r.resolveOne(ctx, spec, patches)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, c)
	}
	// Cross product with each sub-component's alternatives.
	for _, subSpec := range spec.Components {
		subs, err := r.expandReference(ctx, subSpec, expVersions)
		if err != nil {
			return nil, err
		}
		next := make([]ScheduledComponent, 0, len(nodes)*len(subs))
		for _, n := range nodes {
			for _, s := range subs {
				m := n
				m.Components = append(append([]ScheduledComponent(nil), n.Components...), s)
				next = append(next, m)
			}
		}
		nodes = next
	}
	return nodes, nil
}
