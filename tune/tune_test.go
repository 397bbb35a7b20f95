package tune

import (
	"math"
	"reflect"
	"testing"
)

// TestASHARungTable: decisions against a rung table computed by hand for
// max_t=9, grace_period=1, reduction_factor=3 (rungs 1, 3, 9; a trial
// goes on at a rung when its score is at least the 2/3 quantile of the
// scores recorded there before it).
func TestASHARungTable(t *testing.T) {
	a, err := NewASHA(Max, 9, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Milestones(); !reflect.DeepEqual(got, []float64{1, 3, 9}) {
		t.Fatalf("milestones %v", got)
	}
	for i, step := range []struct {
		trial string
		t, v  float64
		want  Decision
	}{
		{"A", 1, 5, Continue}, // first at rung 1: nothing to compare with
		{"B", 1, 3, Stop},     // quantile([5]) = 5
		{"C", 1, 7, Continue}, // quantile([3 5], 2/3) = 4.33
		{"D", 1, 4, Stop},     // quantile([3 5 7], 2/3) = 5.67
		{"A", 2, 6, Continue}, // between rungs
		{"A", 3, 6, Continue}, // first at rung 3
		{"C", 3, 5, Stop},     // quantile([6]) = 6
		{"E", 1, 5.67, Continue},
		{"A", 9, 1, Stop}, // max_t: done, whatever the score
	} {
		if got := a.Result(step.trial, step.t, step.v); got != step.want {
			t.Errorf("step %d %+v: %v", i, step, got)
		}
	}
}

// TestASHAMin: with mode "min" smaller is better.
func TestASHAMin(t *testing.T) {
	a, _ := NewASHA(Min, 4, 1, 2) // rungs 1, 2, 4
	if a.Result("a", 1, 0.5) != Continue || a.Result("b", 1, 0.9) != Stop || a.Result("c", 1, 0.1) != Continue {
		t.Error("min mode")
	}
	for _, bad := range [][3]float64{{0, 1, 3}, {1, 2, 3}, {9, 1, 1}} {
		if _, err := NewASHA(Max, bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestMedianStopping: after the grace period a trial whose best is below
// the median of the others' running means stops, once enough others got
// as far.
func TestMedianStopping(t *testing.T) {
	m, _ := NewMedianStopping(Max, 2, 2)
	for _, r := range [][3]float64{{1, 1, 0}, {1, 2, 0}, {1, 3, 0}} {
		m.Result("T1", r[1], r[0]*r[1])
	}
	if d := m.Result("T2", 2, 2); d != Continue {
		t.Errorf("one other trial is not enough: %v", d)
	}
	m.Result("T2", 3, 6)
	if d := m.Result("T3", 1, 0.5); d != Continue {
		t.Errorf("grace period: %v", d)
	}
	// T1's mean up to 2 is 1.5, T2's is 2: median 1.75 > best 0.5.
	if d := m.Result("T3", 2, 0.5); d != Stop {
		t.Errorf("below the median: %v", d)
	}
	if d := m.Result("T4", 2, 1.8); d != Continue {
		t.Errorf("above the median: %v", d)
	}
}

// TestConditions: the metric follows the mode, other keys are "at least".
func TestConditions(t *testing.T) {
	c := Conditions{Limits: map[string]float64{"val_loss": 0.01, "_iteration": 100}, Metric: "val_loss", Mode: Min}
	if c.Met(map[string]any{"val_loss": 0.5, "_iteration": int64(3)}) != "" ||
		c.Met(map[string]any{"val_loss": 0.01}) == "" ||
		c.Met(map[string]any{"val_loss": 0.5, "_iteration": int64(100)}) == "" ||
		c.Met(map[string]any{"val_loss": "x"}) != "" {
		t.Error("conditions")
	}
	if (Conditions{Limits: map[string]float64{"acc": 0.9}, Metric: "acc", Mode: Max}).Met(map[string]any{"acc": 0.95}) == "" {
		t.Error("max mode")
	}
}

// TestSpace: grids expand in itertools.product order; domains are drawn
// from random.Random(seed) in sorted key order, the same for the same
// seed, within their bounds; the first uniform draw of seed 42 is
// CPython's random.Random(42).uniform(0, 1).
func TestSpace(t *testing.T) {
	space := map[string]any{
		"lr":      LogUniform{Lo: 1e-4, Hi: 1e-1},
		"depth":   Choice{Values: []any{int64(2), int64(4), int64(8)}},
		"batch":   Grid{Values: []any{int64(32), int64(64)}},
		"opt":     map[string]any{"momentum": Grid{Values: []any{0.0, 0.9}}, "name": "sgd", "wd": RandInt{Lo: 0, Hi: 5}},
		"dropout": Uniform{Lo: 0, Hi: 0.5},
		"units":   QUniform{Lo: 10, Hi: 100, Q: 10},
	}
	pts := GridPoints(space)
	want := []map[string]any{
		{"batch": int64(32), "opt.momentum": 0.0}, {"batch": int64(32), "opt.momentum": 0.9},
		{"batch": int64(64), "opt.momentum": 0.0}, {"batch": int64(64), "opt.momentum": 0.9},
	}
	if !reflect.DeepEqual(pts, want) {
		t.Fatalf("grid points %v", pts)
	}
	if got := Searched(space); !reflect.DeepEqual(got, []string{"batch", "depth", "dropout", "lr", "opt.momentum", "opt.wd", "units"}) {
		t.Errorf("draw order %v", got)
	}
	a, err := Config(space, pts[3], 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Config(space, pts[3], 7)
	c, _ := Config(space, pts[3], 8)
	if !reflect.DeepEqual(a, b) || reflect.DeepEqual(a, c) {
		t.Errorf("same seed, same config; another seed, another: %v %v %v", a, b, c)
	}
	opt := a["opt"].(map[string]any)
	lr, dr, units := a["lr"].(float64), a["dropout"].(float64), a["units"].(float64)
	if a["batch"] != int64(64) || opt["momentum"] != 0.9 || opt["name"] != "sgd" || lr < 1e-4 || lr > 1e-1 || dr < 0 || dr > 0.5 ||
		math.Mod(units, 10) != 0 || opt["wd"].(int64) < 0 || opt["wd"].(int64) >= 5 {
		t.Errorf("config %v", a)
	}
	u, _ := Config(map[string]any{"x": Uniform{Lo: 0, Hi: 1}}, nil, 42)
	if u["x"] != 0.6394267984578837 {
		t.Errorf("uniform(0, 1) with seed 42: %v", u["x"])
	}
	if _, err := Config(map[string]any{"x": LogUniform{Lo: 0, Hi: 1}}, nil, 1); err == nil {
		t.Error("loguniform from 0 accepted")
	}
}
