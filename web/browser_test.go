package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/machinable-go/machinable/storage"
)

// The pages in a real browser: Debian's chromium, headless, driven over
// the DevTools protocol. One browser serves every test (a tab each).
// Without chromium the tests skip, unless MACHINABLE_REQUIRE_SERVICES=1
// (CI), where they fail.

var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserCancel = func() {}
	browserErr    string
)

func TestMain(m *testing.M) {
	code := m.Run()
	browserCancel()
	os.Exit(code)
}

// findChromium returns the browser's path, or "" when none is installed.
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// tab opens a browser tab for the test, closed at its end.
func tab(t *testing.T) context.Context {
	t.Helper()
	browserOnce.Do(func() {
		path := findChromium()
		if path == "" {
			browserErr = "chromium is not installed (apt-get install -y chromium)"
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
			chromedp.WindowSize(1280, 900), chromedp.Flag("disable-dev-shm-usage", true))
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		if err := chromedp.Do(ctx); err != nil { // starts the browser
			cancelCtx()
			cancelAlloc()
			browserErr = fmt.Sprintf("chromium (%s) does not start: %v", path, err)
			return
		}
		browserCtx, browserCancel = ctx, func() { cancelCtx(); cancelAlloc() }
	})
	if browserErr != "" {
		if os.Getenv("MACHINABLE_REQUIRE_SERVICES") == "1" {
			t.Fatalf("%s; the browser tests are required (MACHINABLE_REQUIRE_SERVICES=1)", browserErr)
		}
		t.Skipf("%s: the pages are not tested in a browser. Set MACHINABLE_REQUIRE_SERVICES=1 to fail instead", browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx)
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTime(); cancel() })
	return ctx
}

// serve serves st for the test.
func serve(t *testing.T, st *storage.Storage) string {
	srv := httptest.NewServer(New(st))
	t.Cleanup(srv.Close)
	return srv.URL
}

// open loads a page and waits until its script filled it.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`#main[data-loaded]`))); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
}

// eval evaluates JavaScript in the page and decodes its value into v.
func eval(t *testing.T, ctx context.Context, js string, v any) {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](js))
	if err == nil {
		err = json.Unmarshal(raw, v)
	}
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
}

// waitFor evaluates a JavaScript condition until it is true and returns
// how long that took; it fails the test after within.
func waitFor(t *testing.T, ctx context.Context, js string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return time.Since(start)
		}
		if time.Since(start) > within {
			html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("main").innerText.slice(0, 2000)`))
			t.Fatalf("not true within %s: %s\npage: %s", within, js, html)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// rowIDs are the data-id of the rows a table shows.
const rowIDs = `(sel) => [...document.querySelectorAll(sel + " tbody tr[data-id]")].map((r) => r.dataset.id)`

func TestUIBrowserExperiments(t *testing.T) {
	f := newFixture(t)
	ctx := tab(t)
	url := serve(t, f.st)
	open(t, ctx, url+"/")
	var ids []string
	eval(t, ctx, "("+rowIDs+`)("#experiments")`, &ids)
	if strings.Join(ids, ",") != f.exp+","+f.older {
		t.Errorf("experiments listed %v, want %s then %s", ids, f.exp, f.older)
	}
	var cells []string
	eval(t, ctx, `[...document.querySelectorAll("#experiments tbody tr[data-id]")[0].cells].map((c) => c.textContent)`, &cells)
	if len(cells) < 10 || cells[4] != "6" || cells[5] != "4" || cells[6] != "0" || cells[7] != "1" || cells[8] != "1" {
		t.Errorf("first row %q: want 6 components, 4 finished, 0 stopped, 1 failed, 1 running", cells)
	}
}

func TestUIBrowserExperiment(t *testing.T) {
	f := newFixture(t)
	ctx := tab(t)
	url := serve(t, f.st)
	open(t, ctx, url+"/e/"+f.exp)
	var ids []string
	eval(t, ctx, "("+rowIDs+`)("#components")`, &ids)
	if strings.Join(ids, ",") != strings.Join(f.comps, ",") {
		t.Errorf("components listed %v, want %v", ids, f.comps)
	}
	// every component's curve of the default key, loss
	waitFor(t, ctx, `document.querySelector("#overlay").dataset.series === "6" && document.querySelectorAll("#overlay canvas").length === 1`, 10*time.Second)
	var key string
	eval(t, ctx, `document.querySelector("#chart-key").value`, &key)
	if key != "loss" {
		t.Errorf("chart of %q, want loss", key)
	}
	// mean and spread: three series per group of repeats (3 groups)
	eval(t, ctx, `(() => { const s = document.querySelector("#chart-mode"); s.value = "mean"; s.dispatchEvent(new Event("change")); return true })()`, new(bool))
	waitFor(t, ctx, `document.querySelector("#overlay").dataset.series === "9"`, 10*time.Second)
	var bands int
	eval(t, ctx, `document.querySelector("#overlay").uplot.bands.length`, &bands)
	if bands != 3 {
		t.Errorf("%d bands, want one per group (3)", bands)
	}
	// the scatter: one point per component, one series per colour
	waitFor(t, ctx, `+document.querySelector("#scatter").dataset.series >= 1`, 5*time.Second)
	var points int
	eval(t, ctx, `document.querySelector("#scatter").uplot.data.slice(1).flat().filter((v) => v !== null).length`, &points)
	if points != 6 {
		t.Errorf("scatter of %d points, want one per component (6)", points)
	}
	// a filter on a column, then on any column
	eval(t, ctx, `(() => { const i = document.querySelector("#components-filter"); i.value = "failed"; i.dispatchEvent(new Event("input")); return true })()`, new(bool))
	waitFor(t, ctx, `document.querySelector("#components-count").textContent === "1 of 6 rows"`, 5*time.Second)
	eval(t, ctx, "("+rowIDs+`)("#components")`, &ids)
	if len(ids) != 1 || ids[0] != f.comps[5] {
		t.Errorf("filtered to %v, want the failed %s", ids, f.comps[5])
	}
	// a comparison in a column's box: the loss column below 0.3
	eval(t, ctx, `(() => { const i = document.querySelector("#components-filter"); i.value = ""; i.dispatchEvent(new Event("input"));
		const ths = [...document.querySelectorAll("#components thead tr:first-child th")];
		const box = document.querySelectorAll("#components thead tr.filters input")[ths.findIndex((th) => th.dataset.key === "metric.loss")];
		box.value = "<0.3"; box.dispatchEvent(new Event("input")); return true })()`, new(bool))
	waitFor(t, ctx, `document.querySelector("#components-count").textContent === "1 of 6 rows"`, 5*time.Second)
	eval(t, ctx, "("+rowIDs+`)("#components")`, &ids)
	if len(ids) != 1 || ids[0] != f.comps[0] {
		t.Errorf("loss <0.3 kept %v, want %s (last loss 0.25)", ids, f.comps[0])
	}
	eval(t, ctx, `(() => { const b = [...document.querySelectorAll("#components thead tr.filters input")].find((i) => i.value); b.value = ""; b.dispatchEvent(new Event("input")); return true })()`, new(bool))
	// sorting by a metric column, descending on a second click
	eval(t, ctx, `(() => { const i = document.querySelector("#components-filter"); i.value = ""; i.dispatchEvent(new Event("input"));
		const th = document.querySelector('#components th[data-key="metric.loss"]'); th.click(); document.querySelector('#components th[data-key="metric.loss"]').click(); return true })()`, new(bool))
	var first string
	eval(t, ctx, `document.querySelector("#components tbody tr[data-id]").dataset.id`, &first)
	if first == f.comps[0] { // it has the lowest loss, 0.25
		t.Errorf("sorted by loss descending, yet the lowest (%s) is first", first)
	}
}

// Markup that a component recorded, logged, printed or configured shows
// as text and never runs.
func TestUIBrowserEscapes(t *testing.T) {
	f := newFixture(t)
	ctx := tab(t)
	url := serve(t, f.st)
	for _, page := range []string{"/e/" + f.exp, "/e/" + f.exp + "/" + f.comps[0]} {
		open(t, ctx, url+page)
		var res struct {
			Imgs  int
			Title string
			Text  bool
		}
		waitFor(t, ctx, `document.body.innerText.includes("onerror=")`, 5*time.Second)
		eval(t, ctx, `({imgs: document.querySelectorAll("main img").length, title: document.title, text: document.body.innerText.includes(`+"`"+xss+"`"+`)})`, &res)
		if res.Imgs != 0 || strings.Contains(res.Title, "pwned") || !res.Text {
			t.Errorf("%s: %d img elements, title %q, markup shown as text %v", page, res.Imgs, res.Title, res.Text)
		}
	}
}

func TestUIBrowserComponent(t *testing.T) {
	f := newFixture(t)
	ctx := tab(t)
	url := serve(t, f.st)
	open(t, ctx, url+"/e/"+f.exp+"/"+f.comps[0])
	var got struct {
		State, Config, Log, Output string
		Charts                     []string
		Store                      []string
		Rows                       string
	}
	waitFor(t, ctx, `document.querySelectorAll("#record-charts .chart[data-series]").length === 2`, 10*time.Second)
	eval(t, ctx, `({state: document.querySelector("#state").textContent,
		config: document.querySelector("#config-table").innerText,
		log: document.querySelector("#log").textContent, output: document.querySelector("#output").textContent,
		charts: [...document.querySelectorAll("#record-charts .chart")].map((c) => c.dataset.key + ":" + c.dataset.series),
		store: [...document.querySelectorAll("#store-files a")].map((a) => a.textContent),
		rows: document.querySelector("#records-table-count").textContent})`, &got)
	if got.State != "finished" || !strings.Contains(got.Config, "learning_rate") || !strings.Contains(got.Log, "training started") || got.Output != "epoch 1\n" {
		t.Errorf("component page: %+v", got)
	}
	if strings.Join(got.Charts, ",") != "accuracy:1,loss:1" || strings.Join(got.Store, ",") != "final.json,plots/curve.txt" || got.Rows != "21 rows" {
		t.Errorf("charts %v, store %v, records %q: want a chart per numeric key, the stored files, 21 rows", got.Charts, got.Store, got.Rows)
	}
	open(t, ctx, url+"/e/"+f.exp+"/"+f.comps[5])
	var errText string
	eval(t, ctx, `document.querySelector("#error").textContent`, &errText)
	if !strings.Contains(errText, "synthetic failure") {
		t.Errorf("failed component's error %q", errText)
	}
}

// While a component runs, its new rows (in the table and the charts), a
// queued component starting and log lines appear on open pages without
// reloading, within 2 s (5 s under the race detector, which slows the
// server several times over).
func TestUIBrowserLive(t *testing.T) {
	within := 2 * time.Second
	if raceEnabled {
		within = 5 * time.Second
	}
	f := newFixture(t)
	os.Remove(filepath.Join(f.dir(3), "status.json")) // queued: not started
	ctx := tab(t)
	url := serve(t, f.st)
	open(t, ctx, url+"/e/"+f.exp)
	state := func(i int) string {
		return fmt.Sprintf(`document.querySelector('#components tr[data-id="%s"] .state').textContent`, f.comps[i])
	}
	waitFor(t, ctx, state(3)+` === "queued"`, within)
	f.appendRow(t, 1, map[string]any{"_iteration": 20, "loss": 0.0625})
	f.setRunning(t, 3)
	took := waitFor(t, ctx, state(3)+` === "running" && document.querySelector('#components tr[data-id="`+f.comps[1]+`"]').innerText.includes("0.0625")`, within)
	t.Logf("experiment page: new state and row shown after %s", took)

	ctx2 := tab(t)
	open(t, ctx2, url+"/e/"+f.exp+"/"+f.comps[1])
	f.appendRow(t, 1, map[string]any{"_iteration": 21, "loss": 0.03125})
	f.write(t, filepath.Join(f.dir(1), "log.txt"), "step 21 done\n")
	took = waitFor(t, ctx2, `document.querySelector("#records-table-count").textContent === "22 rows" && document.querySelector("#log").textContent.includes("step 21 done") &&
		document.querySelector('#record-charts .chart[data-key="loss"]').uplot.data[0].length === 22`, within)
	t.Logf("component page: new row and log line shown after %s", took)
}

// An experiment whose schedule cannot be read says why on its page.
func TestUIBrowserBrokenExperiment(t *testing.T) {
	f := newFixture(t)
	f.write(t, filepath.Join(f.root, f.exp, "schedule.json"), "{not json")
	ctx := tab(t)
	url := serve(t, f.st)
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"/e/"+f.exp)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `(document.querySelector("#main .error") || {}).textContent?.includes("schedule.json")`, 5*time.Second)
}
