package web

import (
	"net/http"
	"strings"

	"github.com/machinable-go/machinable/storage"
)

// maxOverlay is how many components one overlay chart reads at most.
const maxOverlay = 200

// apiExperimentSeries answers one record key of several components on
// one x axis (?scope=default&key=loss&ids=A,B,...), downsampled.
func (s *Server) apiExperimentSeries(w http.ResponseWriter, r *http.Request) {
	e, err := s.experiment(r.PathValue("exp"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	scope, key := q.Get("scope"), q.Get("key")
	if scope == "" {
		scope = "default"
	}
	if err := storage.CheckScope(scope); err != nil {
		s.fail(w, r, badRequest("%v", err))
		return
	}
	if key == "" {
		s.fail(w, r, badRequest("no record key: give ?key="))
		return
	}
	var ids []string
	if q.Get("ids") != "" {
		ids = strings.Split(q.Get("ids"), ",")
	}
	if len(ids) > maxOverlay {
		s.fail(w, r, badRequest("%d components asked for; one chart draws at most %d", len(ids), maxOverlay))
		return
	}
	comps := make([]*storage.ComponentView, len(ids))
	for i, id := range ids {
		if err := storage.CheckComponentID(id); err != nil {
			s.fail(w, r, badRequest("%v", err))
			return
		}
		if comps[i], err = e.Component(id); err != nil {
			s.fail(w, r, notFound("%v", err))
			return
		}
	}
	curves := make([]curve, len(comps))
	rows := make([]int, len(comps))
	xkeys := make([]string, len(comps))
	errs := make([]error, len(comps))
	storage.Parallel(len(comps), func(i int) {
		cols, err := s.cols.get(comps[i], scope)
		if err != nil {
			errs[i] = err
			return
		}
		y, ok := cols.Y[key]
		if !ok {
			y = nans(len(cols.X))
		}
		curves[i], rows[i], xkeys[i] = curve{cols.X, y}, cols.Rows, cols.XKey
	})
	for _, err := range errs {
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.writeJSON(w, r, map[string]any{"scope": scope, "key": key, "ids": ids, "rows": rows,
		"x_key": commonXKey(xkeys), "data": align(curves, maxPoints)})
}

// commonXKey names the x axis: _iteration when every curve has it.
func commonXKey(keys []string) string {
	for _, k := range keys {
		if k != "_iteration" {
			return "row"
		}
	}
	return "_iteration"
}

// apiComponentSeries answers every numeric key of a scope of one
// component against _iteration (or the row index), downsampled.
func (s *Server) apiComponentSeries(w http.ResponseWriter, r *http.Request) {
	c, err := s.component(r.PathValue("exp"), r.PathValue("comp"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cols, err := s.cols.get(c, r.PathValue("scope"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	keys := []string{}
	var curves []curve
	for _, k := range cols.Keys {
		if strings.HasPrefix(k, "_") {
			continue
		}
		keys = append(keys, k)
		curves = append(curves, curve{cols.X, cols.Y[k]})
	}
	xkey := cols.XKey
	if xkey == "" {
		xkey = "row"
	}
	s.writeJSON(w, r, map[string]any{"keys": keys, "rows": cols.Rows, "x_key": xkey, "data": align(curves, maxPoints)})
}
