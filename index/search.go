package index

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/storage"
)

// Match is a component a search found.
type Match struct {
	Rel        string // its experiment's path relative to the storage root
	Experiment storage.IndexedExperiment
	ID, Name   string
	Status     storage.Status // as recorded: up to date after Refresh
	State      string         // Status.State at the time of the search
	config     string
	flags      string
}

// Config decodes the component's config as recorded.
func (m *Match) Config() map[string]any { return decodeMap(m.config) }

// Flags decodes the component's flags as recorded.
func (m *Match) Flags() map[string]any { return decodeMap(m.flags) }

func decodeMap(s string) map[string]any {
	var v map[string]any
	if jsonvalue.Unmarshal([]byte(s), &v) != nil {
		return map[string]any{}
	}
	return jsonvalue.NormalizeMap(v)
}

// SearchOptions adjust a search.
type SearchOptions struct {
	// NoRefresh skips bringing the index up to date first (benchmarks,
	// and callers that just did).
	NoRefresh bool
	Now       time.Time // for stale; zero: time.Now()
}

// Search returns the components matching every condition, newest
// experiment first and in schedule order within one.
func (ix *Index) Search(ctx context.Context, conds []Condition, opt SearchOptions) ([]*Match, error) {
	if !opt.NoRefresh {
		if err := ix.Refresh(ctx); err != nil {
			return nil, err
		}
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	var where []string
	var args []any
	var posts []func(string) bool
	for _, c := range conds {
		clause, a, post := sqlFor(c)
		where = append(where, clause)
		args = append(args, a...)
		if post != nil {
			posts = append(posts, post)
		}
	}
	q := `SELECT e.path, e.id, e.seed, e.directory, e.started_at, e.engine, e.project, e.code_version,
		c.id, c.name, c.status_json, json(c.config), json(c.flags)
		FROM components c JOIN experiments e ON e.path = c.experiment_path`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY e.started_at DESC, e.path, c.position"
	rows, err := ix.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, ix.wrap(err)
	}
	defer rows.Close()
	exps := map[string]storage.IndexedExperiment{}
	var out []*Match
	for rows.Next() {
		var m Match
		var started, cv, sj string
		var x storage.IndexedExperiment
		if err := rows.Scan(&x.Rel, &x.ID, &x.Seed, &x.Directory, &started, &x.Engine, &x.Project, &cv,
			&m.ID, &m.Name, &sj, &m.config, &m.flags); err != nil {
			return nil, ix.wrap(err)
		}
		if prev, ok := exps[x.Rel]; ok {
			x = prev
		} else {
			x.StartedAt, _ = time.Parse(timeLayout, started)
			x.CodeVersion = decodeMap(cv)
			exps[x.Rel] = x
		}
		m.Rel, m.Experiment = x.Rel, x
		if err := json.Unmarshal([]byte(sj), &m.Status); err != nil {
			m.Status = storage.Status{Status: storage.StatusUnreadable, Error: "index: " + err.Error()}
		}
		m.State = stateOf(m.Status, now)
		keep := true
		for _, p := range posts {
			if !p(m.State) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, &m)
		}
	}
	return out, ix.wrap(rows.Err())
}

func stateOf(st storage.Status, now time.Time) string {
	if st.Status == storage.StatusUnreadable {
		return st.Status
	}
	return st.State(now)
}

// ParseAll parses conditions.
func ParseAll(texts []string) ([]Condition, error) {
	out := make([]Condition, 0, len(texts))
	for _, t := range texts {
		c, err := Parse(t)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Views turns matches into component views of the storage, one
// experiment view per experiment, so that status, records and logs are
// read from the storage when asked. A match whose recorded path does not
// check out is an error: the index is not trusted more than the storage.
func (ix *Index) Views(ms []*Match) ([]*storage.ComponentView, error) {
	exps := map[string]*storage.ExperimentView{}
	out := make([]*storage.ComponentView, len(ms))
	for i, m := range ms {
		ev, ok := exps[m.Rel]
		if !ok {
			var err error
			if ev, err = ix.st.ViewFromIndex(m.Experiment); err != nil {
				return nil, fmt.Errorf("%w (machinable index rebuild makes the index again)", ix.wrap(err))
			}
			exps[m.Rel] = ev
		}
		if err := storage.CheckComponentID(m.ID); err != nil {
			return nil, fmt.Errorf("%w (machinable index rebuild makes the index again)", ix.wrap(err))
		}
		out[i] = &storage.ComponentView{Experiment: ev, ID: m.ID, Name: m.Name, Config: m.Config(), Flags: m.Flags()}
	}
	return out, nil
}

// Count is the number of components the index holds.
func (ix *Index) Count(ctx context.Context) (experiments, components int, err error) {
	if err := ix.db.QueryRowContext(ctx, `SELECT count(*) FROM experiments`).Scan(&experiments); err != nil {
		return 0, 0, ix.wrap(err)
	}
	if err := ix.db.QueryRowContext(ctx, `SELECT count(*) FROM components`).Scan(&components); err != nil {
		return 0, 0, ix.wrap(err)
	}
	return experiments, components, nil
}

// Path is the index file ("" for a mem:// storage's index in memory).
func (ix *Index) Path() string { return ix.path }
