package runtime

import (
	"context"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/storage"
)

// A Go component reaches a Go mixin listed in its config's _mixins_: the
// mixin's function runs with the component's Self, so what it sets is
// the component's.
func TestGoMixin(t *testing.T) {
	reg := NewRegistry()
	reg.Register("data", GoComponent{
		"load": func(ctx context.Context, self *Self, args ...any) (any, error) {
			self.Attrs["loaded"] = args[0]
			return args[0].(int64) * 2, nil
		},
	})
	var got any
	var attrs map[string]any
	reg.Register("model", GoComponent{
		OnExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
			v, err := self.CallMixin(ctx, "_data_", "load", int64(21))
			got, attrs = v, self.Attrs
			return nil, err
		},
	})
	plan := NewExperiment().Component(ComponentSpec{Name: "model", Version: Patch(map[string]any{MixinsKey: []any{"data"}})})
	_, outs := runOne(t, reg, plan, RunEnv{})
	if outs[0].Status != "finished" {
		t.Fatalf("status %s: %s", outs[0].Status, outs[0].Error)
	}
	if got != int64(42) || attrs["loaded"] != int64(21) {
		t.Errorf("mixin returned %v, set loaded=%v; want 42 and 21", got, attrs["loaded"])
	}
}

// Errors name the mixin: unknown code, an unknown function, a bad list.
func TestMixinErrors(t *testing.T) {
	reg := NewRegistry()
	reg.Register("data", GoComponent{})
	var callErr error
	reg.Register("model", GoComponent{
		OnExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
			_, callErr = self.CallMixin(ctx, "data", "nope")
			return nil, nil
		},
	})
	run := func(mixins any) Outcome {
		plan := NewExperiment().Component(ComponentSpec{Name: "model", Version: Patch(map[string]any{MixinsKey: mixins})})
		_, outs := runOne(t, reg, plan, RunEnv{})
		return outs[0]
	}
	if out := run([]any{"missing"}); out.Status != "failed" || !strings.Contains(out.Error, `mixin "missing": no code for component "missing"`) {
		t.Errorf("unknown mixin: %s %q", out.Status, out.Error)
	}
	if out := run([]any{map[string]any{"attribute": "_x_"}}); !strings.Contains(out.Error, "_mixins_[0]: expected a mixin name") {
		t.Errorf("nameless mixin: %q", out.Error)
	}
	if out := run(3); !strings.Contains(out.Error, "_mixins_: expected a list of mixin names") {
		t.Errorf("bad _mixins_: %q", out.Error)
	}
	run("data")
	if callErr == nil || callErr.Error() != `mixin "data" has no function "nope"` {
		t.Errorf("unknown function: %v", callErr)
	}
}

func TestMixinAttribute(t *testing.T) {
	for name, want := range map[string]string{"data": "_data_", "lib.data": "_lib_data_", "+.vendor.x": "_vendor_x_"} {
		if got := MixinAttribute(name); got != want {
			t.Errorf("MixinAttribute(%q) = %q, want %q", name, got, want)
		}
	}
}

// component.json leaves out hidden keys (_x, not _x_) as 2.x does;
// schedule.json, which workers read, keeps them.
func TestComponentJSONLeavesOutHiddenKeys(t *testing.T) {
	reg := NewRegistry()
	reg.Register("a", GoComponent{})
	reg.Register("s", GoComponent{})
	plan := NewExperiment().Node(
		ComponentSpec{Name: "a", Version: Patch(map[string]any{"_token": "secret", "_keep_": 1, "lr": 0.1,
			"opt": map[string]any{"_inner": 1, "m": 2}, "list": []any{map[string]any{"_x": 1, "y": 2}}})},
		ComponentSpec{Name: "s", Version: Patch(map[string]any{"_sub": 2, "w": 3})})
	sched, env := prepareRun(t, reg, plan)
	if out := RunComponent(context.Background(), env, &sched[0]); out.Status != storage.StatusFinished {
		t.Fatalf("%s: %s", out.Status, out.Error)
	}
	if _, ok := sched[0].Config["_token"]; !ok {
		t.Fatal("the schedule lost a hidden key")
	}
	c, err := env.Experiment.OpenComponent(sched[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var comp ScheduledComponent
	if err := c.ReadJSON("component.json", &comp); err != nil {
		t.Fatal(err)
	}
	if cfg := comp.Config; cfg["_token"] != nil || cfg["_keep_"] == nil || cfg["lr"] == nil {
		t.Errorf("component.json config %v: want _keep_ and lr, not _token", cfg)
	}
	// at every depth, as 2.x's toDict(with_hidden=False)
	if opt := comp.Config["opt"].(map[string]any); opt["_inner"] != nil || opt["m"] == nil {
		t.Errorf("nested hidden key kept: %v", opt)
	}
	if item := comp.Config["list"].([]any)[0].(map[string]any); item["_x"] != nil || item["y"] == nil {
		t.Errorf("hidden key in a list kept: %v", item)
	}
	var subs []ScheduledComponent
	if err := c.ReadJSON("components.json", &subs); err != nil {
		t.Fatal(err)
	}
	if sub := subs[0].Config; sub["_sub"] != nil || sub["w"] == nil {
		t.Errorf("components.json config %v: want w, not _sub", sub)
	}
}

// A Go component declares its mixins in its default config (WithDefaults);
// the Go mixin's defaults are merged under the component's, and patches
// apply over both, as 2.x merges mixins.
func TestGoComponentDeclaresMixins(t *testing.T) {
	reg := NewRegistry()
	reg.Register("data", WithDefaults(GoComponent{
		"size": func(ctx context.Context, self *Self, args ...any) (any, error) { return self.Config["batch"], nil },
	}, map[string]any{"batch": int64(32), "lr": 9.0}))
	var size any
	reg.Register("model", WithDefaults(GoComponent{
		OnExecute: func(ctx context.Context, self *Self, args ...any) (any, error) {
			var err error
			size, err = self.CallMixin(ctx, "data", "size")
			return nil, err
		},
	}, map[string]any{"lr": 0.1, MixinsKey: []any{"data"}}))
	plan := NewExperiment().Component(ComponentSpec{Name: "model", Version: Patch(map[string]any{"batch": int64(64), "opt.momentum": 0.9})})
	sched, outs := runOne(t, reg, plan, RunEnv{})
	if outs[0].Status != "finished" {
		t.Fatalf("%s: %s", outs[0].Status, outs[0].Error)
	}
	cfg := sched[0].Config
	if cfg["lr"] != 0.1 || cfg["batch"] != int64(64) || size != int64(64) {
		t.Errorf("config %v, mixin saw batch %v: want lr 0.1 (the component's), batch 64 (the patch's)", cfg, size)
	}
	if opt, _ := cfg["opt"].(map[string]any); opt["momentum"] != 0.9 {
		t.Errorf("dotted patch key not unflattened: %v", cfg)
	}
}
