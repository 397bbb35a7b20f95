package project

import (
	"errors"
	"testing"
)

func TestNames(t *testing.T) {
	tests := []struct {
		fixture string
		want    []string
	}{
		{"basic", []string{"bare", "empty", "optimization"}},
		{"mapping", []string{"3rd", "first", "second", "third"}},
		// Names in a group are also found without the group prefix, and
		// an alias in a group is prefixed too (2.x).
		{"groups", []string{"baseline", "models.baseline", "models.resnet", "models.small", "models.vision.resnet", "optimization", "resnet", "small", "vision.resnet"}},
		{"inheritance", []string{"base", "child", "grandchild", "long.module.name", "short", "via_alias"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			assertEqual(t, load(t, tt.fixture).Names(), tt.want)
		})
	}
}

func TestComponent(t *testing.T) {
	tests := []struct {
		fixture, name string
		want          Component
	}{
		{"basic", "optimization", Component{Name: "optimization", Module: "optimization", Line: 7}},
		{"basic", "bare", Component{Name: "bare", Module: "bare", Line: 33}},
		{"mapping", "3rd", Component{Name: "third", Module: "third", Alias: "3rd", Line: 6}},
		{"groups", "models.baseline", Component{Name: "models.baseline", Module: "models.baseline", Line: 6}},
		{"groups", "resnet", Component{Name: "models.vision.resnet", Module: "models.vision.resnet", Alias: "resnet", Parent: "models.baseline", Line: 8}},
		// A parent outside the group is found by its full name.
		{"groups", "models.small", Component{Name: "models.small", Module: "models.small", Parent: "optimization", Line: 10}},
		{"inheritance", "short", Component{Name: "long.module.name", Module: "long.module.name", Alias: "short", Parent: "base", Line: 13}},
		// A parent written as an alias is reported by its full name.
		{"inheritance", "via_alias", Component{Name: "via_alias", Module: "via_alias", Parent: "long.module.name", Line: 15}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture+"/"+tt.name, func(t *testing.T) {
			c, err := load(t, tt.fixture).Component(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, *c, tt.want)
		})
	}
}

func TestUnknownComponent(t *testing.T) {
	p := load(t, "groups")
	tests := []struct{ name, want string }{
		{"optimizaton", `unknown component "optimizaton" (did you mean "optimization"?); known components in ` + p.File +
			`: models.baseline, models.resnet, models.small, models.vision.resnet, optimization`},
		{"models.baselin", `unknown component "models.baselin" (did you mean "models.baseline"?); known components in ` + p.File},
		{"something_else", `unknown component "something_else"; known components in ` + p.File},
	}
	for _, tt := range tests {
		_, err := p.Component(tt.name)
		assertError(t, err, tt.want)
		if !errors.Is(err, ErrUnknownComponent) {
			t.Errorf("%v does not wrap ErrUnknownComponent", err)
		}
		_, err = p.Config(tt.name, nil)
		assertError(t, err, tt.want)
		_, err = p.Versions(tt.name)
		assertError(t, err, tt.want)
	}
	// The whole message, once, as the user sees it.
	_, err := p.Component("optimizaton")
	assertEqual(t, err.Error(), tests[0].want)

	empty := writeProject(t, map[string]string{"machinable.yaml": "shared: {}\n"})
	pe, err := Load(empty)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pe.Component("x")
	assertError(t, err, `unknown component "x"; no components are declared in `+pe.File)
}

func TestVersions(t *testing.T) {
	tests := []struct {
		fixture, name string
		want          []string
	}{
		{"basic", "optimization", []string{"~cifar", "~empty", "~mnist"}},
		{"basic", "empty", []string{}},
		{"inheritance", "base", []string{"~fast", "~small"}},
		{"inheritance", "child", []string{"~deep", "~fast", "~small"}},
		{"inheritance", "grandchild", []string{"~deep", "~fast", "~small"}},
		{"inheritance", "via_alias", []string{"~fast", "~small"}},
		{"includes", "whole", []string{"~fast"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture+"/"+tt.name, func(t *testing.T) {
			got, err := load(t, tt.fixture).Versions(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			assertEqual(t, got, tt.want)
		})
	}
}

func TestUnknownVersion(t *testing.T) {
	p := load(t, "basic")
	_, err := p.Config("optimization", []Patch{{Version: "~mnst"}})
	assertEqual(t, err.Error(), `component "optimization" has no version "~mnst" (did you mean "~mnist"?); versions in `+p.File+`: ~cifar, ~empty, ~mnist`)
	if !errors.Is(err, ErrUnknownVersion) {
		t.Errorf("%v does not wrap ErrUnknownVersion", err)
	}
	// Without the tilde the suggestion shows the right spelling.
	_, err = p.Config("optimization", []Patch{{Version: "mnist"}})
	assertError(t, err, `has no version "mnist" (did you mean "~mnist"?)`)
	_, err = p.Config("optimization", []Patch{{Version: "~imagenet"}})
	assertError(t, err, `has no version "~imagenet"; versions in`)
	_, err = p.Config("empty", []Patch{{Version: "~x"}})
	assertError(t, err, `component "empty" has no version "~x"; it declares no versions in `+p.File)
	if !errors.Is(err, ErrUnknownVersion) {
		t.Errorf("%v does not wrap ErrUnknownVersion", err)
	}
}

func TestComponentIsACopy(t *testing.T) {
	p := load(t, "basic")
	c, _ := p.Component("optimization")
	c.Name = "changed"
	c2, _ := p.Component("optimization")
	assertEqual(t, c2.Name, "optimization")
}

// TestEmptyProjects: a project may declare no components yet.
func TestEmptyProjects(t *testing.T) {
	for _, src := range []string{"", "# nothing yet\n", "components:\n", "components:\ncomponents:models:\nshared: {a: 1}\n", "components: []\n", "components: {}\n"} {
		dir := writeProject(t, map[string]string{"machinable.yaml": src})
		p, err := Load(dir)
		if err != nil {
			t.Errorf("Load(%q): %v", src, err)
			continue
		}
		if len(p.Names()) != 0 {
			t.Errorf("Load(%q).Names() = %v, want none", src, p.Names())
		}
	}
}
