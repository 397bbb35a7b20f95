package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// get requests path from the server and returns the status and body.
func get(t *testing.T, h http.Handler, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// getJSON requests an endpoint that must answer 200 and decodes it.
func getJSON(t *testing.T, h http.Handler, path string, v any) {
	t.Helper()
	res, body := get(t, h, path)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
}

func TestUIPages(t *testing.T) {
	f := newFixture(t)
	s := New(f.st)
	for _, tc := range []struct {
		path, script string
	}{
		{"/", "experiments"},
		{"/e/" + f.exp, "experiment"},
		{"/e/" + f.exp + "/" + f.comps[0], "component"},
	} {
		res, body := get(t, s, tc.path)
		if res.StatusCode != 200 || !strings.Contains(body, `src="/static/`+tc.script+`.js"`) {
			t.Errorf("GET %s: %d, want the %s page:\n%s", tc.path, res.StatusCode, tc.script, body)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q lets scripts in from elsewhere", tc.path, csp)
		}
	}
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/e/bad!id", 400},
		{"/e/AAAAAA", 404},
		{"/e/" + f.exp + "/short", 400},
		{"/e/" + f.exp + "/AAAAAAAAAAAA", 404},
		{"/nothing", 404},
	} {
		if res, body := get(t, s, tc.path); res.StatusCode != tc.code {
			t.Errorf("GET %s: %d, want %d: %s", tc.path, res.StatusCode, tc.code, body)
		}
	}
}

func TestUIStatic(t *testing.T) {
	s := New(newFixture(t).st)
	for _, p := range []string{"/static/vendor/uPlot.iife.min.js", "/static/vendor/uPlot.min.css", "/static/common.js",
		"/static/experiments.js", "/static/experiment.js", "/static/component.js", "/static/app.css"} {
		if res, body := get(t, s, p); res.StatusCode != 200 || len(body) == 0 {
			t.Errorf("GET %s: %d, %d bytes", p, res.StatusCode, len(body))
		}
	}
}

func TestUIExperimentsAPI(t *testing.T) {
	f := newFixture(t)
	s := New(f.st)
	var out struct {
		Storage     string
		Experiments []experimentRow
	}
	getJSON(t, s, "/api/experiments", &out)
	if len(out.Experiments) != 2 || out.Experiments[0].ID != f.exp || out.Experiments[1].ID != f.older {
		t.Fatalf("experiments %+v, want %s then %s (newest first)", out.Experiments, f.exp, f.older)
	}
	e := out.Experiments[0]
	if e.Components != 6 || e.Counts["finished"] != 4 || e.Counts["failed"] != 1 || e.Counts["running"] != 1 || e.Code != "-" || e.Plan == "" {
		t.Errorf("newest experiment %+v: want 6 components, 4 finished, 1 failed, 1 running", e)
	}
	if out.Storage != f.root {
		t.Errorf("storage %q, want %q", out.Storage, f.root)
	}
}

func TestUIExperimentAPI(t *testing.T) {
	f := newFixture(t)
	s := New(f.st)
	var out struct {
		ConfigColumns []string `json:"config_columns"`
		Metrics       []metricColumn
		Components    []componentRow
		Counts        map[string]int
	}
	getJSON(t, s, "/api/experiments/"+f.exp, &out)
	if len(out.Components) != 6 {
		t.Fatalf("%d components, want 6", len(out.Components))
	}
	for i, c := range out.Components {
		if c.ID != f.comps[i] {
			t.Errorf("component %d is %s, want %s (schedule order)", i, c.ID, f.comps[i])
		}
	}
	if strings.Join(out.ConfigColumns, ",") != "batch_size,data.name,learning_rate,tag" { // not _token: hidden
		t.Errorf("config columns %q: want the flattened keys", out.ConfigColumns)
	}
	names := map[string]bool{}
	for _, m := range out.Metrics {
		names[m.Name] = true
		if strings.HasPrefix(m.Key, "_") {
			t.Errorf("metric column %+v: machinable's own keys are not columns", m)
		}
	}
	if !names["loss"] || !names["accuracy"] {
		t.Errorf("metric columns %+v: want loss and accuracy", out.Metrics)
	}
	first := out.Components[0]
	if first.Metrics["loss"] != 0.25 || first.State != "finished" || first.Seconds == nil || first.Rows != 21 {
		t.Errorf("first component %+v: want its last loss 0.25 (the appended row), finished, a duration", first)
	}
	if out.Components[1].State != "running" || out.Components[5].State != "failed" || out.Components[5].Error == "" {
		t.Errorf("states %s, %s (%q): want running, failed with its error", out.Components[1].State, out.Components[5].State, out.Components[5].Error)
	}
	var groups []int
	for _, c := range out.Components {
		groups = append(groups, c.Group)
	}
	if fmt.Sprint(groups) != "[0 1 1 2 2 2]" {
		t.Errorf("groups %v: want the repeats of a config together (the first has a config key of its own)", groups)
	}
	if out.Counts["running"] != 1 {
		t.Errorf("counts %v", out.Counts)
	}
}

// A row saved while the page polls shows at the next request, and an
// unchanged answer is 304 Not Modified to a poll that sends its ETag.
func TestUIExperimentAPILive(t *testing.T) {
	f := newFixture(t)
	s := New(f.st)
	path := "/api/experiments/" + f.exp
	res, _ := get(t, s, path)
	etag := res.Header.Get("ETag")
	if res, _ := get(t, s, path, "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
		t.Fatalf("unchanged experiment: %d, want 304", res.StatusCode)
	}
	f.appendRow(t, 1, map[string]any{"_iteration": 10, "loss": 0.125})
	res, body := get(t, s, path, "If-None-Match", etag)
	if res.StatusCode != 200 || !strings.Contains(body, `"loss":0.125`) {
		t.Fatalf("after a new row: %d, want the row's loss in %s", res.StatusCode, body)
	}
}

func TestUISeriesAPI(t *testing.T) {
	f := newFixture(t)
	s := New(f.st)
	var out struct {
		IDs  []string
		Rows []int
		XKey string `json:"x_key"`
		Data struct {
			X []float64
			Y [][]*float64
		}
	}
	getJSON(t, s, "/api/experiments/"+f.exp+"/series?scope=default&key=loss&ids="+f.comps[0]+","+f.comps[2], &out)
	if len(out.Data.Y) != 2 || out.XKey != "_iteration" || out.Rows[0] != 21 || out.Rows[1] != 20 {
		t.Fatalf("series %+v: want 2 curves against _iteration of 21 and 20 rows", out)
	}
	if len(out.Data.X) != 21 || *out.Data.Y[0][20] != 0.25 || out.Data.Y[1][20] != nil {
		t.Fatalf("x %v, y %v: want 21 iterations, the second curve without the last", out.Data.X, out.Data.Y)
	}
	for _, bad := range []string{"?key=loss&ids=nope", "?key=loss&scope=../x&ids=" + f.comps[0], "?ids=" + f.comps[0]} {
		if res, body := get(t, s, "/api/experiments/"+f.exp+"/series"+bad); res.StatusCode != 400 {
			t.Errorf("series%s: %d %s, want 400", bad, res.StatusCode, body)
		}
	}
}

func TestUIComponentAPI(t *testing.T) {
	f := newFixture(t)
	s := New(f.st)
	base := "/api/experiments/" + f.exp + "/" + f.comps[0]
	var c struct {
		Name        string
		State       string
		Config      map[string]any
		Flags       map[string]any
		Scopes      []scopeInfo
		StoreFiles  []string       `json:"store_files"`
		StoreValues map[string]any `json:"store_values"`
	}
	getJSON(t, s, base, &c)
	if c.State != "finished" || c.Config["learning_rate"] == nil || c.Flags["COMPONENT_ID"] != f.comps[0] || c.Config["_token"] != nil {
		t.Errorf("component %+v", c)
	}
	if len(c.Scopes) != 1 || c.Scopes[0].Name != "default" || c.Scopes[0].Rows != 21 {
		t.Errorf("scopes %+v: want default with 21 rows", c.Scopes)
	}
	if strings.Join(c.StoreFiles, ",") != "final.json,plots/curve.txt" || c.StoreValues["best"] != 0.25 {
		t.Errorf("store %q %v", c.StoreFiles, c.StoreValues)
	}
	var failed struct {
		State  string
		Status struct{ Error string }
	}
	getJSON(t, s, "/api/experiments/"+f.exp+"/"+f.comps[5], &failed)
	if failed.State != "failed" || failed.Status.Error == "" {
		t.Errorf("failed component %+v: want its error", failed)
	}

	var recs struct {
		Keys []string
		Rows []map[string]any
	}
	getJSON(t, s, base+"/records/default", &recs)
	if len(recs.Rows) != 21 || recs.Rows[20]["note"] != xss {
		t.Errorf("records: %d rows, last %v", len(recs.Rows), recs.Rows[len(recs.Rows)-1])
	}
	var tail struct {
		Rows         []map[string]any
		Total, First int
	}
	getJSON(t, s, base+"/records/default?tail=5", &tail)
	if len(tail.Rows) != 5 || tail.Total != 21 || tail.First != 16 || tail.Rows[4]["note"] != xss || tail.Rows[0]["_iteration"] != 16.0 {
		t.Errorf("tail=5: %d rows of %d from %d, first %v", len(tail.Rows), tail.Total, tail.First, tail.Rows[0])
	}
	res, csv := get(t, s, base+"/records/default?format=csv")
	if res.StatusCode != 200 || !strings.HasPrefix(csv, "_iteration,") || strings.Count(csv, "\n") != 22 ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("csv: %d %q\n%s", res.StatusCode, res.Header.Get("Content-Disposition"), csv)
	}
	res, js := get(t, s, base+"/records/default?format=json&download=1")
	if res.StatusCode != 200 || !strings.HasPrefix(js, "[{") || !strings.Contains(res.Header.Get("Content-Disposition"), ".json") {
		t.Errorf("json download: %d %q", res.StatusCode, js[:min(len(js), 40)])
	}

	var series struct {
		Keys []string
		Rows int
		Data struct{ Y [][]*float64 }
	}
	getJSON(t, s, base+"/series/default", &series)
	if strings.Join(series.Keys, ",") != "accuracy,loss" || series.Rows != 21 || len(series.Data.Y) != 2 {
		t.Errorf("component series %+v: want loss and accuracy over 21 rows", series)
	}

	var lg struct {
		Text   string
		Offset int
		State  string
	}
	getJSON(t, s, base+"/log/log.txt", &lg)
	if !strings.Contains(lg.Text, xss) || lg.Offset != len(lg.Text) || lg.State != "finished" {
		t.Errorf("log %+v", lg)
	}
	getJSON(t, s, base+"/log/log.txt?offset=11", &lg)
	if !strings.HasPrefix(lg.Text, "00:00:00 INFO") {
		t.Errorf("log from offset 11: %q", lg.Text)
	}
	getJSON(t, s, base+"/log/log.txt?offset="+fmt.Sprint(lg.Offset), &lg)
	if lg.Text != "" || lg.Offset != len("2026-01-01 00:00:00 INFO training started\n"+xss+"\n") {
		t.Errorf("log from its end: %+v, want nothing new", lg)
	}
	res, body := get(t, s, base+"/store/plots/curve.txt")
	if res.StatusCode != 200 || body != xss || res.Header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("store file: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	for _, bad := range []struct {
		path string
		code int
	}{
		{base + "/store/../status.json", 307}, // cleaned by the router: to a page that does not exist
		{base + "/store/%2e%2e/status.json", 404},
		{base + "/records/..%2fstatus", 400},
		{base + "/records/default?format=xml", 400},
		{base + "/log/status.json", 404},
		{base + "/log/log.txt?offset=-1", 400},
		{base + "/records/default?tail=0", 400},
		{"/api/experiments/" + f.exp + "/AAAAAAAAAAAA", 404},
		{"/api/experiments/" + f.exp + "/AAAA", 400},
	} {
		if res, body := get(t, s, bad.path); res.StatusCode != bad.code {
			t.Errorf("GET %s: %d %s, want %d", bad.path, res.StatusCode, body, bad.code)
		}
	}
}

// A page of another site whose name resolves to 127.0.0.1 gets nothing.
func TestUIHostCheck(t *testing.T) {
	s := New(newFixture(t).st)
	s.AllowHosts(LoopbackHosts("127.0.0.1:7777")...)
	req := httptest.NewRequest("GET", "/api/experiments", nil)
	req.Host = "evil.example:7777"
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 403 {
		t.Errorf("foreign Host: %d, want 403", rec.Code)
	}
	req.Host = "localhost:7777"
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("localhost: %d, want 200", rec.Code)
	}
}

// Markup in the storage's name stays text in the page shell.
func TestUIPageEscapes(t *testing.T) {
	f := newFixture(t)
	f.st.URL = `<script>alert(1)</script>`
	_, body := get(t, New(f.st), "/")
	if strings.Contains(body, "<script>alert") {
		t.Errorf("storage URL not escaped:\n%s", body)
	}
}

// The query of an s3:// URL (endpoint, options) appears in no page or
// answer.
func TestUIRedactsS3URL(t *testing.T) {
	f := newFixture(t)
	f.st.URL, f.st.Object = "s3://bucket/results?endpoint=http://minio.internal:9000", true
	s := New(f.st)
	for _, p := range []string{"/", "/e/" + f.exp, "/api/experiments", "/api/experiments/" + f.exp, "/api/experiments/AAAAAA"} {
		_, body := get(t, s, p)
		if strings.Contains(body, "minio.internal") || strings.Contains(body, "endpoint") {
			t.Errorf("GET %s shows the URL's query:\n%s", p, body)
		}
		if p == "/" && !strings.Contains(body, "s3://bucket/results?…") {
			t.Errorf("GET / does not name the storage: %s", body)
		}
	}
}

// Experiments not counted within the wait are answered as pending and
// counted in the background; a later request has their counts.
func TestUIExperimentsCountedLater(t *testing.T) {
	f := newFixture(t)
	s := New(f.st)
	for i := 0; i < countWorkers; i++ { // hold the background workers
		s.exps.sem <- struct{}{}
	}
	s.exps.wait = 10 * time.Millisecond
	var out struct{ Experiments []experimentRow }
	getJSON(t, s, "/api/experiments", &out)
	for _, e := range out.Experiments {
		if !e.Pending || e.Components != 0 {
			t.Errorf("%s: pending %v, %d components; want pending while the workers are busy", e.ID, e.Pending, e.Components)
		}
	}
	for i := 0; i < countWorkers; i++ {
		<-s.exps.sem
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		out.Experiments = nil // a field the answer omits would keep its value
		getJSON(t, s, "/api/experiments", &out)
		if !out.Experiments[0].Pending && !out.Experiments[1].Pending {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still pending: %+v", out.Experiments)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if out.Experiments[0].Components != 6 || out.Experiments[1].Counts["finished"] != 5 {
		t.Errorf("counted later: %+v", out.Experiments)
	}
}

// Hidden config keys (_token) are in schedule.json but on no page.
func TestUIHidesHiddenConfig(t *testing.T) {
	f := newFixture(t)
	s := New(f.st)
	for _, p := range []string{"/api/experiments/" + f.exp, "/api/experiments/" + f.exp + "/" + f.comps[0]} {
		if _, body := get(t, s, p); strings.Contains(body, "s3cret") || strings.Contains(body, "_token") {
			t.Errorf("GET %s shows a hidden config key:\n%s", p, body)
		}
	}
}

// A records file with a broken line is said on its component's row and
// page; the other components still show.
func TestUIBrokenRecords(t *testing.T) {
	f := newFixture(t)
	f.write(t, filepath.Join(f.dir(2), "records", "default.jsonl"), "{\"loss\": 1}\n{broken\n")
	s := New(f.st)
	var out struct{ Components []componentRow }
	getJSON(t, s, "/api/experiments/"+f.exp, &out)
	if e := out.Components[2].Error; !strings.Contains(e, "line 2") {
		t.Errorf("row of the broken file: error %q, want the line named", e)
	}
	if out.Components[3].Metrics["loss"] == 0 {
		t.Errorf("the next component lost its values: %+v", out.Components[3])
	}
	var c struct{ Scopes []scopeInfo }
	getJSON(t, s, "/api/experiments/"+f.exp+"/"+f.comps[2], &c)
	if len(c.Scopes) != 1 || !strings.Contains(c.Scopes[0].Error, "line 2") {
		t.Errorf("scopes %+v: want the error", c.Scopes)
	}
	for _, p := range []string{"/series/default", "/records/default", "/records/default?tail=10"} {
		if res, body := get(t, s, "/api/experiments/"+f.exp+"/"+f.comps[2]+p); res.StatusCode != 500 || !strings.Contains(body, "line 2") {
			t.Errorf("%s of the broken file: %d %s, want the line named", p, res.StatusCode, body)
		}
	}
}
