package web

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"path"
	"slices"
	"strconv"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/internal/pyformat"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// maxLogBytes is how much of a log the page is sent at first: the end.
const maxLogBytes = 1 << 20

type scopeInfo struct {
	Name  string   `json:"name"`
	Rows  int      `json:"rows"`
	Keys  []string `json:"keys"`
	Error string   `json:"error,omitempty"` // why its file cannot be read
}

// componentStatus opens the component of the request's path and reads
// its status; on failure it has answered the request.
func (s *Server) componentStatus(w http.ResponseWriter, r *http.Request) (*storage.ComponentView, storage.Status, bool) {
	c, err := s.component(r.PathValue("exp"), r.PathValue("comp"))
	if err == nil {
		var st storage.Status
		if st, err = c.Status(); err == nil {
			return c, st, true
		}
	}
	s.fail(w, r, err)
	return nil, storage.Status{}, false
}

func (s *Server) apiComponent(w http.ResponseWriter, r *http.Request) {
	c, st, ok := s.componentStatus(w, r)
	if !ok {
		return
	}
	host, err := c.Host()
	if err != nil {
		host = map[string]any{"error": s.message(err)}
	}
	scopes := []scopeInfo{}
	for _, scope := range c.Scopes() {
		sum, err := s.sums.get(c, scope)
		info := scopeInfo{Name: scope, Rows: sum.Rows, Keys: sum.Keys}
		if err != nil {
			info.Error = s.message(err)
		}
		scopes = append(scopes, info)
	}
	var values any
	if b, err := c.ReadFile("store.json"); err == nil {
		values, _ = jsonvalue.Decode(b)
	}
	storeFiles := c.StoreFiles()
	if storeFiles == nil {
		storeFiles = []string{}
	}
	now := s.now()
	s.writeJSON(w, r, map[string]any{
		"experiment": c.Experiment.ID, "id": c.ID, "name": c.Name,
		"config": shownMap(c.Config), "flags": c.Flags, "resources": c.Resources, "components": runtime.DropHidden(anySlice(c.Components)),
		"state": st.State(now), "status": st, "host": host, "scopes": scopes,
		"store_values": values, "store_files": storeFiles, "data_files": c.DataNames(),
	})
}

// apiRecords answers the rows of a scope: JSON for the page (only the
// last ?tail=N rows, when given), as a JSON file with ?download=1, or
// ?format=csv.
func (s *Server) apiRecords(w http.ResponseWriter, r *http.Request) {
	c, err := s.component(r.PathValue("exp"), r.PathValue("comp"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scope := r.PathValue("scope")
	if err := storage.CheckScope(scope); err != nil {
		s.fail(w, r, badRequest("%v", err))
		return
	}
	q := r.URL.Query()
	tail := 0
	if t := q.Get("tail"); t != "" {
		if tail, err = strconv.Atoi(t); err != nil || tail < 1 {
			s.fail(w, r, badRequest("tail %q: expected a number of rows", t))
			return
		}
	}
	rows, total, err := readRows(c, scope, tail)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	keys := rowKeys(rows)
	switch q.Get("format") {
	case "", "json":
		if q.Get("download") != "" {
			w.Header().Set("Content-Disposition", attachment(c.ID+"-"+scope+".json"))
			s.writeJSON(w, r, rows)
			return
		}
		s.writeJSON(w, r, map[string]any{"scope": scope, "keys": keys, "rows": rows, "total": total, "first": total - len(rows)})
	case "csv":
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", attachment(c.ID+"-"+scope+".csv"))
		cw := csv.NewWriter(w)
		cw.Write(keys)
		rec := make([]string, len(keys))
		for _, row := range rows {
			for i, k := range keys {
				rec[i] = cell(row[k])
			}
			cw.Write(rec)
		}
		cw.Flush()
	default:
		s.fail(w, r, badRequest("unknown format %q: expected json or csv", q.Get("format")))
	}
}

// readRows decodes the rows of a scope, or with tail > 0 only the last
// tail of them: the lines before are counted, not decoded (a scope of a
// million rows is shown at once). total counts every row.
func readRows(c *storage.ComponentView, scope string, tail int) (rows []map[string]any, total int, err error) {
	rows = []map[string]any{}
	if tail == 0 {
		err = c.Records(scope, func(row map[string]any) bool { rows = append(rows, row); return true })
		return rows, len(rows), err
	}
	type numbered struct {
		n    int
		line []byte
	}
	var last []numbered
	err = c.RecordLines(scope, func(n int, line []byte) bool {
		total++
		if len(last) == 2*tail { // keep the last tail lines, copying rarely
			last = append(last[:0], last[tail:]...)
		}
		last = append(last, numbered{n, append([]byte(nil), line...)})
		return true
	})
	if err != nil {
		return nil, 0, err
	}
	last = last[max(0, len(last)-tail):]
	for _, l := range last {
		row, err := jsonvalue.Decode(l.line)
		m, ok := row.(map[string]any)
		if err != nil || !ok {
			if err == nil {
				err = fmt.Errorf("expected a JSON object (a row)")
			}
			return nil, 0, fmt.Errorf("records %q line %d: %w", scope, l.n, err)
		}
		rows = append(rows, m)
	}
	return rows, total, nil
}

// rowKeys are the keys of the rows in order of first appearance.
func rowKeys(rows []map[string]any) []string {
	seen := map[string]bool{}
	keys := []string{}
	for _, row := range rows {
		keys = addKeys(keys, seen, row)
	}
	return keys
}

// cell is a record value in a CSV cell: strings as they are, floats as
// Python prints them, anything else as JSON; a missing value is empty.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return pyformat.Repr(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	b, _ := json.Marshal(jsonvalue.KeepFloats(v))
	return string(b)
}

func anySlice(ms []map[string]any) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

func attachment(name string) string {
	return fmt.Sprintf("attachment; filename=%q", name)
}

// apiLog answers log.txt or output.log from a byte offset on
// (?offset=N), so a page following a running component gets only what
// was added. Without an offset it sends the last maxLogBytes.
func (s *Server) apiLog(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if name != "log.txt" && name != "output.log" {
		s.fail(w, r, notFound("no log %q: expected log.txt or output.log", name))
		return
	}
	c, st, ok := s.componentStatus(w, r)
	if !ok {
		return
	}
	offset := r.URL.Query().Get("offset")
	if stamp, err := c.Stamp(name); err == nil && offset != "" && offset == strconv.FormatInt(stamp.Size, 10) {
		// nothing new: a running component's page asks every second
		s.writeJSON(w, r, map[string]any{"text": "", "offset": stamp.Size, "truncated": false, "state": st.State(s.now())})
		return
	}
	text, err := c.File(name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	from, truncated := 0, false
	if o := offset; o != "" {
		n, err := strconv.Atoi(o)
		if err != nil || n < 0 {
			s.fail(w, r, badRequest("offset %q: expected a byte count", o))
			return
		}
		from = min(n, len(text))
	} else if len(text) > maxLogBytes {
		from, truncated = len(text)-maxLogBytes, true
	}
	s.writeJSON(w, r, map[string]any{"text": text[from:], "offset": len(text), "truncated": truncated,
		"state": st.State(s.now())})
}

// apiStoreFile sends a file the component stored, as a download: it is
// never shown as a page of this site.
func (s *Server) apiStoreFile(w http.ResponseWriter, r *http.Request) {
	c, err := s.component(r.PathValue("exp"), r.PathValue("comp"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := r.PathValue("file")
	if !slices.Contains(c.StoreFiles(), name) { // only what the listing offers
		s.fail(w, r, notFound("component %s stored no file %q", c.ID, name))
		return
	}
	b, err := c.ReadFile(path.Join("store", name))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", attachment(path.Base(name)))
	w.Write(b)
}
