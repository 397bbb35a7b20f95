package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/internal/tunetest"
	"github.com/machinable-go/machinable/storage"
)

// markStopped ends a component of the quickstart's results as a trial
// scheduler does: status "stopped", records kept.
func markStopped(t *testing.T, dir, id string) {
	t.Helper()
	if err := tunetest.MarkStopped(filepath.Join(dir, "results"), quickstartExp, id); err != nil {
		t.Fatal(err)
	}
}

// lastLosses is each quickstart component's last recorded loss.
func lastLosses(t *testing.T, dir string) map[string]float64 {
	t.Helper()
	s, err := storage.Open(filepath.Join(dir, "results"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Experiment(quickstartExp)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := e.Components()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, c := range cs {
		rows, err := c.AllRecords("default")
		if err != nil || len(rows) == 0 {
			t.Fatalf("%s: %d rows, %v", c.ID, len(rows), err)
		}
		out[c.ID] = rows[len(rows)-1]["loss"].(float64)
	}
	return out
}

// rowIDs are the component IDs of show's listing, in order.
func rowIDs(out string) []string {
	var ids []string
	for _, m := range regexp.MustCompile(`(?m)^(\w{12})  `).FindAllStringSubmatch(out, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// TestStoppedTrialsInListings: a tuning trial stopped early is counted
// apart by show, status and ls, shown with its state, and is no failure:
// running the experiment again keeps it and exits 0.
func TestStoppedTrialsInListings(t *testing.T) {
	dir := ranQuickstart(t)
	stopped := quickstartComps[1]
	markStopped(t, dir, stopped)

	out, stderr, code := runMain(t, dir, "show", quickstartExp)
	if code != 0 || !strings.Contains(out, "Components  3: 2 finished, 1 stopped, 0 running, 0 failed, 0 interrupted, 0 stale, 0 queued\n") ||
		!regexp.MustCompile(`(?m)^`+stopped+`  optimization  stopped  `).MatchString(out) {
		t.Errorf("show: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = runMain(t, dir, "status", quickstartExp)
	if code != 0 || !strings.Contains(out, "\n2 finished, 1 stopped, 0 running, 0 failed, 0 interrupted, 0 stale, 0 queued\n") ||
		!regexp.MustCompile(stopped+`  optimization  stopped  `).MatchString(out) {
		t.Errorf("status: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = runMain(t, dir, "ls")
	if code != 0 || !regexp.MustCompile(`(?m)^ID +STARTED +DIRECTORY +COMPONENTS +FINISHED +STOPPED +FAILED +RUNNING +CODE\n`+
		quickstartExp+` +\S+ \S+ +- +3 +2 +1 +0 +0 +`).MatchString(out) {
		t.Errorf("ls: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = runMain(t, dir, "ls", "--where", "status = stopped")
	if code != 0 || len(rowIDs(out)) != 1 || rowIDs(out)[0] != stopped {
		t.Errorf("ls --where 'status = stopped': exit %d\n%s%s", code, out, stderr)
	}

	// Not a failure: the run resumes, runs nothing and exits 0, and so
	// does execute with the same plan.
	out, stderr, code = runMain(t, dir, "run", "experiment.star")
	if code != 0 || !strings.Contains(out, "Experiment "+quickstartExp+": 2 finished, 1 stopped, 0 failed in ") {
		t.Errorf("run again: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = runMain(t, dir, "execute", "optimization", "--repeat", "3", "--seed", "42", "--storage", "./results")
	if code != 0 || !strings.Contains(out, "Experiment "+quickstartExp+": 2 finished, 1 stopped, 0 failed in ") {
		t.Errorf("execute again: exit %d\n%s%s", code, out, stderr)
	}
	if st := lastLosses(t, dir); len(st) != 3 {
		t.Errorf("records lost: %v", st)
	}
	out, _, _ = runMain(t, dir, "status", quickstartExp)
	if !strings.Contains(out, "2 finished, 1 stopped,") {
		t.Errorf("the stopped trial ran again:\n%s", out)
	}
}

// TestShowSort: show --sort KEY ranks the components by the last value of
// KEY in their records, ascending, --desc descending, with a column of
// that value; components without it come last.
func TestShowSort(t *testing.T) {
	dir := ranQuickstart(t)
	markStopped(t, dir, quickstartComps[2])
	losses := lastLosses(t, dir)
	asc := slices.Clone(quickstartComps)
	slices.SortStableFunc(asc, func(a, b string) int {
		switch {
		case losses[a] < losses[b]:
			return -1
		case losses[a] > losses[b]:
			return 1
		}
		return 0
	})
	if slices.Equal(asc, quickstartComps) {
		t.Fatalf("the fixture's losses %v are sorted already: the test would prove nothing", losses)
	}
	out, stderr, code := runMain(t, dir, "show", quickstartExp, "--sort", "loss")
	if code != 0 || !slices.Equal(rowIDs(out), asc) || !strings.Contains(out, "COMPONENT     NAME          STATE     LOSS") {
		t.Fatalf("--sort loss: exit %d, order %v, want %v\n%s%s", code, rowIDs(out), asc, out, stderr)
	}
	for _, id := range quickstartComps {
		state := "finished"
		if id == quickstartComps[2] {
			state = "stopped "
		}
		if want := id + "  optimization  " + state + "  " + formatValue(losses[id]) + " "; !strings.Contains(out, want) {
			t.Errorf("no row %q in:\n%s", want, out)
		}
	}
	desc := slices.Clone(asc)
	slices.Reverse(desc)
	out, stderr, code = runMain(t, dir, "show", quickstartExp, "--sort", "loss", "--desc")
	if code != 0 || !slices.Equal(rowIDs(out), desc) {
		t.Errorf("--sort loss --desc: exit %d, order %v, want %v\n%s%s", code, rowIDs(out), desc, out, stderr)
	}
	// No component has the key: schedule order, "-" for each.
	out, stderr, code = runMain(t, dir, "show", quickstartExp, "--sort", "accuracy")
	if code != 0 || !slices.Equal(rowIDs(out), quickstartComps) || strings.Count(out, "  -  ") != 3 {
		t.Errorf("--sort accuracy: exit %d\n%s%s", code, out, stderr)
	}
	_, stderr, code = runMain(t, dir, "show", quickstartExp, "--desc")
	if code != ExitError || !strings.Contains(stderr, "--desc reverses the order of --sort KEY; give --sort too") {
		t.Errorf("--desc alone: exit %d, stderr %q", code, stderr)
	}
}

// TestRankBefore: numbers by value, text after numbers, missing last in
// either direction.
func TestRankBefore(t *testing.T) {
	vals := []any{"b", 2.0, nil, int64(10), "a", 0.5}
	has := []bool{true, true, false, true, true, true}
	order := func(desc bool) []any {
		idx := []int{0, 1, 2, 3, 4, 5}
		slices.SortStableFunc(idx, func(a, b int) int {
			if rankBefore(vals[a], has[a], vals[b], has[b], desc) {
				return -1
			}
			if rankBefore(vals[b], has[b], vals[a], has[a], desc) {
				return 1
			}
			return 0
		})
		out := make([]any, len(idx))
		for i, j := range idx {
			out[i] = vals[j]
		}
		return out
	}
	if got, want := order(false), []any{0.5, 2.0, int64(10), "a", "b", nil}; !slices.Equal(got, want) {
		t.Errorf("ascending %v, want %v", got, want)
	}
	if got, want := order(true), []any{int64(10), 2.0, 0.5, "b", "a", nil}; !slices.Equal(got, want) {
		t.Errorf("descending %v, want %v", got, want)
	}
}

// TestTuneStoppedEndToEnd: a real search whose ASHA scheduler stops
// trials: the run exits 0 and counts them apart; best() in the script,
// show --sort, ls and status agree on which trial is best and which
// stopped.
func TestTuneStoppedEndToEnd(t *testing.T) {
	t.Setenv("MACHINABLE_STORAGE", "")
	dir := t.TempDir()
	files := map[string]string{
		"machinable.yaml": "components:\n  - train:\n      lr: 0.01\n      depth: 4\n      epochs: 9\n",
		"train.star": `def on_execute_iteration(self, i):
    gap = math.log(self.config.lr, 10) + 2.5
    self.record["val_loss"] = gap * gap + 0.05 * abs(self.config.depth - 4) + 1.0 / (i + 1)
    if i + 1 >= self.config.epochs:
        return StopIteration
`,
		"search.star": `space = {"lr": tune.loguniform(1e-4, 1e-1), "depth": tune.choice([2, 4, 8])}
result = execute(
    Experiment().component("train", space).tune(
        num_samples=9, metric="val_loss", mode="min",
        scheduler=tune.asha(max_t=9, grace_period=1, reduction_factor=3)),
    storage="./results", seed=42)
print("ok", result.ok, "stopped", result.stopped.count(), "failed", result.failed.count())
print("best", result.best("val_loss").id, result.best("val_loss").status)
print("stopped ids", ",".join(result.components.status("stopped").pluck("id")))
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, code := runMain(t, dir, "run", "search.star")
	sum := regexp.MustCompile(`Experiment (\w{6}): (\d+) finished, (\d+) stopped, 0 failed in `).FindStringSubmatch(out)
	if code != 0 || sum == nil || sum[3] == "0" {
		t.Fatalf("run: exit %d (want 0), no summary counting stopped trials\n%s%s", code, out, stderr)
	}
	exp, finished, stopped := sum[1], sum[2], sum[3]
	if !strings.Contains(out, "ok True stopped "+stopped+" failed 0\n") {
		t.Errorf("the script's counts differ from the summary's %s stopped:\n%s", stopped, out)
	}
	best := regexp.MustCompile(`(?m)^best (\w{12}) (\w+)$`).FindStringSubmatch(out)
	ids := regexp.MustCompile(`(?m)^stopped ids (\S+)$`).FindStringSubmatch(out)
	if best == nil || ids == nil {
		t.Fatalf("script output:\n%s", out)
	}

	// show --sort ranks by the last val_loss: the script's best() first.
	out, stderr, code = runMain(t, dir, "show", exp, "--sort", "val_loss")
	rows := rowIDs(out)
	if code != 0 || len(rows) != 9 || rows[0] != best[1] {
		t.Errorf("show --sort val_loss: exit %d, first %v, want best() %s\n%s%s", code, rows, best[1], out, stderr)
	}
	if !strings.Contains(out, "Components  9: "+finished+" finished, "+stopped+" stopped, 0 running") {
		t.Errorf("show counts:\n%s", out)
	}
	for _, id := range strings.Split(ids[1], ",") {
		if !regexp.MustCompile(`(?m)^` + id + `  train +stopped  `).MatchString(out) {
			t.Errorf("%s not shown stopped:\n%s", id, out)
		}
	}
	out, _, code = runMain(t, dir, "ls")
	if code != 0 || !regexp.MustCompile(`(?m)^`+exp+` +\S+ \S+ +- +9 +`+finished+` +`+stopped+` +0 +0 `).MatchString(out) {
		t.Errorf("ls:\n%s", out)
	}
	out, _, code = runMain(t, dir, "status", exp)
	if code != 0 || !strings.Contains(out, finished+" finished, "+stopped+" stopped, 0 running") {
		t.Errorf("status:\n%s", out)
	}
	// Running the search again resumes it: nothing runs, exit 0.
	out, stderr, code = runMain(t, dir, "run", "search.star")
	if code != 0 || !strings.Contains(out, ": "+finished+" finished, "+stopped+" stopped, 0 failed in ") {
		t.Errorf("again: exit %d\n%s%s", code, out, stderr)
	}
}
