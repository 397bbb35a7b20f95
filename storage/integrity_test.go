package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/machinable-go/machinable/internal/s3test"
	"github.com/spf13/afero"
)

// fullFs is the local disk with room for only `room` more bytes: writes
// beyond fail with ENOSPC, as on a full disk.
type fullFs struct {
	afero.OsFs
	room atomic.Int64
}

type fullFile struct {
	afero.File
	fs *fullFs
}

func (f *fullFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	file, err := f.OsFs.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &fullFile{File: file, fs: f}, nil
}

func (f *fullFs) Create(name string) (afero.File, error) {
	return f.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

func (f *fullFs) Link(oldname, newname string) error { return os.Link(oldname, newname) }

func (f *fullFile) Write(p []byte) (int, error) {
	if f.fs.room.Add(-int64(len(p))) < 0 {
		return 0, &fs.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	return f.File.Write(p)
}

// TestIntegrityFullDisk: on a full disk, a file created once is not
// created at all (it was left empty: every later read failed with EOF),
// and a replaced file keeps its old content; no temporary file stays.
func TestIntegrityFullDisk(t *testing.T) {
	dir := t.TempDir()
	f := &fullFs{}
	f.room.Store(1 << 20)
	if err := writeJSON(f, filepath.Join(dir, "status.json"), Status{Status: StatusRunning}, true); err != nil {
		t.Fatal(err)
	}
	f.room.Store(10) // less than any of these files
	err := createFile(f, filepath.Join(dir, "schedule.json"), []byte(`{"components": []}`))
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "schedule.json") {
		t.Errorf("create on a full disk: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "schedule.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file created on a full disk exists (%v): readers would find it empty", err)
	}
	err = writeJSON(f, filepath.Join(dir, "status.json"), Status{Status: StatusFinished}, true)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("replace on a full disk: %v", err)
	}
	var st Status
	if err := readJSON(f, filepath.Join(dir, "status.json"), &st); err != nil || st.Status != StatusRunning {
		t.Errorf("status.json after a failed replace: %+v %v", st, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

// experimentWith stores an experiment of three components in a new
// local storage: the first finished, the second running, the third
// never started.
func experimentWith(t *testing.T) (*Storage, *Experiment, []string) {
	t.Helper()
	st, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.MakeExperiment("", "Abc123")
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"c00000000001", "c00000000002", "c00000000003"}
	comps := []map[string]any{}
	for _, id := range ids {
		comps = append(comps, map[string]any{"id": id, "name": "x", "config": map[string]any{}, "flags": map[string]any{}})
	}
	if err := exp.WriteJSON("execution.json", map[string]any{"experiment_id": "Abc123", "seed": 1}); err != nil {
		t.Fatal(err)
	}
	if err := exp.WriteJSON("schedule.json", map[string]any{"components": comps}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i, status := range []string{StatusFinished, StatusRunning} {
		c, err := exp.CreateComponent(ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := c.WriteStatus(Status{Status: status, StartedAt: &now, HeartbeatAt: &now, Host: Hostname(), PID: os.Getpid()}); err != nil {
			t.Fatal(err)
		}
	}
	return st, exp, ids
}

// TestIntegrityUnreadableStatus: one status.json left empty does not
// break reading the experiment: that component is "unreadable" with the
// file named, the others show their state; a resume keeps the file under
// attempts/1/ and can run the component again.
func TestIntegrityUnreadableStatus(t *testing.T) {
	st, exp, ids := experimentWith(t)
	p := filepath.Join(exp.Path, ids[0], "status.json")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	view, err := st.Experiment("Abc123")
	if err != nil {
		t.Fatal(err)
	}
	// The journal says it finished, and finished is final: its
	// status.json is not read. Without the journal (an experiment
	// written before journals, or one whose journal is behind) it is.
	if sts, err := view.Statuses(); err != nil || sts[0].Status != StatusFinished {
		t.Fatalf("with the journal: %+v %v", sts, err)
	}
	if err := os.Remove(filepath.Join(exp.Path, journalName)); err != nil {
		t.Fatal(err)
	}
	sts, err := view.Statuses()
	if err != nil {
		t.Fatalf("one empty status.json breaks the experiment: %v", err)
	}
	now := time.Now()
	if got := []string{sts[0].State(now), sts[1].State(now), sts[2].State(now)}; fmt.Sprint(got) != "[unreadable running queued]" {
		t.Errorf("states %v", got)
	}
	if !strings.Contains(sts[0].Error, p) {
		t.Errorf("the error does not name the file: %q", sts[0].Error)
	}
	if counts, err := view.Counts(now); err != nil || counts["unreadable"] != 1 || counts["running"] != 1 {
		t.Errorf("counts %v %v", counts, err)
	}
	if s, err := exp.ComponentStatus(ids[0]); err != nil || s.Status != StatusUnreadable {
		t.Errorf("ComponentStatus: %+v %v", s, err)
	}
	n, err := exp.ArchiveAttempt(ids[0])
	if err != nil || n != 1 {
		t.Fatalf("archive: %d %v", n, err)
	}
	if data, err := os.ReadFile(filepath.Join(exp.Path, ids[0], "attempts", "1", "status.json")); err != nil || len(data) != 0 {
		t.Errorf("the unreadable file is not kept: %q %v", data, err)
	}
	if s, _ := exp.ComponentStatus(ids[0]); s.Status != StatusCreated {
		t.Errorf("after the archive: %s", s.Status)
	}
}

// TestIntegrityCorruptExperimentListed: an experiment whose
// execution.json does not decode is listed by its directory, with the
// error naming the file; the other experiments are listed as before.
func TestIntegrityCorruptExperimentListed(t *testing.T) {
	st, _, _ := experimentWith(t)
	bad, _ := st.MakeExperiment("", "Xyz789")
	os.WriteFile(filepath.Join(bad.Path, "execution.json"), []byte(`{"experiment_id": "Xy`), 0o644)
	exps, err := st.Experiments()
	if err != nil || len(exps) != 2 {
		t.Fatalf("listing: %d %v", len(exps), err)
	}
	for _, e := range exps {
		_, err := e.Counts(time.Now())
		switch e.ID {
		case "Abc123":
			if err != nil {
				t.Error(err)
			}
		case "Xyz789":
			if err == nil || !strings.Contains(err.Error(), filepath.Join(bad.Path, "execution.json")) {
				t.Errorf("the broken experiment: %v", err)
			}
		default:
			t.Errorf("listed %q", e.ID)
		}
	}
}

// TestIntegrityNullScheduleEntry: a null entry in schedule.json is an
// error naming the file and the entry (it panicked with a nil pointer).
func TestIntegrityNullScheduleEntry(t *testing.T) {
	st, exp, _ := experimentWith(t)
	os.WriteFile(filepath.Join(exp.Path, "schedule.json"),
		[]byte(`{"components": [null, {"id": "c00000000002", "name": "x"}]}`), 0o644)
	view, err := st.Experiment("Abc123")
	if err != nil {
		t.Fatal(err)
	}
	for what, call := range map[string]func() error{
		"Components": func() error { _, err := view.Components(); return err },
		"Statuses":   func() error { _, err := view.Statuses(); return err },
		"Component":  func() error { _, err := view.Component("c00000000002"); return err },
	} {
		err := call()
		if err == nil || !strings.Contains(err.Error(), "schedule.json: entry 1 is null") {
			t.Errorf("%s: %v", what, err)
		}
	}
}

// TestIntegrityNamesReadBack: IDs and names read from storage are
// checked as strictly as those written; errors name the file.
func TestIntegrityNamesReadBack(t *testing.T) {
	st, exp, _ := experimentWith(t)
	for _, id := range []string{"../../../X", "c0000000000/", "..", "", "c00000000001x", "c0000000000é"} {
		if _, err := exp.CreateComponent(id); err == nil {
			t.Errorf("CreateComponent(%q) accepted", id)
		}
		if _, err := exp.OpenComponent(id); err == nil {
			t.Errorf("OpenComponent(%q) accepted", id)
		}
		if _, err := exp.ComponentStatus(id); err == nil {
			t.Errorf("ComponentStatus(%q) accepted", id)
		}
	}
	os.WriteFile(filepath.Join(exp.Path, "schedule.json"), []byte(`{"components": [{"id": "../../../X", "name": "x"}]}`), 0o644)
	view, _ := st.Experiment("Abc123")
	if _, err := view.Components(); err == nil || !strings.Contains(err.Error(), filepath.Join(exp.Path, "schedule.json")) ||
		!strings.Contains(err.Error(), `invalid component ID "../../../X"`) {
		t.Errorf("schedule.json with ../../../X: %v", err)
	}
	for _, execution := range []string{`{"experiment_id": "../../x"}`, `{"experiment_id": "Abc123", "directory": "../../elsewhere"}`} {
		os.WriteFile(filepath.Join(exp.Path, "execution.json"), []byte(execution), 0o644)
		if _, err := st.Experiment("Abc123"); err == nil || !strings.Contains(err.Error(), "execution.json") {
			t.Errorf("%s: %v", execution, err)
		}
	}
	if _, err := st.MakeExperiment("../..", "Abc123"); err == nil {
		t.Error("MakeExperiment outside the storage accepted")
	}
	// record scopes listed from storage are those a writer could write
	c, _ := exp.CreateComponent("c00000000003")
	os.MkdirAll(filepath.Join(c.Path, "records"), 0o755)
	os.WriteFile(filepath.Join(c.Path, "records", "good.jsonl"), []byte("{}\n"), 0o644)
	os.WriteFile(filepath.Join(c.Path, "records", "bad\xff.jsonl"), []byte("{}\n"), 0o644)
	view = &ExperimentView{storage: st, exp: exp, ID: "Abc123"}
	if got := (&ComponentView{Experiment: view, ID: "c00000000003"}).Scopes(); fmt.Sprint(got) != "[good]" {
		t.Errorf("scopes %q", got)
	}
}

// TestIntegrityStoreNameUTF8: a store name that is not valid UTF-8 is
// refused when written (it was stored under a key it could not be read
// back by), and so is a record scope.
func TestIntegrityStoreNameUTF8(t *testing.T) {
	_, c := newComponent(t)
	for _, name := range []string{"bad\xff.json", "bad\xfe", "dir\xc3/x.txt"} {
		err := c.StoreWrite(name, 1, false)
		if err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
			t.Errorf("StoreWrite(%q): %v", name, err)
		}
	}
	if _, err := c.Records("scope\xff"); err == nil {
		t.Error("record scope with invalid UTF-8 accepted")
	}
	if err := c.StoreWrite("grüße.json", 1, false); err != nil {
		t.Errorf("valid UTF-8 refused: %v", err)
	}
	if v, err := c.StoreRead("grüße.json"); err != nil || v != int64(1) {
		t.Errorf("read back %v %v", v, err)
	}
}

// TestIntegrityEndpointCredentials: credentials inside the endpoint of an
// S3 URL are refused like those in its authority, and appear in no
// message (they were stored in execution.json and printed).
func TestIntegrityEndpointCredentials(t *testing.T) {
	for _, u := range []string{
		"s3://b/x?endpoint=http://someuser:hunter22@127.0.0.1:1&max_attempts=1",
		"s3://b/x?endpoint=http%3A%2F%2Fsomeuser%3Ahunter22%40127.0.0.1%3A1&max_attempts=1",
		"s3://b/x?max_attempts=1&endpoint=http://127.0.0.1:1/?X-Amz-Credential=hunter22",
		"s3://b/x?endpoint=http://hunter22@127.0.0.1:1&max_attempts=1",
	} {
		_, err := Open(u)
		if err == nil || !strings.Contains(err.Error(), "credentials do not belong in the storage URL") {
			t.Errorf("%s: %v", u, err)
			continue
		}
		if strings.Contains(err.Error(), "hunter22") {
			t.Errorf("%s: the message holds the secret: %v", u, err)
		}
	}
}

var memRuns atomic.Int64

// TestIntegrityArchiveRace: processes that read the same failed attempt
// and archive it at once (concurrent resumes): exactly one archives it,
// once; the others are told it was taken. A claim whose process died is
// taken over and the archive finished.
func TestIntegrityArchiveRace(t *testing.T) {
	for _, kind := range []string{"local", "mem", "s3"} {
		t.Run(kind, func(t *testing.T) {
			var url string
			switch kind {
			case "local":
				url = t.TempDir()
			case "mem":
				url = fmt.Sprintf("mem://%s/%d", t.Name(), memRuns.Add(1))
			case "s3":
				url = s3test.Start(t, "bucket").URL("bucket/runs")
			}
			st, err := Open(url)
			if err != nil {
				t.Fatal(err)
			}
			exp, _ := st.MakeExperiment("", "Abc123")
			for round := range 5 {
				id := fmt.Sprintf("c%011d", round)
				c, _ := exp.CreateComponent(id)
				now := time.Now().UTC()
				c.WriteStatus(Status{Status: StatusFailed, Error: fmt.Sprint("round ", round), FinishedAt: &now})
				c.PutJSON("component.json", map[string]any{"id": id})
				var won, lost atomic.Int32
				var wg sync.WaitGroup
				for range 6 {
					wg.Go(func() {
						a, err := exp.ReadAttempt(id)
						if err != nil {
							t.Error(err)
							return
						}
						if a.Status.Status != StatusFailed {
							return // read after the winner's archive: nothing to do
						}
						switch _, err := exp.Archive(a); {
						case err == nil:
							won.Add(1)
						case errors.Is(err, ErrClaimed):
							lost.Add(1)
						default:
							t.Error(err)
						}
					})
				}
				wg.Wait()
				if won.Load() != 1 {
					t.Fatalf("round %d: %d archives won (%d lost)", round, won.Load(), lost.Load())
				}
				entries, _ := afero.ReadDir(st.Fs, filepath.Join(exp.Path, id, "attempts"))
				if len(entries) != 1 {
					t.Errorf("round %d: %d attempts kept", round, len(entries))
				}
				for _, name := range []string{"status.json", "component.json"} {
					if !exp.HasFile(filepath.Join(id, "attempts", "1", name)) {
						t.Errorf("round %d: attempts/1/%s missing", round, name)
					}
					if exp.HasFile(filepath.Join(id, name)) {
						t.Errorf("round %d: %s left in place", round, name)
					}
				}
			}

			// A claim left by a process that died mid-archive.
			id := "cdead0000000"
			c, _ := exp.CreateComponent(id)
			c.WriteStatus(Status{Status: StatusFailed})
			c.PutJSON("component.json", map[string]any{"id": id})
			dead := Status{Status: StatusRunning, Host: Hostname(), PID: 1 << 22, HeartbeatEvery: 20}
			data, _ := marshal(dead)
			mkdirAll(st.Fs, filepath.Join(c.Path, "attempts", "1"))
			if err := createFile(st.Fs, filepath.Join(c.Path, "attempts", "1", "claim.json"), data); err != nil {
				t.Fatal(err)
			}
			a, _ := exp.ReadAttempt(id)
			if n, err := exp.Archive(a); err != nil || n != 1 {
				t.Fatalf("taking over a dead claim: %d %v", n, err)
			}
			if !exp.HasFile(filepath.Join(id, "attempts", "1", "status.json")) || exp.HasFile(filepath.Join(id, "status.json")) ||
				exp.HasFile(filepath.Join(id, "attempts", "1", "claim.json")) {
				t.Error("the dead claim's archive was not finished")
			}
		})
	}
}
