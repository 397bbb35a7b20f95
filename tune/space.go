package tune

import (
	"fmt"
	"math"
	"strings"

	"github.com/machinable-go/machinable/seeding"
)

// Domain is a distribution a config value is drawn from.
type Domain interface {
	// Sample draws one value from r.
	Sample(r *seeding.Random) (any, error)
	// String is the domain as a script writes it: tune.uniform(0, 1).
	String() string
}

// Uniform draws a float in [Lo, Hi) as Python's random.uniform.
type Uniform struct{ Lo, Hi float64 }

// QUniform draws Uniform and rounds to a multiple of Q, as Ray Tune's
// quniform.
type QUniform struct{ Lo, Hi, Q float64 }

// LogUniform draws a float whose logarithm is uniform between those of Lo
// and Hi, as Ray Tune's loguniform.
type LogUniform struct{ Lo, Hi, Base float64 }

// RandInt draws an integer in [Lo, Hi), Hi excluded as in Ray Tune.
type RandInt struct{ Lo, Hi int64 }

// Choice draws one of Values with equal probability.
type Choice struct{ Values []any }

// Grid is not drawn: a space with grids expands into every combination of
// their values (Ray Tune's grid_search).
type Grid struct{ Values []any }

func (d Uniform) Sample(r *seeding.Random) (any, error) { return r.Uniform(d.Lo, d.Hi), nil }
func (d Uniform) String() string                        { return fmt.Sprintf("tune.uniform(%s, %s)", num(d.Lo), num(d.Hi)) }

func (d QUniform) Sample(r *seeding.Random) (any, error) {
	v := r.Uniform(d.Lo, d.Hi)
	return math.Round(v/d.Q) * d.Q, nil
}
func (d QUniform) String() string {
	return fmt.Sprintf("tune.quniform(%s, %s, %s)", num(d.Lo), num(d.Hi), num(d.Q))
}

func (d LogUniform) Sample(r *seeding.Random) (any, error) {
	base := d.Base
	if base == 0 {
		base = 10
	}
	lb := math.Log(base)
	return math.Pow(base, r.Uniform(math.Log(d.Lo)/lb, math.Log(d.Hi)/lb)), nil
}
func (d LogUniform) String() string {
	if d.Base != 0 && d.Base != 10 {
		return fmt.Sprintf("tune.loguniform(%s, %s, base=%s)", num(d.Lo), num(d.Hi), num(d.Base))
	}
	return fmt.Sprintf("tune.loguniform(%s, %s)", num(d.Lo), num(d.Hi))
}

func (d RandInt) Sample(r *seeding.Random) (any, error) {
	v, err := r.RandRange(d.Lo, d.Hi, 1)
	return v, err
}
func (d RandInt) String() string { return fmt.Sprintf("tune.randint(%d, %d)", d.Lo, d.Hi) }

func (d Choice) Sample(r *seeding.Random) (any, error) {
	i, err := r.Choice(len(d.Values))
	if err != nil {
		return nil, err
	}
	return d.Values[i], nil
}
func (d Choice) String() string { return "tune.choice(" + jsonList(d.Values) + ")" }

func (g Grid) String() string { return "tune.grid_search(" + jsonList(g.Values) + ")" }

// Check refuses domains that cannot be drawn from, naming the key.
func Check(key string, d any) error {
	bad := func(why string) error { return fmt.Errorf("%s: %v: %s", key, d, why) }
	switch d := d.(type) {
	case Uniform:
		if !(d.Lo <= d.Hi) {
			return bad("expected lower <= upper")
		}
	case QUniform:
		if !(d.Lo <= d.Hi) || !(d.Q > 0) {
			return bad("expected lower <= upper and q > 0")
		}
	case LogUniform:
		if !(d.Lo > 0) || !(d.Lo <= d.Hi) || d.Base < 0 || d.Base == 1 {
			return bad("expected 0 < lower <= upper")
		}
	case RandInt:
		if d.Lo >= d.Hi {
			return bad("expected lower < upper (upper is excluded)")
		}
	case Choice:
		if len(d.Values) == 0 {
			return bad("expected at least one value")
		}
	case Grid:
		if len(d.Values) == 0 {
			return bad("expected at least one value")
		}
	}
	return nil
}

// point is one key of a space: its dotted path and what it holds.
type point struct {
	path []string
	v    any
}

// walk lists the domains and grids of a space (nested dicts allowed) in
// sorted path order, which is the documented order of draws.
func walk(space map[string]any, prefix []string, out *[]point) {
	for _, k := range sortedKeys(space) {
		p := append(append([]string(nil), prefix...), k)
		switch v := space[k].(type) {
		case map[string]any:
			walk(v, p, out)
		case Domain, Grid:
			*out = append(*out, point{p, v})
		}
	}
}

// Searched lists the dotted keys a space searches, in draw order.
func Searched(space map[string]any) []string {
	var pts []point
	walk(space, nil, &pts)
	out := make([]string, len(pts))
	for i, p := range pts {
		out[i] = strings.Join(p.path, ".")
	}
	return out
}

// GridPoints expands the grids of a space: every combination of their
// values, the last key (in sorted order) varying fastest, as
// itertools.product does. A space without grids has one point.
func GridPoints(space map[string]any) []map[string]any {
	var pts []point
	walk(space, nil, &pts)
	combos := []map[string]any{{}}
	for _, p := range pts {
		g, ok := p.v.(Grid)
		if !ok {
			continue
		}
		var next []map[string]any
		for _, c := range combos {
			for _, v := range g.Values {
				n := make(map[string]any, len(c)+1)
				for k, x := range c {
					n[k] = x
				}
				n[strings.Join(p.path, ".")] = v
				next = append(next, n)
			}
		}
		combos = next
	}
	return combos
}

// Config is one trial's config: space with its grids set from grid (a
// point of GridPoints) and its domains drawn from random.Random(seed) —
// the trial's own SEED — one draw per domain in sorted path order.
// Constants are kept; nested dicts stay nested.
func Config(space map[string]any, grid map[string]any, seed int64) (map[string]any, error) {
	r := seeding.New(seed)
	var pts []point
	walk(space, nil, &pts)
	drawn := map[string]any{}
	for _, p := range pts {
		key := strings.Join(p.path, ".")
		switch d := p.v.(type) {
		case Grid:
			drawn[key] = grid[key]
		case Domain:
			if err := Check(key, d); err != nil {
				return nil, err
			}
			v, err := d.Sample(r)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			drawn[key] = v
		}
	}
	return fill(space, nil, drawn), nil
}

func fill(space map[string]any, prefix []string, drawn map[string]any) map[string]any {
	out := make(map[string]any, len(space))
	for k, v := range space {
		p := append(append([]string(nil), prefix...), k)
		switch v := v.(type) {
		case map[string]any:
			out[k] = fill(v, p, drawn)
		case Domain, Grid:
			out[k] = drawn[strings.Join(p, ".")]
		default:
			out[k] = v
		}
	}
	return out
}
