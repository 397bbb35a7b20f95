package web

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// The experiments list: one row per experiment, with the counts of its
// components' states (see counts.go).

type experimentRow struct {
	ID         string         `json:"id"`
	StartedAt  time.Time      `json:"started_at"`
	Location   string         `json:"location"` // directory inside the storage, "" at the root
	Plan       string         `json:"plan"`     // a one-line summary of the plan
	Components int            `json:"components"`
	Counts     map[string]int `json:"counts"` // by state: queued, running, stale, finished, failed, ...
	Code       string         `json:"code"`   // short commit, "*" when dirty, "-" outside git
	Engine     string         `json:"engine"`
	Error      string         `json:"error,omitempty"`   // why its components could not be read
	Pending    bool           `json:"pending,omitempty"` // still being counted: ask again
}

func (s *Server) apiExperiments(w http.ResponseWriter, r *http.Request) {
	exps, err := s.st.Experiments()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	counts := s.exps.lookup(exps, s.now)
	rows := make([]experimentRow, len(exps))
	for i, e := range exps {
		row := experimentRow{ID: e.ID, StartedAt: e.StartedAt, Location: e.Location(), Plan: planSummary(e.Plan),
			Code: storage.CodeShort(e.CodeVersion), Engine: e.Engine, Counts: map[string]int{}}
		switch c := counts[i]; {
		case c == nil:
			row.Pending = true
		case c.err != nil:
			row.Error = s.message(c.err)
		default:
			row.Counts = c.counts
			for _, n := range c.counts {
				row.Components += n
			}
		}
		rows[i] = row
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].StartedAt.After(rows[j].StartedAt) })
	s.writeJSON(w, r, map[string]any{"storage": s.st.DisplayURL(), "experiments": rows})
}

// planSummary is a plan in one line: the components' names, with the
// repeats ("optimization ×3", "trainer, evaluator").
func planSummary(plan map[string]any) string {
	var parts []string
	comps, _ := plan["components"].([]any)
	for _, c := range comps {
		if m, ok := c.(map[string]any); ok {
			if name, ok := m["name"].(string); ok {
				parts = append(parts, name)
			}
		}
	}
	if len(parts) > 5 {
		parts = append(parts[:5], fmt.Sprintf("… (%d components)", len(comps)))
	}
	out := strings.Join(parts, ", ")
	reps, _ := plan["repeats"].([]any)
	for _, rp := range reps {
		if m, ok := rp.(map[string]any); ok {
			if k, ok := number(m["k"]); ok {
				out += fmt.Sprintf(" ×%g", k)
			}
		}
	}
	return out
}
