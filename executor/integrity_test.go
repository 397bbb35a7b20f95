package executor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/internal/s3test"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
	"github.com/spf13/afero"
)

// counting registers "counted", a component that counts how often each
// component ID runs and takes a moment doing it.
func counting(pause time.Duration) (*runtime.Registry, func() map[string]int) {
	var mu sync.Mutex
	runs := map[string]int{}
	reg := runtime.NewRegistry()
	reg.Register("counted", runtime.GoComponent{runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
		mu.Lock()
		runs[self.ID]++
		mu.Unlock()
		self.Record.Set("x", int64(1))
		if err := self.Record.Save(); err != nil {
			return nil, err
		}
		time.Sleep(pause)
		return nil, nil
	}})
	return reg, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]int{}
		for k, v := range runs {
			out[k] = v
		}
		return out
	}
}

// checkExactlyOnce: every component of the schedule ran once and its
// stored status says finished; no attempt was archived (nothing ran
// twice, nothing was moved away from a process running it).
func checkExactlyOnce(t *testing.T, round int, exp *storage.Experiment, ex *runtime.Execution, runs map[string]int) {
	t.Helper()
	for _, sc := range ex.Schedule {
		if runs[sc.ID] != 1 {
			t.Errorf("round %d: component %s ran %d times", round, sc.ID, runs[sc.ID])
		}
		st, err := exp.ComponentStatus(sc.ID)
		if err != nil || st.Status != storage.StatusFinished {
			t.Errorf("round %d: component %s: status %+v %v", round, sc.ID, st, err)
		}
	}
	for _, name := range []string{"execution.json", "schedule.jsonl", "host.json"} {
		if !exp.HasFile(name) {
			t.Errorf("round %d: %s is gone", round, name)
		}
	}
}

// concurrentExecutes runs n Executes of one seed into one storage at
// once, each with its own engine; every one must succeed.
func concurrentExecutes(t *testing.T, round int, reg *runtime.Registry, req runtime.ExecuteRequest, engines []string) (*storage.Experiment, *runtime.Execution) {
	t.Helper()
	results := make([]*runtime.Result, len(engines))
	errs := make([]error, len(engines))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, engine := range engines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := req
			r.Engine = engine
			<-start
			results[i], errs[i] = executor.New(reg, nil).Execute(context.Background(), r)
		}()
	}
	close(start)
	wg.Wait()
	var exp *storage.Experiment
	var ex *runtime.Execution
	for i := range engines {
		if errs[i] != nil {
			t.Fatalf("round %d: execute %d (%s): %v", round, i, engines[i], errs[i])
		}
		if f := results[i].Failed(); len(f) > 0 {
			t.Errorf("round %d: execute %d reports %s failed: %s", round, i, f[0].Component.ID, f[0].Error)
		}
		exp, ex = results[i].Experiment, results[i].Execution
	}
	return exp, ex
}

// TestIntegrityConcurrentExecute: several executions of one seed into
// one local storage at once (goroutines of one process, with a code
// backup so code.zip is raced for too) end with every component run
// exactly once, all executions successful and nothing of the experiment
// removed. Before execution.json was claimed, the loser of the code.zip
// race removed the whole experiment directory.
func TestIntegrityConcurrentExecute(t *testing.T) {
	project := gitProject(t)
	for round := range 12 {
		reg, runs := counting(2 * time.Millisecond)
		req := runtime.ExecuteRequest{
			Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "counted"}).Repeat(6, ""),
			Storage: filepath.Join(t.TempDir(), "results"), Project: project, Seed: int64(round + 1),
		}
		exp, ex := concurrentExecutes(t, round, reg, req, []string{"native", "native:2", "native:3"})
		checkExactlyOnce(t, round, exp, ex, runs())
		if !exp.HasFile("code.zip") {
			t.Errorf("round %d: code.zip is gone", round)
		}
		if t.Failed() {
			return
		}
	}
}

// TestIntegrityConcurrentExecuteS3: the same on S3. Before, two runs of
// one seed both failed (stat …/execution.json: file does not exist,
// write …/code.zip: file already exists).
func TestIntegrityConcurrentExecuteS3(t *testing.T) {
	srv := s3test.Start(t, "bucket")
	project := gitProject(t)
	for round := range 6 {
		reg, runs := counting(2 * time.Millisecond)
		req := runtime.ExecuteRequest{
			Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "counted"}).Repeat(4, ""),
			Storage: srv.URL(fmt.Sprintf("bucket/r%d", round)), Project: project, Seed: int64(round + 1),
		}
		exp, ex := concurrentExecutes(t, round, reg, req, []string{"native", "native:2", "native:2"})
		checkExactlyOnce(t, round, exp, ex, runs())
		if !exp.HasFile("code.zip") {
			t.Errorf("round %d: code.zip is gone", round)
		}
		if t.Failed() {
			return
		}
	}
}

// TestIntegrityConcurrentResume: resumes of one experiment at once, after
// a run in which half the components failed, run each failed component
// exactly once more and keep each failed attempt once.
func TestIntegrityConcurrentResume(t *testing.T) {
	for _, kind := range []string{"local", "s3"} {
		t.Run(kind, func(t *testing.T) {
			url := filepath.Join(t.TempDir(), "results")
			if kind == "s3" {
				url = s3test.Start(t, "bucket").URL("bucket/runs")
			}
			var mu sync.Mutex
			runs := map[string]int{}
			reg := runtime.NewRegistry()
			reg.Register("flaky", runtime.GoComponent{runtime.OnExecute: func(ctx context.Context, self *runtime.Self, args ...any) (any, error) {
				mu.Lock()
				runs[self.ID]++
				n := runs[self.ID]
				mu.Unlock()
				if n == 1 && self.Flags["REPEAT_NUMBER"].(int64)%2 == 0 {
					return nil, errors.New("first attempt fails")
				}
				time.Sleep(2 * time.Millisecond)
				return nil, nil
			}})
			req := runtime.ExecuteRequest{
				Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "flaky"}).Repeat(8, ""),
				Storage: url, Seed: int64(11), CodeBackup: false,
			}
			first, err := executor.New(reg, nil).Execute(context.Background(), req)
			if err != nil || first.Counts().Failed != 4 {
				t.Fatalf("first run: %v %+v", err, first.Counts())
			}
			var wg sync.WaitGroup
			for i := range 4 {
				wg.Go(func() {
					var err error
					if i%2 == 0 {
						_, err = executor.New(reg, nil).Resume(context.Background(), first.Experiment, "native:2", false)
					} else {
						_, err = executor.New(reg, nil).Execute(context.Background(), req)
					}
					if err != nil {
						t.Errorf("resume %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			exp := first.Experiment
			for _, sc := range first.Execution.Schedule {
				want := 1
				if sc.Flags["REPEAT_NUMBER"].(int64)%2 == 0 {
					want = 2
				}
				if runs[sc.ID] != want {
					t.Errorf("%s ran %d times, want %d", sc.ID, runs[sc.ID], want)
				}
				if st, _ := exp.ComponentStatus(sc.ID); st.Status != storage.StatusFinished {
					t.Errorf("%s: %s", sc.ID, st.Status)
				}
				var kept []string
				for n := 1; n <= 4; n++ {
					if data, err := exp.ReadFile(filepath.Join(sc.ID, "attempts", fmt.Sprint(n), "status.json")); err == nil {
						kept = append(kept, string(data))
					}
				}
				if len(kept) != want-1 || (want == 2 && !strings.Contains(kept[0], "first attempt fails")) {
					t.Errorf("%s: attempts kept %q", sc.ID, kept)
				}
			}
		})
	}
}

// TestIntegrityCorruptFilesRecovered: a 0-byte status.json (a full disk,
// or kill -9 while an older release wrote it) is an interrupted attempt:
// resume runs the component again and keeps the file under
// attempts/1/. A 0-byte schedule.json is rebuilt from execution.json's
// plan and kept aside; without a way to rebuild it, the error names the
// file. A 0-byte execution.json is rebuilt by running the plan again,
// when schedule.json shows it is the same plan. Before, every later run
// or status failed with "decode …: EOF".
func TestIntegrityCorruptFilesRecovered(t *testing.T) {
	for _, kind := range []string{"local", "s3"} {
		t.Run(kind, func(t *testing.T) {
			url := filepath.Join(t.TempDir(), "results")
			if kind == "s3" {
				url = s3test.Start(t, "bucket").URL("bucket/runs")
			}
			reg, runs := counting(0)
			req := runtime.ExecuteRequest{
				Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "counted"}).Repeat(3, ""),
				Storage: url, Seed: int64(21), CodeBackup: false,
			}
			first, err := executor.New(reg, nil).Execute(context.Background(), req)
			if err != nil || !first.OK() {
				t.Fatal(err)
			}
			exp, sched := first.Experiment, first.Execution.Schedule
			st := exp.Storage()
			victim := sched[1].ID
			truncate := func(name string) {
				p := filepath.Join(exp.Path, name)
				if err := st.Fs.Remove(p); err != nil {
					t.Fatal(err)
				}
				f, err := st.Fs.Create(p)
				if err != nil {
					t.Fatal(err)
				}
				f.Close()
			}
			truncate(filepath.Join(victim, "status.json"))
			// A line that is no component (an empty or torn schedule.jsonl
			// is one still being written: stream_test.go).
			if err := afero.WriteFile(st.Fs, filepath.Join(exp.Path, "schedule.jsonl"), []byte("garbage\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			// The same damage empties the journal (on S3 there is none),
			// which would otherwise say the victim finished, and finished
			// is final (see TestResumeWithJournal).
			if exp.HasFile("journal.jsonl") {
				truncate("journal.jsonl")
			}

			// Without a registry to rebuild with, the error names the file.
			_, err = executor.LoadExecution(exp)
			if err == nil || !strings.Contains(err.Error(), "schedule.jsonl") || !strings.Contains(err.Error(), "truncated or corrupt") {
				t.Fatalf("LoadExecution: %v", err)
			}
			var console bytes.Buffer
			res, err := executor.New(reg, &console).Resume(context.Background(), exp, nil, false)
			if err != nil || !res.OK() {
				t.Fatalf("resume: %v\n%s", err, console.String())
			}
			if !strings.Contains(console.String(), "schedule.jsonl did not decode (kept as schedule.jsonl.corrupt-") {
				t.Errorf("console does not say schedule.json was rebuilt:\n%s", console.String())
			}
			ex, err := executor.LoadExecution(exp)
			if err != nil || len(ex.Schedule) != 3 || ex.Schedule[1].ID != victim {
				t.Fatalf("rebuilt schedule: %v", err)
			}
			got := runs()
			if got[victim] != 2 || got[sched[0].ID] != 1 || got[sched[2].ID] != 1 {
				t.Errorf("runs %v: the unreadable component runs again, the others not", got)
			}
			if data, err := exp.ReadFile(filepath.Join(victim, "attempts", "1", "status.json")); err != nil || len(data) != 0 {
				t.Errorf("unreadable status.json not kept under attempts/1: %q %v", data, err)
			}

			// execution.json: resume has nothing to rebuild it from and
			// says so; running the plan again rebuilds it, since
			// schedule.json shows it is the same plan.
			truncate("execution.json")
			_, err = executor.New(reg, nil).Resume(context.Background(), exp, nil, false)
			if err == nil || !strings.Contains(err.Error(), "execution.json") || !strings.Contains(err.Error(), "running the same plan with the same seed again writes it anew") {
				t.Errorf("resume with an empty execution.json: %v", err)
			}
			console.Reset()
			again, err := executor.New(reg, &console).Execute(context.Background(), req)
			if err != nil || !again.OK() || again.Counts().Previous != 3 {
				t.Fatalf("run again: %v\n%s", err, console.String())
			}
			if !strings.Contains(console.String(), "execution.json did not decode (kept as execution.json.corrupt-") {
				t.Errorf("console does not say execution.json was rebuilt:\n%s", console.String())
			}
			if _, err := executor.LoadExecution(exp); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestIntegrityInvalidIDInSchedule: a component ID such as ../../../X in
// schedule.json is refused, naming the file; resume writes nothing
// outside the storage.
func TestIntegrityInvalidIDInSchedule(t *testing.T) {
	base := t.TempDir()
	url := filepath.Join(base, "a", "b", "results")
	reg, _ := counting(0)
	req := runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "counted"}),
		Storage: url, Seed: int64(31), CodeBackup: false,
	}
	first, err := executor.New(reg, nil).Execute(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	exp := first.Experiment
	p := filepath.Join(exp.Path, "schedule.jsonl")
	data, _ := os.ReadFile(p)
	id := first.Execution.Schedule[0].ID
	os.WriteFile(p, bytes.ReplaceAll(data, []byte(`"`+id+`"`), []byte(`"../../../X"`)), 0o644)
	os.Remove(filepath.Join(exp.Path, id, "status.json")) // so that it would run again
	_, err = executor.New(reg, nil).Resume(context.Background(), exp, nil, false)
	if err == nil || !strings.Contains(err.Error(), "schedule.jsonl") || !strings.Contains(err.Error(), `invalid component ID "../../../X"`) {
		t.Errorf("resume: %v", err)
	}
	if _, err := os.Stat(filepath.Join(base, "a", "X")); err == nil {
		t.Error("resume wrote outside the storage")
	}
}

// wipe deletes every object of the storage (an S3 server that restarted
// empty).
func wipe(t *testing.T, url string) {
	t.Helper()
	st, err := storage.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Fs.RemoveAll(st.Root); err != nil {
		t.Fatal(err)
	}
}

// TestIntegrityS3LostObjects: an S3 server that loses every object in the
// middle of a run: the run says what is missing and writes the
// experiment's files again; the components whose files were lost are
// reported failed, and running the plan again runs exactly those. Then a
// loss between runs of execution.json and schedule.json only: running the
// plan again rebuilds them and keeps what finished. Before, run said the
// experiment exists while status said not found.
func TestIntegrityS3LostObjects(t *testing.T) {
	srv := s3test.Start(t, "bucket")
	url := srv.URL("bucket/runs", "flush=10ms")
	reg, runs := counting(30 * time.Millisecond)
	req := runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "counted"}).Repeat(6, ""),
		Storage: url, Seed: int64(41), CodeBackup: false,
	}
	var console bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		// wipe while the third component runs
		for len(runs()) < 3 {
			time.Sleep(2 * time.Millisecond)
		}
		wipe(t, url)
	}()
	res, err := executor.New(reg, &console).Execute(context.Background(), req)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(console.String(), "the storage lost execution.json and schedule.jsonl of experiment") {
		t.Errorf("the run does not say what was lost:\n%s", console.String())
	}
	lost := res.Counts().Failed
	if lost < 2 || lost > 3 {
		t.Errorf("%d components reported failed, want the 2 or 3 that ran before the loss: %+v", lost, res.Counts())
	}
	st, _ := storage.Open(url)
	view, err := st.Experiment(res.Execution.ExperimentID)
	if err != nil {
		t.Fatalf("status after the run: %v", err)
	}
	if _, err := view.Statuses(); err != nil {
		t.Fatal(err)
	}
	again, err := executor.New(reg, nil).Execute(context.Background(), req)
	if err != nil || !again.OK() || !again.Resumed {
		t.Fatalf("run again: %v %+v", err, again.Counts())
	}
	for _, sc := range res.Execution.Schedule {
		if st, _ := again.Experiment.ComponentStatus(sc.ID); st.Status != storage.StatusFinished {
			t.Errorf("%s: %s", sc.ID, st.Status)
		}
	}

	// Between runs: execution.json and schedule.json lost, the rest kept.
	before := runs()
	for _, name := range []string{"execution.json", "schedule.jsonl"} {
		if err := st.Fs.Remove(filepath.Join(again.Experiment.Path, name)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.FindExperiment(res.Execution.ExperimentID); err == nil || !strings.Contains(err.Error(), "has no execution.json (it holds 6 component directories") {
		t.Errorf("status of the damaged experiment: %v", err)
	}
	console.Reset()
	third, err := executor.New(reg, &console).Execute(context.Background(), req)
	if err != nil || !third.OK() || third.Counts().Previous != 6 {
		t.Fatalf("run after the loss: %v %+v\n%s", err, third.Counts(), console.String())
	}
	if !strings.Contains(console.String(), "had no execution.json but 6 component directories") {
		t.Errorf("the run does not say what it rebuilt:\n%s", console.String())
	}
	if after := runs(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("finished components ran again: %v, before %v", after, before)
	}
	if _, err := st.FindExperiment(res.Execution.ExperimentID); err != nil {
		t.Error(err)
	}
}
