package web

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/machinable-go/machinable/internal/synth"
	"github.com/machinable-go/machinable/storage"
)

// TestUIScreenshots takes the screenshots of docs/ui.md from a synthetic
// storage: MACHINABLE_UI_SCREENSHOTS=DIR writes ui-experiments.png,
// ui-experiment.png and ui-component.png to DIR (go test -run
// TestUIScreenshots ./web with DIR=$PWD/docs/img). Without it, it skips.
func TestUIScreenshots(t *testing.T) {
	dir := os.Getenv("MACHINABLE_UI_SCREENSHOTS")
	if dir == "" {
		t.Skip("MACHINABLE_UI_SCREENSHOTS=DIR takes the screenshots of docs/ui.md")
	}
	root := filepath.Join(t.TempDir(), "results")
	ids, err := synth.Write(root, synth.Options{Experiments: 4, Components: 24, Seed: 7, Repeats: 3, Records: 300, FailEvery: 23,
		Start: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}) // fixed: the pictures change only with the pages
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	st.URL = "./results" // shown in the header, as when started in the project
	f := &fixture{root: root, st: st, exp: ids[len(ids)-1]}
	e, err := st.Experiment(f.exp)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := e.Components()
	for _, c := range cs {
		f.comps = append(f.comps, c.ID)
	}
	f.write(t, filepath.Join(f.dir(0), "log.txt"), "2026-11-30 09:12:01 INFO training on cifar10 with lr 0.01\n2026-11-30 09:12:09 INFO training finished\n")
	f.write(t, filepath.Join(f.dir(0), "output.log"), "final loss 1.2731\n")
	f.write(t, filepath.Join(f.dir(0), "store", "final.json"), `{"loss": 1.2731}`)
	f.setRunning(t, 23)

	url := serve(t, st)
	ctx := tab(t)
	shoot := func(name, url, ready string, full bool) {
		open(t, ctx, url)
		waitFor(t, ctx, ready, 10*time.Second)
		time.Sleep(300 * time.Millisecond) // let the last frame paint
		shot := chromedp.CaptureScreenshot()
		if full {
			shot = chromedp.FullScreenshot(100) // PNG
		}
		png, err := chromedp.Run(ctx, shot)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shoot("ui-experiments.png", url+"/", `document.querySelectorAll("#experiments tbody tr[data-id]").length === 4`, false)
	shoot("ui-experiment.png", url+"/e/"+f.exp, `document.querySelector("#overlay").dataset.series === "24"`, true)
	eval(t, ctx, `(() => { const s = document.querySelector("#chart-mode"); s.value = "mean"; s.dispatchEvent(new Event("change")); return true })()`, new(bool))
	waitFor(t, ctx, `document.querySelector("#overlay").uplot.bands.length === 8`, 10*time.Second) // 8 groups of repeats
	time.Sleep(300 * time.Millisecond)
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "ui-experiment-mean.png"), png, 0o644)
	shoot("ui-component.png", url+"/e/"+f.exp+"/"+f.comps[0], `document.querySelectorAll("#record-charts .chart[data-series]").length === 2`, true)
}
