package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// The cases in testdata/schedules.json come from testdata/gen_schedules.py,
// an independent Python re-implementation of machinable 2.x's seeding
// order; regenerate with `python3 runtime/testdata/gen_schedules.py`.

type scheduleCase struct {
	Name         string            `json:"name"`
	Seed         *int64            `json:"seed"`
	GlobalSeed   int64             `json:"global_seed"`
	ExperimentID string            `json:"experiment_id"`
	Plan         schedulePlan      `json:"plan"`
	Expected     []scheduledVector `json:"expected"`
}

type schedulePlan struct {
	Components []planComponent   `json:"components"`
	Versions   []json.RawMessage `json:"versions"`
	Repeats    []planRepeat      `json:"repeats"`
}

type planComponent struct {
	Name       string          `json:"name"`
	Version    json.RawMessage `json:"version"`
	Checkpoint string          `json:"checkpoint"`
	Flags      json.RawMessage `json:"flags"`
	Components []planComponent `json:"components"`
}

type planRepeat struct {
	Kind string `json:"kind"`
	K    int    `json:"k"`
	Name string `json:"name"`
}

type scheduledVector struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Config     json.RawMessage   `json:"config"`
	Flags      json.RawMessage   `json:"flags"`
	Components []scheduledVector `json:"components"`
}

func loadScheduleCases(t *testing.T) []scheduleCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "schedules.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []scheduleCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases in schedules.json")
	}
	return cases
}

// decodeValue decodes a JSON fragment with int64 for whole numbers.
func decodeValue(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	v, err := jsonvalue.Decode(raw)
	if err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// versionOf turns the JSON version of a case (null, a dict or a list of
// dicts) into the runtime's version language.
func versionOf(t *testing.T, raw json.RawMessage) Version {
	t.Helper()
	switch v := decodeValue(t, raw).(type) {
	case nil:
		return Version{}
	case map[string]any:
		return Patch(v)
	case []any:
		items := make([]Version, len(v))
		for i, it := range v {
			m, ok := it.(map[string]any)
			if !ok {
				t.Fatalf("version list item %d: want a dict, got %T", i, it)
			}
			items[i] = Patch(m)
		}
		return Iterate(items...)
	default:
		t.Fatalf("unexpected version %s", raw)
		return Version{}
	}
}

func specOf(t *testing.T, c planComponent) ComponentSpec {
	t.Helper()
	spec := ComponentSpec{Name: c.Name, Version: versionOf(t, c.Version), Checkpoint: c.Checkpoint}
	if f := decodeValue(t, c.Flags); f != nil {
		spec.Flags = f.(map[string]any)
	}
	return spec
}

func collectNames(cs []planComponent, into map[string]bool) {
	for _, c := range cs {
		into[c.Name] = true
		collectNames(c.Components, into)
	}
}

// buildPlan replays the case with the fluent API. The repeat calls are
// made right after the first component, so every later component is added
// after them: a repeat covers the whole experiment wherever it is called.
func buildPlan(t *testing.T, p schedulePlan) *Experiment {
	t.Helper()
	e := NewExperiment()
	add := func(c planComponent) {
		spec := specOf(t, c)
		if len(c.Components) > 0 {
			subs := make([]ComponentSpec, len(c.Components))
			for i, s := range c.Components {
				subs[i] = specOf(t, s)
			}
			e.Node(spec, subs...)
		} else {
			e.Component(spec)
		}
	}
	for _, raw := range p.Versions {
		m, ok := decodeValue(t, raw).(map[string]any)
		if !ok {
			t.Fatalf("experiment version %s: want a dict", raw)
		}
		e.Version(Patch(m))
	}
	add(p.Components[0])
	for _, r := range p.Repeats {
		switch r.Kind {
		case "repeat":
			e.Repeat(r.K, r.Name)
		case "split":
			e.Split(r.K, r.Name)
		default:
			t.Fatalf("unknown repeat kind %q", r.Kind)
		}
	}
	for _, c := range p.Components[1:] {
		add(c)
	}
	return e
}

// sameValue compares a decoded JSON value (int64, float64, string, bool,
// nil, maps, lists) with a value produced by the resolver, numbers by value
// whatever their Go type.
func sameValue(want, got any) bool {
	if wn, ok := asNumber(want); ok {
		gn, ok := asNumber(got)
		return ok && wn == gn
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !sameValue(wv, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !sameValue(w[i], g[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(want, got)
}

// asNumber returns whole numbers of any Go type as a string of digits, so
// int64, int and float64 with the same value compare equal.
func asNumber(v any) (string, bool) {
	switch x := v.(type) {
	case int:
		return fmt.Sprint(x), true
	case int32:
		return fmt.Sprint(x), true
	case int64:
		return fmt.Sprint(x), true
	case uint64:
		return fmt.Sprint(x), true
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprint(int64(x)), true
		}
		return fmt.Sprint(x), true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

func diffMaps(want, got map[string]any) string {
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var b strings.Builder
	for _, k := range sorted {
		wv, wok := want[k]
		gv, gok := got[k]
		switch {
		case !wok:
			fmt.Fprintf(&b, "\n    %s: unexpected %v (%T)", k, gv, gv)
		case !gok:
			fmt.Fprintf(&b, "\n    %s: missing, want %v", k, wv)
		case !sameValue(wv, gv):
			fmt.Fprintf(&b, "\n    %s: got %v (%T), want %v", k, gv, gv, wv)
		}
	}
	return b.String()
}

func compareScheduled(t *testing.T, where string, want scheduledVector, got ScheduledComponent) {
	t.Helper()
	if got.ID != want.ID {
		t.Errorf("%s: id %q, want %q", where, got.ID, want.ID)
	}
	if got.Name != want.Name {
		t.Errorf("%s: name %q, want %q", where, got.Name, want.Name)
	}
	wantFlags, _ := decodeValue(t, want.Flags).(map[string]any)
	if d := diffMaps(wantFlags, got.Flags); d != "" {
		t.Errorf("%s: flags differ:%s", where, d)
	}
	wantConfig, _ := decodeValue(t, want.Config).(map[string]any)
	if !sameValue(wantConfig, got.Config) {
		t.Errorf("%s: config %v, want %v", where, got.Config, wantConfig)
	}
	if len(got.Components) != len(want.Components) {
		t.Errorf("%s: %d sub-components, want %d", where, len(got.Components), len(want.Components))
		return
	}
	for i := range want.Components {
		compareScheduled(t, fmt.Sprintf("%s.components[%d]", where, i), want.Components[i], got.Components[i])
	}
}

func TestResolveSchedulesMatchPythonReference(t *testing.T) {
	for _, tc := range loadScheduleCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			names := map[string]bool{}
			collectNames(tc.Plan.Components, names)
			reg := NewRegistry()
			for n := range names {
				reg.Register(n, GoComponent{})
			}
			plan := buildPlan(t, tc.Plan)
			r := &Resolver{Registry: reg}
			got, err := r.Resolve(context.Background(), plan, tc.GlobalSeed)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.Expected) {
				ids := make([]string, len(got))
				for i, g := range got {
					ids[i] = g.Name + ":" + g.ID
				}
				t.Fatalf("%d scheduled components %v, want %d", len(got), ids, len(tc.Expected))
			}
			for i, want := range tc.Expected {
				compareScheduled(t, fmt.Sprintf("schedule[%d]", i), want, got[i])
			}
		})
	}
}

// TestResolveReferenceVector pins the machinable 2.x vector from the spec
// independently of the JSON file.
func TestResolveReferenceVector(t *testing.T) {
	reg := NewRegistry()
	reg.Register("a", GoComponent{})
	plan := NewExperiment().Component(ComponentSpec{Name: "a"}).Repeat(3, "")
	got, err := (&Resolver{Registry: reg}).Resolve(context.Background(), plan, 7957417341)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id   string
		seed int64
	}{{"e9DJBHuoiCvn", 263761070}, {"XfOWPgKJCcuh", 611082855}, {"9NTO7Rgg7Ag1", 102001072}}
	if len(got) != len(want) {
		t.Fatalf("got %d components, want %d", len(got), len(want))
	}
	for i, w := range want {
		c := got[i]
		if c.ID != w.id || c.Flags["SEED"] != w.seed || c.Flags["COMPONENT_ID"] != w.id {
			t.Errorf("component %d: id %q seed %v, want %q %d", i, c.ID, c.Flags["SEED"], w.id, w.seed)
		}
		if c.Flags["REPEAT_SEED"] != int64(2055422843) || c.Flags["REPEAT_NUMBER"] != int64(i) || c.Flags["REPEAT_TOTAL"] != int64(3) {
			t.Errorf("component %d: repeat flags %v", i, c.Flags)
		}
		if c.Flags["GLOBAL_SEED"] != int64(7957417341) || c.Flags["EXPERIMENT_ID"] != "8gWVkz" {
			t.Errorf("component %d: global flags %v", i, c.Flags)
		}
	}
}

// TestResolveErrors covers the failures Resolve reports before drawing.
func TestResolveErrors(t *testing.T) {
	reg := NewRegistry()
	reg.Register("a", GoComponent{})
	r := &Resolver{Registry: reg}
	ctx := context.Background()
	cases := []struct {
		name string
		plan *Experiment
		seed int64
		want string
	}{
		{"empty", NewExperiment(), 7957417341, "experiment has no components"},
		{"unknown", NewExperiment().Component(ComponentSpec{Name: "zz"}), 7957417341, `unknown component "zz"`},
		{"named version without project", NewExperiment().Component(ComponentSpec{Name: "a", Version: Named("big")}), 7957417341, `has no version "~big"`},
		{"seed out of range", NewExperiment().Component(ComponentSpec{Name: "a"}), 5, "global seed 5 out of range"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Resolve(ctx, tc.plan, tc.seed)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// A cancelled context stops the resolution of a large plan.
func TestResolveCancelled(t *testing.T) {
	reg := NewRegistry()
	reg.Register("a", GoComponent{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Resolver{Registry: reg}).Resolve(ctx, NewExperiment().Component(ComponentSpec{Name: "a"}).Repeat(100000, ""), 7957417341)
	if err == nil || !strings.Contains(err.Error(), "resolving the plan: context canceled") {
		t.Fatalf("err = %v, want the resolution cancelled", err)
	}
}
