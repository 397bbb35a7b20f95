package web

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/machinable-go/machinable/internal/synth"
	"github.com/machinable-go/machinable/storage"
)

// TestUIBenchmark measures time to first render in headless chromium for
// large storages: 10,000 experiments, an experiment of 10,000 components,
// and an overlay of 100 components × 10,000 rows. It runs only with
// MACHINABLE_UI_BENCH=1 (bench/ui.sh), and prints a table.
func TestUIBenchmark(t *testing.T) {
	if os.Getenv("MACHINABLE_UI_BENCH") != "1" {
		t.Skip("a benchmark: MACHINABLE_UI_BENCH=1 (bench/ui.sh) runs it")
	}
	ctx := tab(t)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	var lines []string
	report := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		lines = append(lines, line)
		t.Log(line)
	}
	gen := func(name string, o synth.Options) (*storage.Storage, []string) {
		root := filepath.Join(t.TempDir(), name)
		start := time.Now()
		ids, err := synth.Write(root, o)
		if err != nil {
			t.Fatal(err)
		}
		report("storage %-10s %5d experiments × %5d components × %5d rows, written in %.1f s", name, o.Experiments, o.Components, o.Records, time.Since(start).Seconds())
		st, err := storage.Open(root)
		if err != nil {
			t.Fatal(err)
		}
		return st, ids
	}
	// render loads url and returns the time until cond holds.
	var start0 time.Time // when render last started
	render := func(url, cond string) time.Duration {
		start := time.Now()
		start0 = start
		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, cond, 5*time.Minute)
		return time.Since(start)
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%6.0f ms", float64(d.Microseconds())/1000) }

	// 10,000 experiments of 2 components each
	st, _ := gen("many-exps", synth.Options{Experiments: 10000, Components: 2, Seed: 1, FailEvery: 5})
	srv := httptest.NewServer(New(st))
	rows := `document.querySelectorAll("#experiments tbody tr[data-id]").length > 0 && document.querySelector("#experiments-count").textContent === "10000 rows"`
	counted := rows + ` && ![...document.querySelectorAll("#experiments tbody tr[data-id]")].some((r) => r.textContent.includes("…"))`
	cold := render(srv.URL+"/", rows)
	waitFor(t, ctx, counted, 5*time.Minute)
	coldCounted := time.Since(start0)
	report("experiments page, 10,000 experiments: first render %s (cold; the rows in view counted after %s), %s (warm)", ms(cold), ms(coldCounted), ms(render(srv.URL+"/", counted)))
	srv.Close()

	// one experiment of 10,000 components, 50 rows of records each
	st, ids := gen("wide", synth.Options{Experiments: 1, Components: 10000, Seed: 2, FailEvery: 7, Repeats: 5, Records: 50})
	srv = httptest.NewServer(New(st))
	table := `document.querySelectorAll("#components tbody tr[data-id]").length > 0 && document.querySelector("#components-count").textContent === "10000 rows"`
	cold = render(srv.URL+"/e/"+ids[0], table)
	warm := render(srv.URL+"/e/"+ids[0], table)
	charts := render(srv.URL+"/e/"+ids[0], table+` && document.querySelector("#overlay").dataset.series === "100" && +document.querySelector("#scatter").dataset.series > 0`)
	report("experiment page, 10,000 components: table %s (cold: every records file read once), %s (warm); with the 100-curve overlay and the scatter %s", ms(cold), ms(warm), ms(charts))
	var dom int
	eval(t, ctx, `document.querySelectorAll("#components tbody tr").length`, &dom)
	start := time.Now()
	eval(t, ctx, `(() => { document.querySelector('#components th[data-key="metric.loss"]').click(); return true })()`, new(bool))
	waitFor(t, ctx, `document.querySelector('#components th[data-key="metric.loss"]').textContent.endsWith("▲")`, time.Minute)
	sorted := time.Since(start)
	start = time.Now()
	eval(t, ctx, `(() => { const i = document.querySelector("#components-filter"); i.value = "failed"; i.dispatchEvent(new Event("input")); return true })()`, new(bool))
	waitFor(t, ctx, `document.querySelector("#components-count").textContent.startsWith("1428 of")`, time.Minute)
	report("  sort 10,000 rows by loss %s, filter them %s; %d table rows in the DOM (virtualised)", ms(sorted), ms(time.Since(start)), dom)
	srv.Close()

	// 100 components of 10,000 rows each, overlaid
	st, ids = gen("long", synth.Options{Experiments: 1, Components: 100, Seed: 3, Repeats: 4, Records: 10000})
	srv = httptest.NewServer(New(st))
	overlay := `document.querySelector("#overlay") && document.querySelector("#overlay").dataset.series === "100"`
	cold = render(srv.URL+"/e/"+ids[0], overlay)
	warm = render(srv.URL+"/e/"+ids[0], overlay)
	var points int
	eval(t, ctx, `document.querySelector("#overlay").uplot.data[0].length`, &points)
	eval(t, ctx, `(() => { const s = document.querySelector("#chart-mode"); s.value = "mean"; s.dispatchEvent(new Event("change")); return true })()`, new(bool))
	start = time.Now()
	waitFor(t, ctx, `document.querySelector("#overlay").dataset.series === "75"`, time.Minute)
	report("overlay, 100 components × 10,000 rows: first render %s (cold: 1,000,000 rows read), %s (warm), %d points per curve; mean ± std of 25 groups %s", ms(cold), ms(warm), points, ms(time.Since(start)))
	srv.Close()

	if out := os.Getenv("MACHINABLE_UI_BENCH_OUT"); out != "" {
		text := ""
		for _, l := range lines {
			text += l + "\n"
		}
		if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
