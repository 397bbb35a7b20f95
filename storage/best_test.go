package storage_test

import (
	"math"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/storage"
)

// TestBestRows: null counts as not recorded, rows without the key are
// skipped (only rows naming it are decoded, an escaped name included),
// components of a dry run have no records, and the defaults are min/last.
func TestBestRows(t *testing.T) {
	s, err := storage.Open("mem://" + t.Name())
	if err != nil {
		t.Fatal(err)
	}
	exp, err := s.CreateExperiment("", "8gWVkz")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]map[string]any{
		"component000": {{"loss": 0.5}, {"loss": nil}, {"acc": 1}},
		"component001": {{"loss": 0.7, "a\"b": 3.0}, {"loss": 0.2}, {"other": "loss"}},
	}
	var comps []map[string]any
	for _, id := range []string{"component000", "component001"} {
		c, err := exp.CreateComponent(id)
		if err != nil {
			t.Fatal(err)
		}
		w, err := c.Records("default")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[id] {
			if err := w.Append(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		comps = append(comps, map[string]any{"id": id, "name": "t"})
	}
	if err := exp.WriteJSON("schedule.json", map[string]any{"components": comps}); err != nil {
		t.Fatal(err)
	}
	if err := exp.WriteJSON("execution.json", map[string]any{"experiment_id": "8gWVkz"}); err != nil {
		t.Fatal(err)
	}
	v, err := exp.View()
	if err != nil {
		t.Fatal(err)
	}
	cs, err := v.Components()
	if err != nil {
		t.Fatal(err)
	}
	cs = append(cs, &storage.ComponentView{ID: "dryrun000000", Name: "t"}) // not stored
	for _, tc := range []struct {
		q    storage.BestQuery
		id   string
		want float64
	}{
		{storage.BestQuery{Metric: "loss"}, "component001", 0.2},
		{storage.BestQuery{Metric: "loss", Mode: "max"}, "component000", 0.5},
		{storage.BestQuery{Metric: "loss", Mode: "max", Scope: "all"}, "component001", 0.7},
		{storage.BestQuery{Metric: "loss", Scope: "avg"}, "component001", 0.45},
		{storage.BestQuery{Metric: `a"b`, Mode: "max"}, "component001", 3},
		{storage.BestQuery{Metric: "acc"}, "component000", 1},
	} {
		best, got, err := storage.Best(cs, tc.q)
		if err != nil || best == nil || best.ID != tc.id || math.Abs(got-tc.want) > 1e-12 {
			id := "<nil>"
			if best != nil {
				id = best.ID
			}
			t.Errorf("Best(%+v) = %s %v %v, want %s %v", tc.q, id, got, err, tc.id, tc.want)
		}
	}
	if best, _, err := storage.Best(cs, storage.BestQuery{Metric: "missing"}); best != nil || err != nil {
		t.Errorf("no component has it: %v %v", best, err)
	}
	if _, _, err := storage.Best(cs, storage.BestQuery{Metric: "other"}); err == nil || !strings.Contains(err.Error(), `component component001: records "default" line 3: other is the string "loss", expected a number`) {
		t.Errorf("a string value: %v", err)
	}
	if _, _, err := storage.Best(cs, storage.BestQuery{Metric: "loss", Records: "../x"}); err == nil || !strings.HasPrefix(err.Error(), "records: ") {
		t.Errorf("a bad record scope: %v", err)
	}
}
