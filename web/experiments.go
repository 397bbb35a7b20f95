package web

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// The experiments list: one row per experiment, with the counts of its
// components' states. Counting reads every status.json, so the counts of
// an experiment whose components have all ended are kept for a while
// (countTTL; a resume may run them again) and only experiments with
// queued or running components are counted on every request.

const countTTL = 30 * time.Second

type experimentRow struct {
	ID         string         `json:"id"`
	StartedAt  time.Time      `json:"started_at"`
	Location   string         `json:"location"` // directory inside the storage, "" at the root
	Plan       string         `json:"plan"`     // a one-line summary of the plan
	Components int            `json:"components"`
	Counts     map[string]int `json:"counts"` // by state: queued, running, stale, finished, failed, ...
	Code       string         `json:"code"`   // short commit, "*" when dirty, "-" outside git
	Engine     string         `json:"engine"`
	Error      string         `json:"error,omitempty"` // why its components could not be read
}

type countEntry struct {
	counts map[string]int
	at     time.Time
}

type countCache struct {
	mu sync.Mutex
	m  map[string]countEntry // by experiment directory
}

func newCountCache() *countCache { return &countCache{m: map[string]countEntry{}} }

// ended reports whether no component can change state by itself.
func ended(counts map[string]int) bool {
	return counts["queued"] == 0 && counts["running"] == 0 && counts["requeued"] == 0
}

func (s *Server) counts(e *storage.ExperimentView) (map[string]int, error) {
	now := s.now()
	s.exps.mu.Lock()
	c, ok := s.exps.m[e.Path()]
	s.exps.mu.Unlock()
	if ok && now.Sub(c.at) < countTTL {
		return c.counts, nil
	}
	counts, err := e.Counts(now)
	if err != nil {
		return nil, err
	}
	if ended(counts) {
		s.exps.mu.Lock()
		s.exps.m[e.Path()] = countEntry{counts, now}
		s.exps.mu.Unlock()
	}
	return counts, nil
}

func (s *Server) apiExperiments(w http.ResponseWriter, r *http.Request) {
	exps, err := s.st.Experiments()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]experimentRow, len(exps))
	storage.Parallel(len(exps), func(i int) {
		e := exps[i]
		row := experimentRow{ID: e.ID, StartedAt: e.StartedAt, Location: e.Location(), Plan: planSummary(e.Plan),
			Code: storage.CodeShort(e.CodeVersion), Engine: e.Engine, Counts: map[string]int{}}
		counts, err := s.counts(e)
		if err != nil {
			row.Error = s.message(err)
		} else {
			row.Counts = counts
			for _, n := range counts {
				row.Components += n
			}
		}
		rows[i] = row
	})
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
