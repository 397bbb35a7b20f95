package web

import (
	"strings"
	"testing"

	"github.com/machinable-go/machinable/storage"
)

// TestUIStopped: a tuning trial its scheduler stopped early is counted
// apart in both lists, shows its state, and has a badge of its own.
func TestUIStopped(t *testing.T) {
	f := newFixture(t)
	exp, err := f.st.OpenExperiment("", f.exp)
	if err != nil {
		t.Fatal(err)
	}
	c, err := exp.OpenComponent(f.comps[2])
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.ReadStatus()
	if err != nil {
		t.Fatal(err)
	}
	st.Status = storage.StatusStopped // as a scheduler writes it: journaled
	if err := c.WriteStatus(st); err != nil {
		t.Fatal(err)
	}
	s := New(f.st)
	var list struct{ Experiments []experimentRow }
	getJSON(t, s, "/api/experiments", &list)
	if e := list.Experiments[0]; e.ID != f.exp || e.Counts["finished"] != 3 || e.Counts["stopped"] != 1 || e.Counts["failed"] != 1 {
		t.Errorf("experiments list %+v: want 3 finished, 1 stopped, 1 failed", e)
	}
	var one struct {
		Components []componentRow
		Counts     map[string]int
	}
	getJSON(t, s, "/api/experiments/"+f.exp, &one)
	if one.Components[2].State != "stopped" || one.Counts["stopped"] != 1 || one.Counts["finished"] != 3 {
		t.Errorf("experiment: state %q, counts %v", one.Components[2].State, one.Counts)
	}
	for p, want := range map[string]string{
		"/static/app.css":        ".state.stopped {",
		"/static/experiments.js": `count("stopped")`,
		"/static/experiment.js":  `"finished", "stopped", "failed"`,
	} {
		if _, body := get(t, s, p); !strings.Contains(body, want) {
			t.Errorf("%s lacks %q", p, want)
		}
	}
}
