package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/storage"
)

// Server serves the web view of one storage. Make it with New.
type Server struct {
	st  *storage.Storage
	now func() time.Time // the clock for states and durations (tests set it)
	// Logf reports failed requests (the console of `machinable ui`);
	// nil logs nothing.
	Logf func(format string, args ...any)

	mu      sync.Mutex
	views   map[string]*storage.ExperimentView // by ID, once its schedule was read
	sums    *summaryCache
	metrics metricsCache
	cols    *columnCache
	exps    *countCache
	mux     *http.ServeMux
	hosts   map[string]bool // Host headers accepted (nil: any)
}

// New makes the server of a storage; nothing is read until a request.
func New(st *storage.Storage) *Server {
	s := &Server{st: st, now: time.Now, views: map[string]*storage.ExperimentView{},
		sums: newSummaryCache(), cols: newColumnCache(256), exps: newCountCache()}
	s.metrics.m = map[string]lastMetrics{}
	s.routes()
	return s
}

// AllowHosts limits the Host header a request may carry to the given
// names (with the port): a page on another site that resolves its own
// name to 127.0.0.1 (DNS rebinding) cannot read the storage through the
// browser. Empty accepts any.
func (s *Server) AllowHosts(hosts ...string) {
	s.hosts = map[string]bool{}
	for _, h := range hosts {
		s.hosts[strings.ToLower(h)] = true
	}
	if len(hosts) == 0 {
		s.hosts = nil
	}
}

// LoopbackHosts are the Host headers a browser sends to a server on the
// loopback address addr (host:port).
func LoopbackHosts(addr string) []string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	return []string{net.JoinHostPort("127.0.0.1", port), net.JoinHostPort("localhost", port), net.JoinHostPort("::1", port)}
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.pageExperiments)
	m.HandleFunc("GET /e/{exp}", s.pageExperiment)
	m.HandleFunc("GET /e/{exp}/{comp}", s.pageComponent)
	m.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))
	m.HandleFunc("GET /api/experiments", s.apiExperiments)
	m.HandleFunc("GET /api/experiments/{exp}", s.apiExperiment)
	m.HandleFunc("GET /api/experiments/{exp}/series", s.apiExperimentSeries)
	m.HandleFunc("GET /api/experiments/{exp}/{comp}", s.apiComponent)
	m.HandleFunc("GET /api/experiments/{exp}/{comp}/records/{scope}", s.apiRecords)
	m.HandleFunc("GET /api/experiments/{exp}/{comp}/series/{scope}", s.apiComponentSeries)
	m.HandleFunc("GET /api/experiments/{exp}/{comp}/log/{name}", s.apiLog)
	m.HandleFunc("GET /api/experiments/{exp}/{comp}/store/{file...}", s.apiStoreFile)
	s.mux = m
}

// ServeHTTP checks the Host, sets the security headers and routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.hosts != nil && !s.hosts[strings.ToLower(r.Host)] {
		http.Error(w, "unknown host "+r.Host+": open the address machinable ui printed", http.StatusForbidden)
		return
	}
	h := w.Header()
	// Scripts only from here: data shown on a page can never run as code.
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	s.mux.ServeHTTP(w, r)
}

// httpError is an error with the status it answers.
type httpError struct {
	code int
	err  error
}

func (e *httpError) Error() string { return e.err.Error() }

func notFound(format string, args ...any) error {
	return &httpError{http.StatusNotFound, fmt.Errorf(format, args...)}
}

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Errorf(format, args...)}
}

// fail answers an error as JSON {"error": ...}, credentials redacted.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := http.StatusInternalServerError
	var he *httpError
	switch {
	case errors.As(err, &he):
		code = he.code
	case errors.Is(err, fs.ErrNotExist):
		code = http.StatusNotFound
	}
	msg := s.message(err)
	if code == http.StatusInternalServerError && s.Logf != nil {
		s.Logf("%s %s: %s", r.Method, r.URL.Path, msg)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// message is an error for showing: credentials redacted, and the
// storage's URL as DisplayURL shows it (an s3:// URL without its query).
func (s *Server) message(err error) string {
	msg := s.st.Redact(err).Error()
	if d := s.st.DisplayURL(); d != s.st.URL {
		msg = strings.ReplaceAll(msg, s.st.URL, d)
	}
	return msg
}

// writeJSON answers v with an ETag of its bytes: a page polling for
// changes gets 304 and no body when nothing changed.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // served as JSON and shown with textContent
	if err := enc.Encode(jsonvalue.KeepFloats(v)); err != nil {
		s.fail(w, r, err)
		return
	}
	sum := sha256.Sum256(buf.Bytes())
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(buf.Bytes())
}

// experiment finds an experiment by a validated ID; its view (with the
// schedule, which is written once) is kept once it could be read.
func (s *Server) experiment(id string) (*storage.ExperimentView, error) {
	if err := storage.CheckExperimentID(id); err != nil {
		return nil, badRequest("%v", err)
	}
	s.mu.Lock()
	v := s.views[id]
	s.mu.Unlock()
	if v != nil {
		return v, nil
	}
	v, err := s.st.Experiment(id)
	if err != nil {
		return nil, &httpError{http.StatusNotFound, err}
	}
	if _, err := v.Components(); err != nil {
		return v, nil // not cached: the schedule may be being written
	}
	s.mu.Lock()
	s.views[id] = v
	s.mu.Unlock()
	return v, nil
}

// component finds a component by validated IDs.
func (s *Server) component(expID, compID string) (*storage.ComponentView, error) {
	if err := storage.CheckComponentID(compID); err != nil {
		return nil, badRequest("%v", err)
	}
	e, err := s.experiment(expID)
	if err != nil {
		return nil, err
	}
	c, err := e.Component(compID)
	if err != nil {
		return nil, &httpError{http.StatusNotFound, err}
	}
	return c, nil
}

// logf reports through Logf or the standard logger.
func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
		return
	}
	log.Printf(format, args...)
}
