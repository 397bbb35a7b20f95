package storage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/machinable-go/machinable/internal/treesnap"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// runQuickstart executes the quickstart's optimization component three
// times into a storage on disk and returns the result.
func runQuickstart(t *testing.T, url string, seed int64, directory string) *runtime.Result {
	t.Helper()
	project, err := filepath.Abs("../examples/quickstart")
	if err != nil {
		t.Fatal(err)
	}
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "optimization"}).Repeat(3, "")
	if directory != "" {
		if err := plan.SetDirectory(directory); err != nil {
			t.Fatal(err)
		}
	}
	reg := runtime.NewRegistry()
	dsl.Register(reg)
	res, err := executor.New(reg, nil).Execute(context.Background(), runtime.ExecuteRequest{
		Plan: plan, Storage: url, Project: project, Seed: seed, CodeBackup: false,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("execution failed: %+v", res.Failed())
	}
	return res
}

// queryStorage is a storage on disk with two experiments: seed 1 at the
// root, then seed 2 under sweeps/a.
func queryStorage(t *testing.T) (string, *runtime.Result, *runtime.Result) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "results")
	first := runQuickstart(t, dir, 1, "")
	time.Sleep(5 * time.Millisecond) // distinct started_at
	second := runQuickstart(t, dir, 2, "sweeps/a")
	return dir, first, second
}

func TestQueryExperimentsAndComponents(t *testing.T) {
	dir, first, second := queryStorage(t)
	st, err := storage.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	exps, err := st.Experiments()
	if err != nil {
		t.Fatal(err)
	}
	if len(exps) != 2 || exps[0].ID != second.Execution.ExperimentID || exps[1].ID != first.Execution.ExperimentID {
		t.Fatalf("experiments should be newest first: %v", exps)
	}
	if exps[0].Directory != "sweeps/a" || exps[1].Directory != "" {
		t.Errorf("directories: %q %q", exps[0].Directory, exps[1].Directory)
	}
	if exps[0].Seed != second.Execution.Seed || exps[0].Engine != "native" || exps[0].StartedAt.IsZero() || !strings.HasSuffix(exps[0].Path(), filepath.Join("sweeps", "a", exps[0].ID)) {
		t.Errorf("experiment view: %+v path %s", exps[0], exps[0].Path())
	}

	e, err := st.Experiment(first.Execution.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	comps, err := e.Components()
	if err != nil {
		t.Fatal(err)
	}
	if len(comps) != 3 {
		t.Fatalf("%d components", len(comps))
	}
	for i, c := range comps {
		if c.ID != first.Execution.Schedule[i].ID || c.Name != "optimization" {
			t.Errorf("component %d: %s %s, want schedule order", i, c.ID, c.Name)
		}
		if c.Config["iterations"] != int64(5) || c.Config["learning_rate"] != 0.1 || c.Flags["REPEAT_NUMBER"] != int64(i) {
			t.Errorf("config/flags of %s: %v %v", c.ID, c.Config, c.Flags)
		}
	}
	if _, err := e.Component("nope"); err == nil || !strings.Contains(err.Error(), `no component "nope"`) {
		t.Errorf("unknown component: %v", err)
	}
	if _, err := st.Experiment("AAAAAA"); err == nil || !strings.Contains(err.Error(), "AAAAAA not found") {
		t.Errorf("unknown experiment: %v", err)
	}

	sts, err := e.Statuses()
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sts {
		if s.Status != storage.StatusFinished || s.StartedAt == nil || s.FinishedAt == nil {
			t.Errorf("status %d: %+v", i, s)
		}
	}
	counts, err := e.Counts(time.Now())
	if err != nil || !reflect.DeepEqual(counts, map[string]int{"finished": 3}) {
		t.Errorf("counts %v %v", counts, err)
	}

	c := comps[0]
	if got := c.Scopes(); !reflect.DeepEqual(got, []string{"default"}) {
		t.Errorf("scopes %v", got)
	}
	rows, err := c.AllRecords("default")
	if err != nil || len(rows) != 5 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	for i, r := range rows {
		if r["_iteration"] != int64(i) || r["loss"] == nil || r["_time"] == nil {
			t.Errorf("row %d: %v", i, r)
		}
	}
	var streamed []map[string]any
	if err := c.Records("default", func(r map[string]any) bool { streamed = append(streamed, r); return len(streamed) < 2 }); err != nil {
		t.Fatal(err)
	}
	if len(streamed) != 2 || !reflect.DeepEqual(streamed, rows[:2]) {
		t.Errorf("early stop: %d rows", len(streamed))
	}
	if rows, err := c.AllRecords("validation"); err != nil || len(rows) != 0 {
		t.Errorf("missing scope: %v %v", rows, err)
	}
	if err := c.Records("../x", func(map[string]any) bool { return true }); err == nil {
		t.Error("scope escaping the records directory accepted")
	}

	v, err := c.Read("final.json")
	if err != nil {
		t.Fatal(err)
	}
	final, _ := v.(map[string]any)
	if final["loss"] != rows[4]["loss"] || final["seed"] != c.Flags["SEED"] {
		t.Errorf("final.json: %v", v)
	}
	if _, err := c.Read("nothing.json"); err == nil || !strings.Contains(err.Error(), "nothing stored") {
		t.Errorf("missing store value: %v", err)
	}
	if _, err := c.Read("../../execution.json"); err == nil {
		t.Error("store name escaping the component accepted")
	}
	logText, err := c.File("log.txt")
	if err != nil || !strings.Contains(logText, "INFO training on cifar10 with lr 0.1") || !strings.Contains(logText, "training finished") {
		t.Errorf("log.txt: %q %v", logText, err)
	}
	out, err := c.File("output.log")
	if err != nil || !strings.HasPrefix(out, "final loss ") {
		t.Errorf("output.log: %q %v", out, err)
	}
	if none, err := c.File("never.txt"); none != "" || err != nil {
		t.Errorf("missing file: %q %v", none, err)
	}
}

// A row being written right now (no newline yet) is skipped, not an
// error; a broken finished row is an error naming the line.
func TestQueryRecordsPartialLine(t *testing.T) {
	dir := t.TempDir()
	st, _ := storage.Open(dir)
	exp, err := st.CreateExperiment("", "Partl1")
	if err != nil {
		t.Fatal(err)
	}
	exp.WriteJSON("execution.json", map[string]any{"experiment_id": "Partl1", "started_at": time.Now()})
	exp.WriteJSON("schedule.json", map[string]any{"components": []map[string]any{{"id": "c00000000001", "name": "x"}}})
	c, _ := exp.CreateComponent("c00000000001")
	w, _ := c.Records("default")
	for i := 0; i < 3; i++ {
		if err := w.Append(map[string]any{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	p := filepath.Join(exp.Path, "c00000000001", "records", "default.jsonl")
	f, _ := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"i": 3, "half`)
	f.Close()

	v, _ := exp.View()
	cv, err := v.Component("c00000000001")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := cv.AllRecords("default")
	if err != nil || len(rows) != 3 || rows[2]["i"] != int64(2) {
		t.Errorf("partial last line: %v %v", rows, err)
	}

	f, _ = os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("\n")
	f.Close()
	if _, err := cv.AllRecords("default"); err == nil || !strings.Contains(err.Error(), `records "default" line 4`) {
		t.Errorf("broken row: %v", err)
	}
}

// TestQueryNeverWrites reads everything through the query API and checks
// that no file or directory changed, appeared or vanished (directory
// mtimes catch temporary files created and removed again).
func TestQueryNeverWrites(t *testing.T) {
	dir, first, _ := queryStorage(t)
	// a value in store.json too, and a second scope
	{
		st, _ := storage.Open(dir)
		exp, err := st.OpenExperiment("", first.Execution.ExperimentID)
		if err != nil {
			t.Fatal(err)
		}
		c, err := exp.OpenComponent(first.Execution.Schedule[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.StoreWrite("best", 0.5, false); err != nil {
			t.Fatal(err)
		}
		w, _ := c.Records("validation")
		w.Append(map[string]any{"acc": 0.9})
		c.Close()
	}
	time.Sleep(10 * time.Millisecond) // a write now would show in mtimes
	before, err := treesnap.Take(dir)
	if err != nil {
		t.Fatal(err)
	}

	st, err := storage.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	exps, err := st.Experiments()
	if err != nil {
		t.Fatal(err)
	}
	var rows, values, logs int
	for _, ev := range exps {
		e, err := st.Experiment(ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Statuses(); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Counts(time.Now()); err != nil {
			t.Fatal(err)
		}
		comps, err := e.Components()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range comps {
			if _, err := e.Component(c.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Status(); err != nil {
				t.Fatal(err)
			}
			for _, scope := range append(c.Scopes(), "nonexistent") {
				all, err := c.AllRecords(scope)
				if err != nil {
					t.Fatal(err)
				}
				rows += len(all)
				c.Records(scope, func(map[string]any) bool { return false })
			}
			compDir := filepath.Join(e.Path(), c.ID)
			var names []string
			filepath.WalkDir(filepath.Join(compDir, "store"), func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(filepath.Join(compDir, "store"), p)
					names = append(names, filepath.ToSlash(rel))
				}
				return nil
			})
			var keys map[string]any
			if b, err := os.ReadFile(filepath.Join(compDir, "store.json")); err == nil {
				if err := json.Unmarshal(b, &keys); err != nil {
					t.Fatal(err)
				}
			}
			for k := range keys {
				names = append(names, k)
			}
			names = append(names, "missing", "missing.json")
			sort.Strings(names)
			for _, n := range names {
				if _, err := c.Read(n); err == nil {
					values++
				}
			}
			for _, f := range []string{"log.txt", "output.log", "component.json", "host.json", "missing.txt"} {
				if s, err := c.File(f); err != nil {
					t.Fatal(err)
				} else if s != "" {
					logs++
				}
			}
		}
	}
	if _, err := st.Experiment("AAAAAA"); err == nil {
		t.Error("unknown experiment found")
	}
	// 2 experiments x 3 components x 5 rows, plus the validation row; a
	// final.json each plus "best"; 3 non-empty files each (host.json is
	// the experiment's: lean storage writes none per component).
	if rows != 31 || values != 7 || logs != 18 {
		t.Errorf("read %d rows, %d values, %d files; want 31, 7, 18", rows, values, logs)
	}

	after, err := treesnap.Take(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range before.Diff(after) {
		t.Error(d)
	}
}

// Stamp changes when a records file grows and is zero for a file never
// written; StoreFiles lists store/ recursively, without temporary files.
func TestComponentViewStampAndStoreFiles(t *testing.T) {
	dir, first, _ := queryStorage(t)
	st, err := storage.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, err := st.Experiment(first.Execution.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Plan == nil || e.Plan["components"] == nil {
		t.Fatalf("plan not read from execution.json: %v", e.Plan)
	}
	cs, err := e.Components()
	if err != nil {
		t.Fatal(err)
	}
	c := cs[0]
	before, err := c.Stamp("records/default.jsonl")
	if err != nil || before.Size == 0 || before.ModTime.IsZero() {
		t.Fatalf("stamp of the records = %+v, %v; want a size and a time", before, err)
	}
	none, err := c.Stamp("records/never.jsonl")
	if err != nil || none != (storage.FileStamp{}) {
		t.Fatalf("stamp of a file never written = %+v, %v; want zero", none, err)
	}
	if _, err := c.Stamp("../escape"); err == nil {
		t.Fatal("Stamp accepted a path leaving the component")
	}
	cdir := filepath.Join(e.Path(), c.ID)
	f, err := os.OpenFile(filepath.Join(cdir, "records", "default.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"loss": 0.5}` + "\n")
	f.Close()
	after, _ := c.Stamp("records/default.jsonl")
	if after.Size != before.Size+int64(len(`{"loss": 0.5}`+"\n")) {
		t.Fatalf("stamp after a row = %+v, before %+v", after, before)
	}
	os.MkdirAll(filepath.Join(cdir, "store", "ckpt", "5"), 0o755)
	os.WriteFile(filepath.Join(cdir, "store", "ckpt", "5", "state.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(cdir, "store", ".tmp-123"), []byte("x"), 0o644)
	if got, want := c.StoreFiles(), []string{"ckpt/5/state.json", "final.json"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("StoreFiles = %q, want %q", got, want)
	}
}

// An object store's URL is shown without its query, which may name an
// endpoint with options; a local one as given.
func TestDisplayURL(t *testing.T) {
	s3 := &storage.Storage{URL: "s3://bucket/runs?endpoint=http://minio:9000&region=x", Object: true}
	if got := s3.DisplayURL(); got != "s3://bucket/runs?…" {
		t.Errorf("DisplayURL = %q", got)
	}
	local := &storage.Storage{URL: "./results"}
	if got := local.DisplayURL(); got != "./results" {
		t.Errorf("DisplayURL = %q", got)
	}
}

// RecordLines hands over complete lines with their numbers: blank lines
// are skipped, a line longer than the read buffer comes whole, and a last
// line without newline (being written) is not handed over.
func TestRecordLines(t *testing.T) {
	dir, first, _ := queryStorage(t)
	st, _ := storage.Open(dir)
	e, err := st.Experiment(first.Execution.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := e.Components()
	long := `{"k":"` + strings.Repeat("x", 100000) + `"}`
	p := filepath.Join(e.Path(), cs[0].ID, "records", "raw.jsonl")
	if err := os.WriteFile(p, []byte("{\"a\":1}\n\n"+long+"\n{\"a\":"), 0o644); err != nil {
		t.Fatal(err)
	}
	var got []string
	err = cs[0].RecordLines("raw", func(n int, line []byte) bool {
		got = append(got, fmt.Sprintf("%d:%d", n, len(line)))
		return true
	})
	if want := []string{"1:8", "3:" + fmt.Sprint(len(long)+1)}; err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("lines %v, %v; want %v", got, err, want)
	}
	if err := cs[0].RecordLines("../x", func(int, []byte) bool { return true }); err == nil {
		t.Error("a scope leaving records/ was accepted")
	}
}

func TestCodeShort(t *testing.T) {
	for _, tc := range []struct {
		cv   map[string]any
		want string
	}{
		{nil, "-"},
		{map[string]any{"git": true, "commit": "0123456789abcdef"}, "0123456"},
		{map[string]any{"git": true, "commit": "0123456789abcdef", "dirty": true}, "0123456*"},
		{map[string]any{"git": true}, "(no commit)"},
	} {
		if got := storage.CodeShort(tc.cv); got != tc.want {
			t.Errorf("CodeShort(%v) = %q, want %q", tc.cv, got, tc.want)
		}
	}
}
