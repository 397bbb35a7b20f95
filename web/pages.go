package web

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
)

//go:embed templates static
var assets embed.FS

var pageTemplate = template.Must(template.ParseFS(assets, "templates/page.html"))

func staticHandler() http.Handler {
	sub, _ := fs.Sub(assets, "static")
	return http.FileServerFS(sub)
}

// page is what the shell of a page needs; the page's script fills it
// from the JSON endpoints.
type page struct {
	Title      string
	Script     string // static/<Script>.js
	Storage    string // redacted URL
	Experiment string
	Component  string
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, p page) {
	p.Storage = s.st.DisplayURL()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	if err := pageTemplate.Execute(w, p); err != nil {
		s.logf("%s: %v", r.URL.Path, err)
	}
}

func (s *Server) pageExperiments(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, page{Title: "Experiments", Script: "experiments"})
}

func (s *Server) pageExperiment(w http.ResponseWriter, r *http.Request) {
	e, err := s.experiment(r.PathValue("exp"))
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	s.render(w, r, page{Title: "Experiment " + e.ID, Script: "experiment", Experiment: e.ID})
}

func (s *Server) pageComponent(w http.ResponseWriter, r *http.Request) {
	c, err := s.component(r.PathValue("exp"), r.PathValue("comp"))
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	s.render(w, r, page{Title: c.Name + " " + c.ID, Script: "component", Experiment: c.Experiment.ID, Component: c.ID})
}

// failPage answers a page that cannot be shown with the error as text.
func (s *Server) failPage(w http.ResponseWriter, r *http.Request, err error) {
	code := http.StatusInternalServerError
	if he, ok := err.(*httpError); ok {
		code = he.code
	}
	http.Error(w, s.message(err), code)
}
