package cli

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/machinable-go/machinable/internal/treesnap"
	"github.com/machinable-go/machinable/storage"
)

var update = flag.Bool("update", false, "rewrite the golden files of the inspecting commands (go test ./internal/cli -run Golden -update)")

const quickstartExp = "8gWVkz"

var quickstartComps = []string{"e9DJBHuoiCvn", "XfOWPgKJCcuh", "9NTO7Rgg7Ag1"}

// ranQuickstart is a copy of the quickstart after `machinable run
// experiment.star` (seed 42: experiment 8gWVkz).
func ranQuickstart(t *testing.T) string {
	t.Helper()
	t.Setenv("MACHINABLE_STORAGE", "") // ./results of the copy
	dir := quickstart(t)
	if stdout, stderr, code := runMain(t, dir, "run", "experiment.star"); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	return dir
}

var (
	maskTime   = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?`)
	maskCommit = regexp.MustCompile(`(?m)\b[0-9a-f]{7}\*?$`)
	maskCode   = regexp.MustCompile(`(?m)^Code( +).*$`)
)

// mask replaces what differs between runs: times, the temporary
// directory, the code version. Times to the second or minute keep their
// width, so the columns of tables stay as they are.
// maskTimingJSON and maskTimingCSV mask the timing fields of record rows
// (_timestamp, _seconds_taken, ...), which follow the clock.
var (
	maskTimingJSON = regexp.MustCompile(`"(_timestamp|_seconds_taken|_total_seconds_taken|_time_taken|_total_time_taken)":("[^"]*"|[-+.0-9eE]+)`)
	maskTimingCSV  = regexp.MustCompile(`(?m),[-+.0-9eE]+,\d+,[^,\n]*,\d+,[^,\n]*$`)
)

func mask(s, dir string) string {
	s = strings.ReplaceAll(s, dir, "<DIR>")
	s = maskTimingJSON.ReplaceAllString(s, `"$1":"<T>"`)
	s = maskTimingCSV.ReplaceAllString(s, ",<TIMING>")
	s = maskTime.ReplaceAllStringFunc(s, func(tm string) string {
		if strings.ContainsAny(tm, ".T") { // RFC 3339 with nanoseconds: the length varies
			return "<TIME>"
		}
		return regexp.MustCompile(`\d`).ReplaceAllString(tm, "#") // same width: tables stay aligned
	})
	s = maskCode.ReplaceAllString(s, "Code$1<CODE>")
	return maskCommit.ReplaceAllString(s, "<COMMIT>")
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run Golden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./internal/cli -run Golden -update rewrites it)\n--- got:\n%s\n--- want:\n%s", name, got, want)
	}
}

// TestGoldenInspect runs ls, show and records on the quickstart's results
// and compares the masked output with testdata/golden; these and every
// other reading command, and a script querying with Storage(), must leave
// the storage as it was: bytes, modes and mtimes.
func TestGoldenInspect(t *testing.T) {
	wd, _ := os.Getwd()
	dir := ranQuickstart(t)
	time.Sleep(10 * time.Millisecond) // a write now would show in mtimes
	before, err := treesnap.Take(filepath.Join(dir, "results"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		file string
		args []string
	}{
		{"ls.txt", []string{"ls"}},
		{"show.txt", []string{"show", quickstartExp}},
		{"records.csv", []string{"records", quickstartExp, "--format", "csv"}},
		{"records_component.csv", []string{"records", quickstartExp + "/" + quickstartComps[1], "--csv"}},
		{"records.json", []string{"records", quickstartExp, "--format", "json"}},
		{"records_component.json", []string{"records", quickstartExp + "/" + quickstartComps[0], "--format", "json"}},
	}
	outs := map[string]string{}
	for _, tc := range cases {
		stdout, stderr, code := runMain(t, dir, tc.args...)
		if code != 0 || stderr != "" {
			t.Fatalf("%v: exit %d, stderr %q", tc.args, code, stderr)
		}
		outs[tc.file] = stdout
	}
	t.Chdir(wd) // golden files are relative to the package
	for _, tc := range cases {
		golden(t, tc.file, mask(outs[tc.file], dir))
	}
	ref := quickstartExp + "/" + quickstartComps[0]
	os.WriteFile(filepath.Join(dir, "query.star"), []byte(`s = Storage("./results")
for e in s.experiments:
    cs = e.components
    print(cs.as_table(), cs.group_by("config.learning_rate"), cs.where("status", "finished").count())
    for c in cs:
        print(c.records.pluck("loss"), c.records_in("nonexistent").count(), c.scopes, c.log, c.output,
              c.store("final.json"), c.is_alive(), c.is_finished(), c.config, c.flags)
`), 0o644)
	for _, args := range [][]string{{"config", ref}, {"config", ref, "--flags"}, {"log", ref}, {"log", ref, "--output"},
		{"log", ref, "--follow"}, {"status", quickstartExp}, {"records", ref, "--scope", "nonexistent"}, {"run", "query.star"}} {
		if stdout, stderr, code := runMain(t, dir, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	after, err := treesnap.Take(filepath.Join(dir, "results"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range before.Diff(after) {
		t.Errorf("a reading command wrote to the storage: %s", d)
	}

	// the JSON is valid, one array, and agrees with the CSV
	var rows []map[string]any
	if err := json.Unmarshal([]byte(outs["records.json"]), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 15 || rows[5]["component"] != quickstartComps[1] || rows[5]["_iteration"] != float64(0) {
		t.Errorf("records json: %d rows, row 5 %v", len(rows), rows[5])
	}
	if lines := strings.Split(strings.TrimSpace(outs["records.csv"]), "\n"); len(lines) != 16 || lines[0] != "component,loss,_time,_iteration,_timestamp,_seconds_taken,_time_taken,_total_seconds_taken,_total_time_taken" {
		t.Errorf("records csv: %d lines, header %q", len(lines), lines[0])
	}
}

func TestRecordsTableAndScopes(t *testing.T) {
	dir := ranQuickstart(t)
	stdout, stderr, code := runMain(t, dir, "records", quickstartExp+"/"+quickstartComps[0])
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if code != 0 || len(lines) != 6 || !regexp.MustCompile(`^loss +_time +_iteration$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^0\.9219551199509339 +\S+(Z|[+-]\d\d:\d\d) +0$`).MatchString(lines[1]) {
		t.Errorf("records table: exit %d\n%s%s", code, stdout, stderr)
	}
	// columns line up: every line has _iteration where the header has it
	col := strings.Index(lines[0], "_iteration")
	for _, l := range lines[1:] {
		if len(l) <= col || l[col-1] != ' ' || l[col] == ' ' {
			t.Errorf("misaligned: %q", l)
		}
	}
	stdout, _, code = runMain(t, dir, "records", quickstartExp)
	if n := strings.Count(stdout, "\n"); code != 0 || n != 16 || !strings.HasPrefix(stdout, "component ") {
		t.Errorf("records of all components: %d lines\n%s", n, stdout)
	}
	stdout, stderr, code = runMain(t, dir, "records", quickstartExp+"/"+quickstartComps[0], "--scope", "validation", "--format", "json")
	if code != 0 || stdout != "[]\n" || !strings.Contains(stderr, `has no rows in scope "validation" (scopes with rows: default)`) {
		t.Errorf("empty scope: exit %d %q %q", code, stdout, stderr)
	}
}

func TestConfigCommand(t *testing.T) {
	dir := ranQuickstart(t)
	stdout, stderr, code := runMain(t, dir, "config", quickstartExp+"/"+quickstartComps[0])
	want := "{\n  \"data\": {\n    \"name\": \"cifar10\"\n  },\n  \"iterations\": 5,\n  \"learning_rate\": 0.1\n}\n"
	if code != 0 || stdout != want {
		t.Errorf("config: exit %d %q %q", code, stdout, stderr)
	}
	stdout, _, code = runMain(t, dir, "config", quickstartExp+"/"+quickstartComps[2], "--flags", "--storage", filepath.Join(dir, "results"))
	var flags map[string]any
	if err := json.Unmarshal([]byte(stdout), &flags); err != nil || code != 0 {
		t.Fatalf("config --flags: %v %q", err, stdout)
	}
	if flags["SEED"] != float64(102001072) || flags["COMPONENT_ID"] != quickstartComps[2] || flags["REPEAT_NUMBER"] != float64(2) {
		t.Errorf("flags: %v", flags)
	}
}

func TestLogCommand(t *testing.T) {
	dir := ranQuickstart(t)
	ref := quickstartExp + "/" + quickstartComps[0]
	stdout, _, code := runMain(t, dir, "log", ref)
	if got := mask(stdout, dir); code != 0 || got != "<TIME> INFO training on cifar10 with lr 0.1\n<TIME> INFO training finished\n" {
		t.Errorf("log: exit %d %q", code, stdout)
	}
	stdout, _, code = runMain(t, dir, "log", ref, "--output")
	if code != 0 || stdout != "final loss 0.7536994556946446\n" {
		t.Errorf("log --output: exit %d %q", code, stdout)
	}
	// on a finished component --follow prints what there is and exits
	start := time.Now()
	stdout, _, code = runMain(t, dir, "log", ref, "--follow")
	if code != 0 || !strings.Contains(stdout, "training finished") || time.Since(start) > 2*time.Second {
		t.Errorf("log --follow on a finished component: exit %d after %v: %q", code, time.Since(start), stdout)
	}
}

// TestLogFollowRunning follows a component that is queued, then runs (in
// this process, so its pid is alive): the command waits for it to start,
// prints lines as they are appended, and ends once the status says
// finished.
func TestLogFollowRunning(t *testing.T) {
	dir := t.TempDir()
	st, _ := storage.Open(dir)
	exp, err := st.CreateExperiment("", "Follw1")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	exp.WriteJSON("execution.json", map[string]any{"experiment_id": "Follw1", "started_at": now})
	exp.WriteJSON("schedule.json", map[string]any{"components": []map[string]any{{"id": "c00000000001", "name": "x"}}})
	c, _ := exp.CreateComponent("c00000000001") // queued: no status yet
	running := storage.Status{Status: storage.StatusRunning, StartedAt: &now, HeartbeatAt: &now, Host: storage.Hostname(), PID: os.Getpid(), HeartbeatEvery: 10}
	log := c.AppendFile("log.txt")

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(400 * time.Millisecond)
		if err := c.WriteStatus(running); err != nil {
			t.Error(err)
		}
		log.Write([]byte("line 1\n"))
		for i := 2; i <= 4; i++ {
			time.Sleep(150 * time.Millisecond)
			log.Write([]byte("line " + string(rune('0'+i)) + "\n"))
		}
		end := time.Now()
		fin := running
		fin.Status, fin.FinishedAt = storage.StatusFinished, &end
		c.WriteStatus(fin)
	}()
	start := time.Now()
	stdout, stderr, code := runMain(t, t.TempDir(), "log", "Follw1/c00000000001", "--follow", "--storage", dir)
	wg.Wait()
	c.Close()
	if code != 0 || stdout != "line 1\nline 2\nline 3\nline 4\n" || stderr != "log: component c00000000001 is queued; waiting for it to run (Ctrl-C stops)\n" {
		t.Errorf("log --follow: exit %d %q %q", code, stdout, stderr)
	}
	if d := time.Since(start); d < 800*time.Millisecond || d > 5*time.Second {
		t.Errorf("log --follow took %v, want until the component finished", d)
	}
}

func TestInspectBadArguments(t *testing.T) {
	dir := ranQuickstart(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"records", "a/b/c"}, `records: expected ID or ID/COMPONENT, got "a/b/c"`},
		{[]string{"records", "8gWVkz/"}, `records: expected ID or ID/COMPONENT, got "8gWVkz/"`},
		{[]string{"config", "8gWVkz"}, `config: expected ID/COMPONENT, got "8gWVkz"`},
		{[]string{"log", "8gWVkz/.."}, `log: expected ID/COMPONENT, got "8gWVkz/.."`},
		{[]string{"show", "8gWVkz/e9DJBHuoiCvn"}, `show: expected an experiment ID, got "8gWVkz/e9DJBHuoiCvn"`},
		{[]string{"show", "toolongid"}, `invalid experiment ID "toolongid": expected 6 characters`},
		{[]string{"show", "AAAAAA"}, `experiment AAAAAA not found in storage ./results`},
		{[]string{"config", "8gWVkz/nope"}, `experiment 8gWVkz has no component "nope" (its components: e9DJBHuoiCvn, XfOWPgKJCcuh, 9NTO7Rgg7Ag1)`},
		{[]string{"records", "8gWVkz/e9DJBHuoiCvm"}, `did you mean e9DJBHuoiCvn?`},
		{[]string{"log", "8gWVkz/XfOWPgKJCcuX"}, `did you mean XfOWPgKJCcuh?`},
		{[]string{"records", "8gWVkz", "--format", "xml"}, `records: --format "xml": expected table, csv or json`},
		{[]string{"records", "8gWVkz", "--scope", "../x"}, `record scope "../x": expected a plain name`},
		{[]string{"ls", filepath.Join(dir, "nowhere")}, `ls: storage ` + filepath.Join(dir, "nowhere") + `: no such directory`},
		{[]string{"ls", "a", "b"}, `ls: expected at most one argument, a storage URL, got 2; usage: machinable ls [STORAGE]`},
		{[]string{"config"}, `config: expected an experiment ID and component, ID/COMPONENT, got 0 argument(s); usage: machinable config ID/COMPONENT`},
		{[]string{"run"}, `run: expected a script file (FILE.star), got 0 argument(s); usage: machinable run FILE.star`},
		{[]string{"show", "a", "b"}, `show: expected an experiment ID, got 2 argument(s); usage: machinable show ID`},
	}
	for _, tc := range cases {
		stdout, stderr, code := runMain(t, dir, tc.args...)
		if code != ExitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q (stdout %q)", tc.args, code, stderr, tc.want, stdout)
		}
	}
	// no storage at all
	t.Setenv("MACHINABLE_STORAGE", "")
	_, stderr, code := runMain(t, t.TempDir(), "ls")
	if code != ExitError || !strings.Contains(stderr, "no storage given") {
		t.Errorf("ls without storage: %d %q", code, stderr)
	}
	// an empty storage is no error
	t.Setenv("MACHINABLE_STORAGE", t.TempDir())
	stdout, _, code := runMain(t, t.TempDir(), "ls")
	if code != 0 || !strings.HasPrefix(stdout, "No experiments in storage ") {
		t.Errorf("ls of an empty storage: %d %q", code, stdout)
	}
}

// TestLsStaleAndDirectories: a component marked running whose process is
// gone is not counted as running, and a note names it.
func TestLsStaleAndDirectories(t *testing.T) {
	dir := t.TempDir()
	st, _ := storage.Open(dir)
	exp, err := st.CreateExperiment("sweeps/lr", "Stale1")
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now().Add(-time.Hour)
	exp.WriteJSON("execution.json", map[string]any{"experiment_id": "Stale1", "directory": "sweeps/lr", "started_at": started,
		"code_version": map[string]any{"git": true, "commit": "0123456789abcdef", "dirty": true}})
	exp.WriteJSON("schedule.json", map[string]any{"components": []map[string]any{
		{"id": "c00000000001", "name": "x", "config": map[string]any{"lr": 0.1, "_seed": 1}},
		{"id": "c00000000002", "name": "x", "config": map[string]any{"lr": 0.2, "_seed": 2}},
		{"id": "c00000000003", "name": "x", "config": map[string]any{"lr": 0.3}},
	}})
	c, _ := exp.CreateComponent("c00000000001")
	c.WriteStatus(storage.Status{Status: storage.StatusRunning, StartedAt: &started, HeartbeatAt: &started, Host: "elsewhere", PID: 1, HeartbeatEvery: 10})
	c, _ = exp.CreateComponent("c00000000002")
	c.WriteStatus(storage.Status{Status: storage.StatusFinished, StartedAt: &started, FinishedAt: &started})

	stdout, stderr, code := runMain(t, dir, "ls", ".")
	if code != 0 {
		t.Fatalf("ls: %d %s", code, stderr)
	}
	if !regexp.MustCompile(`(?m)^Stale1 +\S+ \S+ +sweeps/lr +3 +1 +0 +0 +0123456\*$`).MatchString(stdout) ||
		!strings.Contains(stdout, "Stale1: 1 stale component(s)") {
		t.Errorf("ls:\n%s", stdout)
	}
	stdout, _, code = runMain(t, dir, "show", "Stale1", "--storage", ".")
	for _, want := range []string{
		"Code        0123456* (uncommitted changes)",
		"Components  3: 1 finished, 0 running, 0 failed, 0 interrupted, 1 stale, 1 queued",
		"c00000000001  x     stale     lr=0.1", "c00000000003  x     queued    lr=0.3",
	} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("show: no %q in\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "_seed") {
		t.Errorf("show: keys starting with _ should be hidden:\n%s", stdout)
	}
}
