package runtime

import (
	"context"
	"strings"
	"testing"
)

// TestParseExperimentValidates: a plan read from JSON is checked as the
// methods that build one check their arguments, and each refusal names
// what was wrong and what was expected.
func TestParseExperimentValidates(t *testing.T) {
	comp := `"components": [{"name": "a"}]`
	for _, tc := range []struct{ name, json, want string }{
		{"negative k", `{` + comp + `, "repeats": [{"kind": "repeat", "name": "REPEAT", "k": -1}]}`, "experiment JSON: .repeat(-1): expected k >= 0"},
		{"unknown kind", `{` + comp + `, "repeats": [{"kind": "grid", "name": "G", "k": 2}]}`, `experiment JSON: repeat kind "grid": expected "repeat" or "split"`},
		{"missing kind", `{` + comp + `, "repeats": [{"name": "REPEAT", "k": 2}]}`, `experiment JSON: repeat kind "": expected "repeat" or "split"`},
		{"empty name", `{` + comp + `, "repeats": [{"kind": "split", "name": "", "k": 2}]}`, `experiment JSON: .split(2, name=""): expected a flag prefix such as "SPLIT"`},
		{"unknown mode", `{` + comp + `, "repeats": [{"kind": "repeat", "name": "R", "k": 2, "mode": "grid"}]}`, `experiment JSON: .repeat(2, mode="grid"): expected mode "independent"`},
		{"huge k", `{` + comp + `, "repeats": [{"kind": "repeat", "name": "R", "k": 1099511627776}]}`, "experiment JSON: .repeat(1099511627776): expected k <= 1000000"},
		{"huge product", `{` + comp + `, "repeats": [{"kind": "repeat", "name": "R", "k": 100000}, {"kind": "split", "name": "S", "k": 1000}]}`,
			"experiment JSON: the plan schedules more than 1000000 components (more than 1000000 repeat combination(s) x 1 component alternative(s)): expected at most 1000000"},
		{"component without a name", `{"components": [{"name": ""}]}`, "experiment JSON: component without a name"},
		{"sub-component without a name", `{"components": [{"name": "n", "components": [{}]}]}`, "experiment JSON: component without a name"},
		{"unknown version kind", `{"components": [{"name": "a", "version": {"kind": "zip"}}]}`, `experiment JSON: component "a": version: unknown version kind "zip": expected one of patch, named, yaml, merge, iterate`},
		{"nested version kind", `{"components": [{"name": "n", "components": [{"name": "s", "version": {"kind": "merge", "items": [{"kind": "nope"}]}}]}]}`, `experiment JSON: node "n": component "s": version: unknown version kind "nope"`},
		{"named without name", `{"components": [{"name": "a"}], "versions": [{"kind": "named"}]}`, `experiment JSON: experiment version 1: named version without a name`},
		{"escaping directory", `{` + comp + `, "directory": "../x"}`, `experiment JSON: directory "../x": escapes the storage`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseExperiment([]byte(tc.json))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("ParseExperiment = %v, %v\nwant an error starting %q", e, err, tc.want)
			}
		})
	}
	// What the methods accept reads back: k = 0, an empty plan, a full one.
	for _, ok := range []string{
		`{"components": null}`,
		`{` + comp + `, "repeats": [{"kind": "repeat", "name": "REPEAT", "k": 0}]}`,
		`{` + comp + `, "repeats": [{"kind": "repeat", "name": "REPEAT", "k": 1000000}]}`,
	} {
		if _, err := ParseExperiment([]byte(ok)); err != nil {
			t.Errorf("ParseExperiment(%s) = %v", ok, err)
		}
	}
	data, err := fullPlan(t).JSON()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseExperiment(data); err != nil {
		t.Errorf("ParseExperiment(fullPlan) = %v", err)
	}
}

// TestScheduleSizeLimit: a plan that would schedule more than
// MaxScheduledComponents is refused by Validate (and so by Resolve)
// before anything is allocated for it, whether the size comes from
// repeats, splits, version lists or their cross products.
func TestScheduleSizeLimit(t *testing.T) {
	comp := ComponentSpec{Name: "a"}
	list := func(n int) Version {
		items := make([]Version, n)
		for i := range items {
			items[i] = Patch(map[string]any{"x": int64(i)})
		}
		return Iterate(items...)
	}
	for _, tc := range []struct {
		name string
		plan *Experiment
		want string
	}{
		{"repeat 2**40", NewExperiment().Component(comp).Repeat(1<<40, ""), ".repeat(1099511627776): expected k <= 1000000, the most components an experiment schedules"},
		{"repeats multiply", NewExperiment().Component(comp).Repeat(10000, "").Split(10000, ""),
			"experiment schedules more than 1000000 components (more than 1000000 repeat combination(s) x 1 component alternative(s)): expected at most 1000000; use fewer repeats, splits or version alternatives"},
		{"components add", NewExperiment().Component(comp).Component(comp).Repeat(MaxScheduledComponents, ""),
			"experiment schedules more than 1000000 components (1000000 repeat combination(s) x 2 component alternative(s))"},
		{"cross product of lists", NewExperiment().Component(ComponentSpec{Name: "a", Version: Merge(list(5000), list(5000))}),
			"experiment schedules more than 1000000 components (1 repeat combination(s) x more than 1000000 component alternative(s))"},
		{"experiment versions cross", NewExperiment().Component(comp).Version(list(4000)).Version(list(4000)),
			"experiment schedules more than 1000000 components"},
		{"sub-components cross", NewExperiment().Node(ComponentSpec{Name: "n", Version: list(4000)}, ComponentSpec{Name: "s", Version: list(4000)}),
			"experiment schedules more than 1000000 components"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.plan.Validate()
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v\nwant an error starting %q", err, tc.want)
			}
			// Resolve refuses it the same way, without a project.
			r := &Resolver{Registry: NewRegistry()}
			if _, err := r.Resolve(context.Background(), tc.plan, 7957417341); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("Resolve() = %v", err)
			}
		})
	}
	for _, tc := range []struct {
		plan *Experiment
		want uint64
	}{
		{NewExperiment().Component(comp), 1},
		{NewExperiment().Component(comp).Repeat(0, ""), 1},
		{NewExperiment().Component(comp).Repeat(2, "").Repeat(0, ""), 1},
		{NewExperiment().Component(comp).Repeat(0, "").Repeat(3, ""), 3},
		{NewExperiment().Component(comp).Repeat(2, "").Split(3, ""), 6},
		{NewExperiment().Component(ComponentSpec{Name: "a", Version: Merge(list(2), list(3))}).Component(comp).Version(list(2)), 14},
		{NewExperiment().Node(ComponentSpec{Name: "n", Version: list(2)}, ComponentSpec{Name: "s", Version: list(3)}, ComponentSpec{Name: "t"}), 6},
		{NewExperiment().Component(comp).Repeat(MaxScheduledComponents, ""), MaxScheduledComponents},
	} {
		if got := tc.plan.ScheduledCount(); got != tc.want {
			t.Errorf("ScheduledCount(%s) = %d, want %d", tc.plan, got, tc.want)
		}
	}
}

// TestScheduledCountMatchesResolve: the count the limit is checked
// against is the length of the schedule Resolve builds.
func TestScheduledCountMatchesResolve(t *testing.T) {
	reg := NewRegistry()
	for _, n := range []string{"a", "n", "s", "t"} {
		reg.Register(n, GoComponent{})
	}
	list := func(n int) Version {
		items := make([]Version, n)
		for i := range items {
			items[i] = Patch(map[string]any{"x": int64(i)})
		}
		return Iterate(items...)
	}
	plans := []*Experiment{
		NewExperiment().Component(ComponentSpec{Name: "a"}).Repeat(2, "").Repeat(0, "").Split(3, ""),
		NewExperiment().Component(ComponentSpec{Name: "a", Version: Merge(list(2), list(3))}).Component(ComponentSpec{Name: "a"}).Version(list(2)).Repeat(2, ""),
		NewExperiment().Node(ComponentSpec{Name: "n", Version: list(2)}, ComponentSpec{Name: "s", Version: list(3)}, ComponentSpec{Name: "t", Version: Iterate()}),
	}
	for _, c := range loadScheduleCases(t) {
		plans = append(plans, buildPlan(t, c.Plan))
	}
	for _, p := range plans {
		names := map[string]bool{}
		for _, c := range p.Components {
			names[c.Name] = true
			for _, s := range c.Components {
				names[s.Name] = true
			}
		}
		for n := range names {
			if !reg.Registered(n) {
				reg.Register(n, GoComponent{})
			}
		}
		got, err := (&Resolver{Registry: reg}).Resolve(context.Background(), p, 7957417341)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if n := p.ScheduledCount(); n != uint64(len(got)) {
			t.Errorf("%s: ScheduledCount %d, Resolve scheduled %d", p, n, len(got))
		}
	}
}
