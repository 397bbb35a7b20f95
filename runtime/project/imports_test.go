package project

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestVendorImports(t *testing.T) {
	p, err := Load("testdata/imports")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Imports(); len(got) != 1 || got[0].Name != "fooba" || got[0].Source != "git+file:///not/fetched/in/this/test" || got[0].Line != 2 {
		t.Fatalf("Imports() = %+v", got)
	}
	for _, c := range []struct {
		name, module, parent string
		want                 map[string]any
	}{
		// A parent in a vendor project: its config, this entry's code.
		{"inherit", "inherit", "+.fooba.experiments.start",
			map[string]any{"test": 123, "data": map[string]any{"rows": 3}, "extra": "local"}},
		// The vendor's component with config merged over its own; the
		// vendor's inheritance (dependent^base) is resolved in the vendor.
		{"dependent", "vendor.fooba.experiments.dependent", "",
			map[string]any{"elephant": "at_home", "overwrite_me": map[string]any{"keep": "me", "nested": "here"}}},
		// A +. parent is the vendor's, not this file's entry of that name.
		{"dep_child", "dep_child", "+.fooba.experiments.dependent",
			map[string]any{"elephant": "at_home", "overwrite_me": map[string]any{"keep": "me", "nested": "level"}}},
		// Inheritance across two levels of vendor projects.
		{"chained", "vendor.fooba.models.chained", "",
			map[string]any{"base": "value", "deep": "early", "here": "we_go"}},
		// A nameless entry reuses the vendor's code.
		{"reused", "vendor.fooba.models.extended", "+.fooba.models.extended",
			map[string]any{"hello": "again", "referenced": "world"}},
	} {
		comp, err := p.Component(c.name)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if comp.Module != c.module || comp.Parent != c.parent {
			t.Errorf("%s: module %q parent %q, want %q %q", c.name, comp.Module, comp.Parent, c.module, c.parent)
		}
		cfg, err := p.Config(c.name, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if fmt.Sprint(cfg) != fmt.Sprint(c.want) {
			t.Errorf("%s: config %v, want %v", c.name, cfg, c.want)
		}
	}

	// The vendor component's own mixins are the vendor's.
	r, err := p.ConfigInfo("miximp", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Mixins) != 1 || r.Mixins[0] != (MixinRef{Name: "+.fooba.hidden", Origin: "+.fooba.hidden", Module: "vendor.fooba.mixins.hidden", Attribute: "_hidden_"}) {
		t.Errorf("miximp mixins: %+v", r.Mixins)
	}
	if fmt.Sprintf("%v %v", r.Config["state"], r.Config["c"]) != "hidden 1" {
		t.Errorf("miximp config: %v", r.Config)
	}
	want := []any{map[string]any{"name": "+.fooba.hidden", "origin": "+.fooba.hidden", "attribute": "_hidden_", "module": "vendor.fooba.mixins.hidden"}}
	if !reflect.DeepEqual(r.Config["_mixins_"], want) {
		t.Errorf("miximp _mixins_: %v", r.Config["_mixins_"])
	}

	// Mixins declared from a vendor, one with config of its own.
	r, err = p.ConfigInfo("mine", nil)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%v %v", r.Config["imported"], r.Config["level"]) != "hello 2" {
		t.Errorf("mine: %v", r.Config)
	}
	if m, _ := p.Mixin("nested"); m == nil || m.Module != "vendor.fooba.mixins.nested" {
		t.Errorf("mixin nested: %+v", m)
	}
	// Where the runtime finds a vendor mixin's code.
	if m := r.Config["_mixins_"].([]any)[0].(map[string]any); m["module"] != "vendor.fooba.greeting" || m["attribute"] != "_greeting_" {
		t.Errorf("mine: _mixins_ %v", r.Config["_mixins_"])
	}
}

func TestVendorImportErrors(t *testing.T) {
	vendor := "mixins:\n  - m:\ncomponents:\n  - experiments.start:\n      x: 1\n"
	for _, c := range []struct{ src, want string }{
		{"+:\n  - fooba\ncomponents:\n  - +.fooba.experiments.strat:\n",
			`:4: component "+.fooba.experiments.strat": vendor project fooba: unknown component "experiments.strat" (did you mean "experiments.start"?)`},
		{"+:\n  - fooba\ncomponents:\n  - a^+.foba.experiments.start:\n",
			`:4: component "a^+.foba.experiments.start": unknown parent: component "+.foba.experiments.start": "foba" is not listed under + in `},
		{"components:\n  - a^+.fooba.experiments.start:\n",
			`:2: component "a^+.fooba.experiments.start": unknown parent: component "+.fooba.experiments.start": no vendor projects are listed under + in `},
		{"+:\n  - fooba\n  - other\n", `:3: +: vendor project "other": no machinable.yaml in `},
		{"+:\n  - fooba\n  - fooba\n", `:3: +: vendor project "fooba" is already listed at line 2`},
		{"+:\n  - fooba: [x]\n", `:2: +: fooba: expected where to fetch it from (a git URL or a directory), got a list`},
		{"+:\n  - fooba\ncomponents:\n  - +.fooba.experiments.start^x:\n",
			`:4: component "+.fooba.experiments.start^x": a vendor component cannot also have a parent (^x)`},
		{"+:\n  - fooba\ncomponents:\n  - a:\n      _mixins_: [+.fooba.n]\n",
			`component "a": key "_mixins_": mixin "+.fooba.n": vendor project fooba: unknown mixin "n"; known mixins in `},
	} {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "vendor", "fooba"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "vendor", "fooba", FileName), []byte(vendor), 0o644); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, FileName)
		if err := os.WriteFile(file, []byte(c.src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(dir)
		if err == nil || !strings.HasPrefix(err.Error(), file) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant %s...%s", c.src, err, file, c.want)
		}
	}
}

func TestReadImportsWithoutVendorDir(t *testing.T) {
	dir := t.TempDir()
	src := "+:\n  - a: git+file:///x/a.git\n  - b\n  - c: ../c\n"
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadImports(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Import{{"a", "git+file:///x/a.git", 2}, {"b", "", 3}, {"c", "../c", 4}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadImports = %+v", got)
	}
}
