package dsl_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/machinable-go/machinable/dsl"
	"github.com/machinable-go/machinable/internal/s3test"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarktest"
)

// readScript runs src with the assert module, failing the test on any
// error or failed assertion.
func readScript(t *testing.T, src string) {
	t.Helper()
	opts := newOptions(t, nil)
	assertModule, err := starlarktest.LoadAssertModule()
	if err != nil {
		t.Fatal(err)
	}
	opts.Predeclared = assertModule
	opts.ThreadHook = func(th *starlark.Thread) { starlarktest.SetReporter(th, t) }
	if _, err := dsl.ExecFile(context.Background(), filepath.Join(opts.Project, "reading.star"), src, opts); err != nil {
		t.Fatal(dsl.ErrorText(err))
	}
}

// TestReadingOnS3: the finders, the attributes that read files and the
// collection methods work on an object store as on disk (records and
// logs there are stored in parts).
func TestReadingOnS3(t *testing.T) {
	srv := s3test.Start(t, "bucket")
	url := srv.URL("bucket/runs")
	readScript(t, `
url = "`+url+`"
run = execute(Experiment().component("trainer", [{"lr": 0.1}, {"lr": 0.3}]).directory("sweeps"), storage=url, seed=5)
assert.true(run.ok)
st = Storage(url)
assert.eq(st.find_all().pluck("id"), [run.experiment_id])
assert.eq(st.find_many(["OY1p1o", run.experiment_id])[1].id, run.experiment_id)
assert.eq(st.find_by_directory("sweeps").count(), 1)
assert.eq(st.find_by_directory("").count(), 0)
exp = st.find(run.experiment_id)
assert.true(exp.url.startswith("s3://bucket/runs/sweeps/" + run.experiment_id))
assert.true(exp.host.pid > 0)
assert.true(exp.is_finished())
cs = exp.components
assert.eq(cs.status("finished").count(), 2)
c = cs.first()
assert.true(c.has_records("validation"))
assert.eq(c.get_records("default").pluck("epoch"), [0, 1, 2])
assert.eq(c.file("output.log"), "done 0.1\n")
assert.eq(c.file("component.json")["config"]["lr"], 0.1)
assert.eq(cs.section("epoch", lambda row: row[0] + row[1]), [0, 2, 4])
assert.eq(cs.map(lambda x: x.records.last()["epoch"]), [2, 2])
assert.eq(json.decode(cs.as_json())[1]["config"]["lr"], 0.3)
`)
}

// TestReadingDataAndFiles: data() lists and reads the files of a
// component's data/ directory (2.9), file() decodes .json and reads other
// files as text, on a storage on disk.
func TestReadingDataAndFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "results")
	readScript(t, `
run = execute(Experiment().component("trainer", {"lr": 0.1}), storage="`+dir+`", seed=6)
assert.true(run.ok)
c = Storage("`+dir+`").find(run.experiment_id).components.first()
assert.eq(c.data(), [])
`)
	// what self.storage.save_data writes
	matches, _ := filepath.Glob(filepath.Join(dir, "*", "*", "status.json"))
	if len(matches) != 1 {
		t.Fatalf("component directories: %v", matches)
	}
	data := filepath.Join(filepath.Dir(matches[0]), "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"stats.json": `{"mean": 0.5, "n": [1, 2]}`, "notes.txt": "hello\n", "broken.json": "{"}
	for n, content := range files {
		if err := os.WriteFile(filepath.Join(data, n), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	readScript(t, `
c = Storage("`+dir+`").find_all().components.first()
assert.eq(c.data(), ["broken.json", "notes.txt", "stats.json"])
assert.eq(c.data("stats.json"), {"mean": 0.5, "n": [1, 2]})
assert.eq(c.data("notes.txt"), "hello\n")
assert.eq(c.file("data/notes.txt"), "hello\n")
assert.eq(c.data("missing.json", default={}), {})
assert.fails(lambda: c.data("missing.json"), "no file")
assert.fails(lambda: c.data("broken.json"), "broken.json")
assert.fails(lambda: c.data("sub/x.json"), "invalid data name")
`)
}
