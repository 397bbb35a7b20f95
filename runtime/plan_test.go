package runtime

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fullPlan uses every feature of the plan language, with config values of
// every plain type; whole numbers are int64 as the decoder returns them.
func fullPlan(t *testing.T) *Experiment {
	t.Helper()
	big := int64(1)<<62 + 7 // not representable as a float64
	e := NewExperiment().
		Component(ComponentSpec{Name: "plain"}).
		Component(ComponentSpec{
			Name:       "models.net",
			Version:    Patch(map[string]any{"lr": 0.5, "width": int64(64), "big": big, "tags": []any{"a", int64(2), true, nil}, "nested": map[string]any{"n": int64(-3)}}),
			Checkpoint: "checkpoints/best",
			Flags:      map[string]any{"MY_FLAG": "x", "LEVEL": int64(3), "HUGE": big, "RATE": 0.25, "ON": true},
			Resources:  map[string]any{"cpu": int64(4), "mem": "8G", "gpus": []any{int64(0), int64(1)}},
		}).
		Repeat(2, "").
		Component(ComponentSpec{Name: "named", Version: Named("alexnet")}).
		Component(ComponentSpec{Name: "yaml", Version: VersionString("lr: 0.1\nmodel: {width: 32}")}).
		Component(ComponentSpec{Name: "tuple", Version: Merge(Named("~base"), Patch(map[string]any{"seed_offset": big}))}).
		Component(ComponentSpec{Name: "grid", Version: Iterate(
			Patch(map[string]any{"lr": int64(1)}),
			Merge(Named("big"), Iterate(Patch(map[string]any{"x": int64(1)}), Version{})),
			Iterate(VersionString("a: 1"), Named("c")),
		)}).
		Split(3, "FOLD").
		Node(ComponentSpec{Name: "node", Version: Patch(map[string]any{"depth": int64(2)}), Resources: map[string]any{"cpu": int64(1)}},
			ComponentSpec{Name: "sub1", Version: Iterate(Patch(map[string]any{"u": int64(1)}), Patch(map[string]any{"u": int64(2)}))},
			ComponentSpec{Name: "sub2"},
		).
		Version(Patch(map[string]any{"global": map[string]any{"count": big}})).
		Version(Version{}). // None adds nothing
		Version(Named("~fast")).
		Repeat(4, "TRIAL")
	if err := e.SetDirectory("runs/%Y-%m-%d/x"); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestPlanJSONRoundTrip(t *testing.T) {
	e := fullPlan(t)
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(e.Versions) != 2 {
		t.Fatalf("Version(None) should add nothing: %d versions", len(e.Versions))
	}
	wantRepeats := []Repeat{
		{Kind: "repeat", Name: "REPEAT", K: 2, Mode: RepeatModeIndependent},
		{Kind: "split", Name: "FOLD", K: 3, Mode: RepeatModeIndependent},
		{Kind: "repeat", Name: "TRIAL", K: 4, Mode: RepeatModeIndependent},
	}
	if !reflect.DeepEqual(e.Repeats, wantRepeats) {
		t.Fatalf("repeats = %+v", e.Repeats)
	}
	data, err := e.JSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseExperiment(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, e) {
		a, _ := json.Marshal(e)
		b, _ := json.Marshal(back)
		t.Fatalf("round trip changed the plan:\n%s\n%s\n%#v", a, b, back)
	}
	// int64 beyond float64 precision survive exactly, in every place.
	big := int64(1)<<62 + 7
	if got := back.Components[1].Version.Values["big"]; got != big {
		t.Errorf("version value = %v (%T)", got, got)
	}
	if got := back.Components[1].Flags["HUGE"]; got != big {
		t.Errorf("flag = %v (%T)", got, got)
	}
	if got := back.Components[1].Resources["cpu"]; got != int64(4) {
		t.Errorf("resource = %v (%T)", got, got)
	}
	if got := back.Components[4].Version.Items[1].Values["seed_offset"]; got != big {
		t.Errorf("tuple item value = %v (%T)", got, got)
	}
	if got := back.Versions[0].Values["global"].(map[string]any)["count"]; got != big {
		t.Errorf("experiment version value = %v (%T)", got, got)
	}
	if got := back.Components[1].Flags["RATE"]; got != 0.25 {
		t.Errorf("float flag = %v (%T)", got, got)
	}
	// The default version is left out of the JSON.
	var raw struct {
		Components []map[string]json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw.Components[0]["version"]; ok {
		t.Errorf("default version serialized: %s", data)
	}
	// A second round trip is byte-identical, and the summary is unchanged.
	data2, err := back.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(data2) != string(data) {
		t.Errorf("second round trip differs:\n%s\n%s", data, data2)
	}
	if back.String() != e.String() {
		t.Errorf("String() differs after round trip:\n%s\n%s", e, back)
	}
	// Expansion agrees before and after.
	for i := range e.Components {
		a, errA := e.Components[i].Version.Expand()
		b, errB := back.Components[i].Version.Expand()
		if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("component %d expands differently: %v %v / %v %v", i, a, errA, b, errB)
		}
	}
}

func TestParseExperimentErrors(t *testing.T) {
	for _, src := range []string{"", "{", `{"components": 5}`, `[]`} {
		if _, err := ParseExperiment([]byte(src)); err == nil || !strings.HasPrefix(err.Error(), "experiment JSON:") {
			t.Errorf("ParseExperiment(%q) err = %v", src, err)
		}
	}
}

func TestPlanSummary(t *testing.T) {
	s := fullPlan(t).String()
	for _, want := range []string{
		`Experiment (directory "runs/%Y-%m-%d/x")`,
		"  - plain\n",
		`  - models.net version=`,
		`checkpoint="checkpoints/best"`,
		`  - named version="~alexnet"`,
		`  - tuple version=("~base", `,
		"  - node version=",
		"\n      - sub1 version=[",
		"\n      - sub2\n",
		`  version "~fast"`,
		"  repeat 2 (REPEAT)\n",
		"  split 3 (FOLD)\n",
		"  repeat 4 (TRIAL)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if strings.HasSuffix(s, "\n") {
		t.Errorf("summary ends with a newline")
	}
}

func TestPlanValidate(t *testing.T) {
	comp := ComponentSpec{Name: "a"}
	cases := []struct {
		name string
		plan *Experiment
		want string
	}{
		{"no components", NewExperiment(), "experiment has no components: add one with .component(name)"},
		{"only a repeat", NewExperiment().Repeat(2, ""), "experiment has no components: add one with .component(name)"},
		{"k < 0", NewExperiment().Component(comp).Split(-2, ""), ".split(-2): expected k >= 0"},
		{"unknown mode", &Experiment{Components: []ComponentSpec{comp}, Repeats: []Repeat{{Kind: "repeat", Name: "REPEAT", K: 2, Mode: "grid"}}},
			`.repeat(2, mode="grid"): expected mode "independent", the only mode machinable has`},
		{"component without a name", NewExperiment().Component(ComponentSpec{}), "component without a name: expected the name of a component of machinable.yaml or a registered Go component"},
		{"sub-component without a name", NewExperiment().Node(comp, ComponentSpec{Name: "s"}, ComponentSpec{}), "component without a name: expected the name of a component of machinable.yaml or a registered Go component"},
		{"absolute directory", &Experiment{Components: []ComponentSpec{comp}, Directory: "/tmp/x"}, `directory "/tmp/x": expected a relative path inside the storage`},
		{"home directory", &Experiment{Components: []ComponentSpec{comp}, Directory: "~/x"}, `directory "~/x": expected a relative path inside the storage`},
		{"backslash directory", &Experiment{Components: []ComponentSpec{comp}, Directory: `a\b`}, `directory "a\\b": expected a relative path inside the storage`},
		{"parent directory", &Experiment{Components: []ComponentSpec{comp}, Directory: ".."}, `directory "..": escapes the storage`},
		{"escaping directory", &Experiment{Components: []ComponentSpec{comp}, Directory: "../x"}, `directory "../x": escapes the storage`},
		{"escaping after clean", &Experiment{Components: []ComponentSpec{comp}, Directory: "a/../../b"}, `directory "a/../../b": escapes the storage`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.plan.Validate()
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
	for _, ok := range []*Experiment{
		NewExperiment().Component(comp),
		NewExperiment().Component(comp).Repeat(1, "").Split(5, ""),
		// 2.x: a repeat covers the whole experiment, wherever it is called,
		// and k = 0 runs the plan once without that level's flags.
		NewExperiment().Repeat(3, "").Component(comp),
		NewExperiment().Component(comp).Repeat(0, ""),
		{Components: []ComponentSpec{comp}, Directory: "a/./b/../c"},
		{Components: []ComponentSpec{comp}, Directory: "..x/y"},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("Validate(%s) = %v", ok, err)
		}
	}
}

func TestSetDirectory(t *testing.T) {
	e := NewExperiment()
	if err := e.SetDirectory("/abs"); err == nil || err.Error() != `directory "/abs": expected a relative path inside the storage` {
		t.Errorf("SetDirectory(/abs) = %v", err)
	}
	if err := e.SetDirectory("../up"); err == nil || err.Error() != `directory "../up": escapes the storage` {
		t.Errorf("SetDirectory(../up) = %v", err)
	}
	if e.Directory != "" {
		t.Errorf("a refused directory was kept: %q", e.Directory)
	}
	if err := e.SetDirectory("exp/%Y"); err != nil || e.Directory != "exp/%Y" {
		t.Errorf("SetDirectory(exp/%%Y) = %v, %q", err, e.Directory)
	}
}

func TestStrftime(t *testing.T) {
	at := time.Date(2024, time.March, 7, 9, 5, 2, 0, time.UTC) // a Thursday
	cases := []struct{ format, want string }{
		{"plain/dir", "plain/dir"},
		{"%Y-%m-%d", "2024-03-07"},
		{"%H:%M:%S", "09:05:02"},
		{"%y %j %b %a", "24 067 Mar Thu"},
		{"runs/%Y-%m-%d_%H-%M-%S/x", "runs/2024-03-07_09-05-02/x"},
		{"100%%", "100%"},
		{"%q unknown", "%q unknown"},
		{"trailing %", "trailing %"},
		{"%%Y", "%Y"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := Strftime(tc.format, at); got != tc.want {
			t.Errorf("Strftime(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
	if got := Strftime("%Y/%j", time.Date(5, time.December, 31, 0, 0, 0, 0, time.UTC)); got != "0005/365" {
		t.Errorf("Strftime of year 5 = %q", got)
	}
}

// Clone shares nothing a caller can change, but keeps functions, which
// JSON cannot carry.
func TestPlanClone(t *testing.T) {
	computed := &Computed{Name: "f"}
	e := NewExperiment().Node(
		ComponentSpec{Name: "n", Version: Patch(map[string]any{"a": map[string]any{"b": int64(1)}, "c": computed}),
			Flags: map[string]any{"F": []any{int64(1)}}, ResourcesFunc: func(map[string]any) (map[string]any, error) { return nil, nil }},
		ComponentSpec{Name: "s"}).Version(Iterate(Patch(map[string]any{"x": int64(1)}))).Repeat(2, "")
	c := e.Clone()
	c.Components[0].Version.Values["a"].(map[string]any)["b"] = int64(2)
	c.Components[0].Flags["F"].([]any)[0] = int64(2)
	c.Components[0].Components[0].Name = "changed"
	c.Versions[0].Items[0].Values["x"] = int64(2)
	c.Repeats[0].K = 5
	if e.Components[0].Version.Values["a"].(map[string]any)["b"] != int64(1) || e.Components[0].Flags["F"].([]any)[0] != int64(1) ||
		e.Components[0].Components[0].Name != "s" || e.Versions[0].Items[0].Values["x"] != int64(1) || e.Repeats[0].K != 2 {
		t.Errorf("changing the clone changed the plan: %s", e)
	}
	if c.Components[0].Version.Values["c"] != computed || c.Components[0].ResourcesFunc == nil {
		t.Error("the clone lost a function")
	}
}
