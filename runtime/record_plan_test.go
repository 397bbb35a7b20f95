package runtime

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// TestRowPlanWritesAsAppend: a row written from its plan (Append, the
// path of save() in a loop) is byte for byte the row storage's own
// encoder writes for the same values (SaveFields returns them), whatever
// the keys: meta names a component set, its own _iteration, keys that
// need escaping, key sets that change from row to row, values of every
// kind.
func TestRowPlanWritesAsAppend(t *testing.T) {
	s, _ := storage.Open(t.TempDir())
	exp, _ := s.CreateExperiment("", "8gWVkz")
	c, _ := exp.CreateComponent("e9DJBHuoiCvn")
	plan, _ := c.Records("plan")
	direct, _ := c.Records("direct")
	self := &Self{Iteration: 4}
	r := newRecord(plan, self)
	rows := [][]storage.Field{
		{{Key: "i", Value: int64(1)}},
		{{Key: "i", Value: int64(2)}}, // the same keys: the plan is reused
		{{Key: "b", Value: 2.0}, {Key: "a", Value: "x"}},
		{},
		{{Key: "_time", Value: "mine"}, {Key: "loss", Value: 0.25}}, // the meta field wins
		{{Key: "_iteration", Value: int64(99)}, {Key: "z", Value: nil}},
		{{Key: "ключ \"q\"\n", Value: "ü\t<&>"}, {Key: "", Value: true}},
		{{Key: "nested", Value: map[string]any{"b": []any{int64(1), 2.5, "s"}, "a": 1e-7}}, {Key: "big", Value: math.MaxInt64}},
		{{Key: "i", Value: int64(3)}},
	}
	for n, set := range rows {
		if n == 3 {
			self.Iteration = -1 // outside on_execute's iterations: no _iteration
		}
		for _, f := range set {
			r.Set(f.Key, f.Value)
		}
		// SaveFields returns what it wrote; what Append wrote is read
		// back (JSON decodes to the values storage's encoder writes the
		// same).
		var row map[string]any
		if n%2 == 0 {
			if err := r.Append(true); err != nil {
				t.Fatalf("row %d: %v", n, err)
			}
			written, err := c.ReadRecords("plan")
			if err != nil || len(written) != n+1 {
				t.Fatalf("row %d: %d rows read back, %v", n, len(written), err)
			}
			row = written[n]
		} else {
			fields, err := r.SaveFields(true)
			if err != nil {
				t.Fatalf("row %d: %v", n, err)
			}
			row = storage.FieldsMap(fields)
		}
		if err := direct.Append(row); err != nil {
			t.Fatal(err)
		}
	}
	plan.Sync()
	direct.Sync()
	got, _ := c.ReadFile("records/plan.jsonl")
	want, _ := c.ReadFile("records/direct.jsonl")
	if !bytes.Equal(got, want) || bytes.Count(got, []byte("\n")) != len(rows) {
		t.Errorf("rows from plans:\n%s\nstorage's encoder:\n%s", got, want)
	}
	if !strings.Contains(string(got), `"_iteration":99`) || !strings.Contains(string(got), `"_time":"20`) || strings.Contains(string(got), "mine") {
		t.Errorf("meta fields:\n%s", got)
	}
}

// TestRowTemplateWritesAsPlan: rows written from templates are the bytes
// storage writes for the plan's fields, as stamps move within a second and
// across seconds, as the timing's whole seconds and words change, for
// whole seconds (".0"), leading zeros, times before the template's range
// and iterations, in the order a loop would give them and out of it.
func TestRowTemplateWritesAsPlan(t *testing.T) {
	s, _ := storage.Open("mem://" + t.Name())
	exp, _ := s.CreateExperiment("", "8gWVkz")
	c, _ := exp.CreateComponent("e9DJBHuoiCvn")
	w, _ := c.Records("default")
	r := newRecord(w, &Self{Iteration: -1})
	r.Set("loss", 0.5)
	r.Set("a", "x")
	r.Set("_iteration", int64(2))
	set := slices.Clone(r.row)
	rnd := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 11, 30, 10, 0, 0, 0, time.Local)
	stamps := []rowStamp{
		{now: base, number: -1},
		{now: base.Add(7 * time.Microsecond), number: -1},
		{now: base.Add(999999 * time.Microsecond), iteration: 5 * time.Millisecond, total: 995 * time.Millisecond, number: -1},
		{now: base.Add(time.Second + 120*time.Microsecond), iteration: 2 * time.Second, total: 61 * time.Second, number: 3},
		{now: time.Unix(0, 500000*1000), number: -1}, // before the template's range
		{now: time.Unix(1<<32, 0), number: 1},        // after it
	}
	for range 2000 {
		stamps = append(stamps, rowStamp{
			now:       base.Add(time.Duration(rnd.Int64N(int64(5 * time.Second))).Truncate(time.Microsecond)),
			iteration: time.Duration(rnd.Int64N(int64(3 * time.Second))),
			total:     time.Duration(rnd.Int64N(int64(90 * time.Second))),
			number:    int(rnd.Int64N(3)) - 1,
		})
	}
	// One encoder per plan for all stamps: its template is kept from row
	// to row and must be made again whenever its key changes.
	plans := map[bool][]*rowPlan{}
	for _, it := range []bool{false, true} {
		plans[it] = []*rowPlan{newRowPlan(set, it), newRowPlan(set[:2], it)}
	}
	for _, st := range stamps {
		for _, p := range plans[st.number >= 0] {
			e := p.encoder(r)
			got, err := e.encode(nil, set, st)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := storage.AppendJSONValue(nil, storage.FieldsMap(r.rowFields(p, set, st))) // storage's own row encoding
			if string(got) != string(want) {
				t.Fatalf("stamp %+v:\ntemplate %s\nfields   %s", st, got, want)
			}
		}
	}
}
