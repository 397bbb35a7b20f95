package executor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/internal/s3test"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// rowsComponent saves n rows, one every pause, calling during(i) between.
func rowsComponent(n int, pause time.Duration, during func(i int)) runtime.GoComponent {
	return runtime.GoComponent{runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
		for i := 0; i < n; i++ {
			self.Record.Set("i", int64(i))
			if err := self.Record.Save(); err != nil {
				return nil, err
			}
			fmt.Fprintf(self.Output, "row %d\n", i)
			if during != nil {
				during(i)
			}
			time.Sleep(pause)
		}
		return nil, nil
	}}
}

func readRows(t *testing.T, url, id string) []map[string]any {
	t.Helper()
	st, err := storage.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.Experiment(id)
	if err != nil {
		t.Fatal(err)
	}
	comps, err := exp.Components()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := comps[0].AllRecords("default")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestS3ServerRestartLosesNothing: the S3 server goes away mid-run and
// comes back within the retry window; every record row arrives.
func TestS3ServerRestartLosesNothing(t *testing.T) {
	srv := s3test.Start(t, "bucket")
	url := srv.URL("bucket/runs", "flush=50ms")
	reg := runtime.NewRegistry()
	reg.Register("rows", rowsComponent(60, 10*time.Millisecond, func(i int) {
		if i == 20 {
			srv.Stop()
			go func() { time.Sleep(700 * time.Millisecond); srv.Restart(t) }()
		}
	}))
	res, err := executor.New(reg, nil).Execute(context.Background(), runtime.ExecuteRequest{
		Plan: runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "rows"}), Storage: url, Seed: int64(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("component failed although the server came back: %s", res.Outcomes[0].Error)
	}
	rows := readRows(t, url, res.Execution.ExperimentID)
	if len(rows) != 60 {
		t.Fatalf("%d rows stored, want 60", len(rows))
	}
	for i, r := range rows {
		if r["i"] != int64(i) {
			t.Fatalf("row %d is %v: order or content lost", i, r["i"])
		}
	}
}

// TestS3ServerGone: a server that stays away past the retry window fails
// the component with an error naming the bucket and key; what was written
// before stays intact.
func TestS3ServerGone(t *testing.T) {
	srv := s3test.Start(t, "bucket")
	url := srv.URL("bucket/runs", "flush=20ms", "max_attempts=2", "max_backoff=50ms")
	reg := runtime.NewRegistry()
	reg.Register("rows", rowsComponent(100, 5*time.Millisecond, func(i int) {
		if i == 40 {
			// Let the first rows be flushed: rows wait up to 100 ms in the
			// component's buffer, then up to flush=20ms in the storage's.
			time.Sleep(300 * time.Millisecond)
			srv.Stop()
		}
	}))
	var console bytes.Buffer
	res, err := executor.New(reg, &console).Execute(context.Background(), runtime.ExecuteRequest{
		Plan: runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "rows"}), Storage: url, Seed: int64(2),
	})
	if err != nil {
		t.Fatal(err)
	}
	o := res.Outcomes[0]
	if o.Status != storage.StatusFailed {
		t.Fatalf("status %s", o.Status)
	}
	if !strings.Contains(o.Error, "write s3://bucket/runs/"+res.Execution.ExperimentID+"/") || !strings.Contains(o.Error, "/records/default.jsonl.parts/") {
		t.Errorf("error should name the bucket and the key: %s", o.Error)
	}
	srv.Restart(t)
	rows := readRows(t, url, res.Execution.ExperimentID)
	if len(rows) < 40 {
		t.Fatalf("only %d rows kept; the rows flushed before the outage must stay", len(rows))
	}
	for i, r := range rows {
		if r["i"] != int64(i) {
			t.Fatalf("row %d is %v", i, r["i"])
		}
	}
}

// TestS3CrashResume: a component left "running" by a crashed process
// (its pid is gone) is run again on resume; its earlier attempt moves to
// attempts/1/ on the bucket; finished components stay byte for byte.
func TestS3CrashResume(t *testing.T) {
	srv := s3test.Start(t, "bucket")
	url := srv.URL("bucket/runs")
	reg := runtime.NewRegistry()
	reg.Register("rows", rowsComponent(3, 0, nil))
	req := runtime.ExecuteRequest{
		Plan: runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "rows"}).Repeat(3, ""), Storage: url, Seed: int64(42),
	}
	res, err := executor.New(reg, nil).Execute(context.Background(), req)
	if err != nil || !res.OK() {
		t.Fatal(err)
	}
	// Simulate a crash of the third component: status running, dead pid.
	victim := res.Execution.Schedule[2].ID
	key := "runs/8gWVkz/" + victim + "/status.json"
	st, _ := storage.Open(url)
	exp, _ := st.OpenExperiment("", "8gWVkz")
	comp, err := exp.OpenComponent(victim)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	host, _ := os.Hostname()
	if err := comp.WriteStatus(storage.Status{Status: storage.StatusRunning, StartedAt: &now, HeartbeatAt: &now, Host: host, PID: 1 << 22, HeartbeatEvery: 10}); err != nil {
		t.Fatal(err)
	}
	before := srv.Objects(t, "bucket")
	res2, err := executor.New(reg, nil).Execute(context.Background(), req)
	if err != nil || !res2.OK() || res2.Counts().Previous != 2 {
		t.Fatalf("resume: %v %+v", err, res2.Counts())
	}
	after := srv.Objects(t, "bucket")
	for k, v := range before {
		if strings.Contains(k, victim) {
			continue
		}
		if !bytes.Equal(after[k], v) {
			t.Errorf("%s changed by resume", k)
		}
	}
	var old storage.Status
	if err := json.Unmarshal(after["runs/8gWVkz/"+victim+"/attempts/1/status.json"], &old); err != nil || old.Status != storage.StatusRunning {
		t.Errorf("crashed attempt not kept under attempts/1: %v %+v", err, old)
	}
	var now2 storage.Status
	if err := json.Unmarshal(after[key], &now2); err != nil || now2.Status != storage.StatusFinished {
		t.Errorf("rerun status: %v %+v", err, now2)
	}
}

// TestS3NoSecrets: no credential appears in any stored object or in the
// console output, even for a failure.
func TestS3NoSecrets(t *testing.T) {
	srv := s3test.Start(t, "bucket")
	url := srv.URL("bucket/runs")
	reg := runtime.NewRegistry()
	reg.Register("rows", rowsComponent(5, 0, nil))
	reg.Register("fails", runtime.GoComponent{runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
		return nil, fmt.Errorf("failing on purpose")
	}})
	var console bytes.Buffer
	_, err := executor.New(reg, &console).Execute(context.Background(), runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "rows"}).Component(runtime.ComponentSpec{Name: "fails"}),
		Storage: url, Seed: int64(3),
	})
	if err != nil {
		t.Fatal(err)
	}
	// and an unreachable bucket's error message
	_, err = storage.Open(srv.URL("no-such-bucket", "max_attempts=1"))
	if err == nil || !strings.Contains(err.Error(), `cannot reach bucket "no-such-bucket" at http://`+srv.Addr) {
		t.Fatalf("opening a missing bucket: %v", err)
	}
	console.WriteString(err.Error())
	objects := srv.Objects(t, "bucket")
	if len(objects) < 8 { // lean storage: no empty files, no per-component host.json
		t.Fatalf("only %d objects", len(objects))
	}
	for _, secret := range []string{s3test.AccessKey, s3test.SecretKey, s3test.SessionToken} {
		for k, v := range objects {
			if bytes.Contains(v, []byte(secret)) || strings.Contains(k, secret) {
				t.Errorf("%s holds a credential", k)
			}
		}
		if strings.Contains(console.String(), secret) {
			t.Errorf("console output holds a credential:\n%s", console.String())
		}
	}
}
