package cli

import (
	"strings"
	"testing"

	"github.com/machinable-go/machinable/internal/s3test"
	"github.com/machinable-go/machinable/storage"
)

// TestQuickstartOnS3 runs the quickstart into an S3 bucket served over
// real HTTP, reads it back with the query API and the CLI, and checks the
// layout of SPEC §6 is there, code.zip included.
func TestQuickstartOnS3(t *testing.T) {
	srv := s3test.Start(t, "results")
	url := srv.URL("results/team/sweeps")
	dir := quickstart(t)
	stdout, stderr, code := runMain(t, dir, "run", "experiment.star", "--storage", url)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "storage s3://results/team/sweeps/8gWVkz") {
		t.Errorf("first line should name the S3 location:\n%s", stdout)
	}
	objects := srv.Objects(t, "results")
	for _, key := range []string{"team/sweeps/8gWVkz/execution.json", "team/sweeps/8gWVkz/schedule.jsonl",
		"team/sweeps/8gWVkz/code.zip", "team/sweeps/8gWVkz/e9DJBHuoiCvn/status.json",
		"team/sweeps/8gWVkz/e9DJBHuoiCvn/store/final.json"} {
		if _, ok := objects[key]; !ok {
			t.Errorf("missing object %s", key)
		}
	}
	st, err := storage.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.Experiment("8gWVkz")
	if err != nil {
		t.Fatal(err)
	}
	comps, err := exp.Components()
	if err != nil || len(comps) != 3 {
		t.Fatalf("components: %v %d", err, len(comps))
	}
	rows, err := comps[0].AllRecords("default")
	if err != nil || len(rows) != 5 {
		t.Errorf("records on S3: %d rows, %v", len(rows), err)
	}
	if s, _ := comps[0].Status(); s.Status != storage.StatusFinished {
		t.Errorf("status %+v", s)
	}
	if out, _ := comps[0].File("output.log"); !strings.HasPrefix(out, "final loss") {
		t.Errorf("output.log %q", out)
	}
	stdout, stderr, code = runMain(t, dir, "ls", url)
	if code != 0 || !strings.Contains(stdout, "8gWVkz") {
		t.Errorf("ls: %d\n%s%s", code, stdout, stderr)
	}
	stdout, _, code = runMain(t, dir, "records", "8gWVkz/e9DJBHuoiCvn", "--storage", url, "--format", "csv")
	if code != 0 || strings.Count(stdout, "\n") != 6 {
		t.Errorf("records: %d\n%s", code, stdout)
	}
	// resume on S3: everything finished, nothing changes
	before := srv.Objects(t, "results")
	stdout, _, code = runMain(t, dir, "run", "experiment.star", "--storage", url)
	if code != 0 || !strings.Contains(stdout, "Resuming: 3 finished earlier") {
		t.Errorf("resume: %d\n%s", code, stdout)
	}
	after := srv.Objects(t, "results")
	for k, v := range before {
		if string(after[k]) != string(v) {
			t.Errorf("%s changed on resume", k)
		}
	}
}

// TestProcessEngineOnS3: workers in other processes find the experiment
// through its s3:// URL and write into the bucket.
func TestProcessEngineOnS3(t *testing.T) {
	srv := s3test.Start(t, "results")
	t.Setenv("MACHINABLE_BINARY", binary(t))
	url := srv.URL("results/proc")
	dir := quickstart(t)
	stdout, stderr, code := runMain(t, dir, "run", "experiment.star", "--storage", url, "--engine", "process:2")
	if code != 0 || !strings.Contains(stdout, "3 finished, 0 failed") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, ok := srv.Objects(t, "results")["proc/8gWVkz/9NTO7Rgg7Ag1/store/final.json"]; !ok {
		t.Error("the worker's results are not in the bucket")
	}
}
