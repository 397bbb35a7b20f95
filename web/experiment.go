package web

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// The experiment page's data: every component as a row of flat values
// (config keys flattened into columns, the last value of each numeric
// record key), in schedule order; the page sorts and filters.

type componentRow struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	State      string             `json:"state"`
	StartedAt  *time.Time         `json:"started_at,omitempty"`
	FinishedAt *time.Time         `json:"finished_at,omitempty"`
	Seconds    *float64           `json:"seconds,omitempty"` // run time, once it ended
	Error      string             `json:"error,omitempty"`   // first line of why it failed, or why its records cannot be read
	Repeat     any                `json:"repeat,omitempty"`  // flags.REPEAT_NUMBER
	Config     map[string]any     `json:"config"`            // flattened: "data.name"
	Metrics    map[string]float64 `json:"metrics"`           // by metricKey
	Rows       int                `json:"rows"`              // records saved, all scopes
	Group      int                `json:"group"`             // same config but the repeat: same group
}

type metricColumn struct {
	Name  string `json:"name"` // as metricKey gives it
	Scope string `json:"scope"`
	Key   string `json:"key"`
}

// lastMetrics is what the table shows of a component's records; a
// component that has ended keeps it until its status changes (a resume).
type lastMetrics struct {
	status  storage.Status
	metrics map[string]float64
	columns []metricColumn
	rows    int
}

type metricsCache struct {
	mu sync.Mutex
	m  map[string]lastMetrics // by component URL
}

func (s *Server) apiExperiment(w http.ResponseWriter, r *http.Request) {
	e, err := s.experiment(r.PathValue("exp"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cs, err := e.Components()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	rows := make([]componentRow, len(cs))
	cols := make([][]metricColumn, len(cs))
	errs := make([]error, len(cs))
	storage.Parallel(len(cs), func(i int) {
		rows[i], cols[i], errs[i] = s.componentRow(cs[i], now)
	})
	for _, err := range errs {
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	groups := map[string]int{}
	configKeys := map[string]bool{}
	var configCols []string
	metricSeen := map[string]bool{}
	metricCols := []metricColumn{}
	counts := map[string]int{}
	for i := range rows {
		counts[rows[i].State]++
		key := groupKey(rows[i].Name, rows[i].Config)
		g, ok := groups[key]
		if !ok {
			g = len(groups)
			groups[key] = g
		}
		rows[i].Group = g
		for k := range rows[i].Config {
			if !configKeys[k] {
				configKeys[k] = true
				configCols = append(configCols, k)
			}
		}
		for _, m := range cols[i] {
			if !metricSeen[m.Name] {
				metricSeen[m.Name] = true
				metricCols = append(metricCols, m)
			}
		}
	}
	sort.Strings(configCols)
	s.writeJSON(w, r, map[string]any{
		"experiment": map[string]any{
			"id": e.ID, "started_at": e.StartedAt, "plan": planSummary(e.Plan), "engine": e.Engine,
			"code": storage.CodeShort(e.CodeVersion), "location": e.Location(), "seed": e.Seed, "version": e.Version,
		},
		"storage":        s.st.DisplayURL(),
		"counts":         counts,
		"config_columns": configCols,
		"metrics":        metricCols,
		"components":     rows,
	})
}

// componentRow reads a component's status and the summary of its
// records; records are not looked at again once it ended.
func (s *Server) componentRow(c *storage.ComponentView, now time.Time) (componentRow, []metricColumn, error) {
	st, err := c.Status()
	if err != nil {
		return componentRow{}, nil, err
	}
	row := componentRow{ID: c.ID, Name: c.Name, State: st.State(now), StartedAt: st.StartedAt, FinishedAt: st.FinishedAt,
		Config: flatten(shownMap(c.Config)), Repeat: c.Flags["REPEAT_NUMBER"]}
	if st.Error != "" {
		row.Error, _, _ = strings.Cut(st.Error, "\n")
	}
	// A running component's duration is the page's to count: the
	// answer stays the same between polls while nothing happens.
	if st.StartedAt != nil && row.State != storage.StatusRunning {
		end := st.FinishedAt
		if end == nil {
			end = st.HeartbeatAt // stale, interrupted: it stopped about then
		}
		if end != nil {
			secs := end.Sub(*st.StartedAt).Seconds()
			row.Seconds = &secs
		}
	}
	if st.Status == storage.StatusCreated {
		row.Metrics = map[string]float64{}
		return row, nil, nil
	}
	key := c.URL()
	s.metrics.mu.Lock()
	cached, ok := s.metrics.m[key]
	s.metrics.mu.Unlock()
	if ok && ended(map[string]int{row.State: 1}) && sameStatus(cached.status, st) {
		row.Metrics, row.Rows = cached.metrics, cached.rows
		return row, cached.columns, nil
	}
	row.Metrics = map[string]float64{}
	var cols []metricColumn
	for _, scope := range c.Scopes() {
		sum, err := s.sums.get(c, scope)
		if err != nil { // one broken file: said on its row, the others shown
			row.Error = s.message(err)
			continue
		}
		row.Rows += sum.Rows
		for _, k := range sum.Keys {
			name, ok := metricKey(scope, k)
			if v, num := sum.Last[k]; ok && num {
				row.Metrics[name] = v
				cols = append(cols, metricColumn{name, scope, k})
			}
		}
	}
	s.metrics.mu.Lock()
	s.metrics.m[key] = lastMetrics{st, row.Metrics, cols, row.Rows}
	s.metrics.mu.Unlock()
	return row, cols, nil
}

func sameStatus(a, b storage.Status) bool {
	return a.Status == b.Status && a.FinishedAt != nil && b.FinishedAt != nil && a.FinishedAt.Equal(*b.FinishedAt) &&
		a.Requeues == b.Requeues
}

// flatten turns nested config into columns: {"data": {"name": x}} is
// "data.name"; lists stay whole values.
func flatten(m map[string]any) map[string]any {
	out := map[string]any{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
				walk(prefix+k+".", sub)
				continue
			}
			out[prefix+k] = v
		}
	}
	walk("", m)
	return out
}

// groupKey is what repeats of one configuration share: the name and the
// config without REPEAT_* keys (repeats differ in their flags only, but
// a config may copy them in).
func groupKey(name string, config map[string]any) string {
	keep := map[string]any{}
	for k, v := range config {
		last := k[strings.LastIndex(k, ".")+1:]
		if !strings.HasPrefix(last, "REPEAT_") {
			keep[k] = v
		}
	}
	b, _ := json.Marshal(keep) // maps marshal with sorted keys
	return name + "\x00" + string(b)
}
