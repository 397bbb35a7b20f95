package index

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/machinable-go/machinable/internal/synth"
	"github.com/machinable-go/machinable/storage"
)

// newStorage generates a local storage of exps experiments of per
// components each; every 5th component failed, every 7th running with
// a heartbeat long past (stale).
func newStorage(t testing.TB, exps, per int) (*storage.Storage, []string) {
	t.Helper()
	root := t.TempDir()
	ids, err := synth.Write(root, synth.Options{Experiments: exps, Components: per, Seed: 1, FailEvery: 5, RunningEvery: 7})
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return st, ids
}

func search(t *testing.T, ix *Index, where ...string) []*Match {
	t.Helper()
	conds, err := ParseAll(where)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := ix.Search(context.Background(), conds, SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// countDirect counts by reading the storage, the source of truth.
func countDirect(t *testing.T, st *storage.Storage, keep func(c *storage.ComponentView, state string) bool) int {
	t.Helper()
	exps, err := st.Experiments()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range exps {
		cs, err := e.Components()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			s, err := c.Status()
			if err != nil {
				t.Fatal(err)
			}
			if keep(c, s.State(time.Now())) {
				n++
			}
		}
	}
	return n
}

func TestSearchMatchesStorage(t *testing.T) {
	st, ids := newStorage(t, 6, 5)
	ix, err := Open(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(st.Root, FileName)); err != nil {
		t.Fatalf("no index file: %v", err)
	}
	// one component alive: its heartbeat is recent
	live := search(t, ix, "status = stale")[0]
	exp, err := st.OpenExperiment("", live.Experiment.ID)
	if err != nil {
		t.Fatal(err)
	}
	comp, err := exp.CreateComponent(live.ID)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := comp.WriteStatus(storage.Status{Status: storage.StatusRunning, StartedAt: &now, HeartbeatAt: &now, HeartbeatEvery: 60}); err != nil {
		t.Fatal(err)
	}
	if all := search(t, ix); len(all) != 30 {
		t.Fatalf("all: %d, want 30", len(all))
	}
	cases := []struct {
		where []string
		keep  func(c *storage.ComponentView, state string) bool
	}{
		{[]string{"config.learning_rate > 0.05"}, func(c *storage.ComponentView, _ string) bool { return c.Config["learning_rate"].(float64) > 0.05 }},
		{[]string{"config.learning_rate <= 0.03", "status = finished"}, func(c *storage.ComponentView, s string) bool {
			return c.Config["learning_rate"].(float64) <= 0.03 && s == "finished"
		}},
		{[]string{"status = failed"}, func(_ *storage.ComponentView, s string) bool { return s == "failed" }},
		{[]string{"status = stale"}, func(_ *storage.ComponentView, s string) bool { return s == "stale" }},
		{[]string{"status = running"}, func(_ *storage.ComponentView, s string) bool { return s == "running" }},
		{[]string{"status != finished"}, func(_ *storage.ComponentView, s string) bool { return s != "finished" }},
		{[]string{"config.data.name = cifar10"}, func(c *storage.ComponentView, _ string) bool {
			return c.Config["data"].(map[string]any)["name"] == "cifar10"
		}},
		{[]string{"config.batch_size >= 64", "flags.REPEAT_NUMBER = 0"}, func(c *storage.ComponentView, _ string) bool {
			return c.Config["batch_size"].(int64) >= 64 && c.Flags["REPEAT_NUMBER"].(int64) == 0
		}},
		{[]string{"name ~ train*"}, func(c *storage.ComponentView, _ string) bool { return strings.HasPrefix(c.Name, "train") }},
		{[]string{"experiment = " + ids[2]}, func(c *storage.ComponentView, _ string) bool { return c.Experiment.ID == ids[2] }},
		{[]string{"config.missing = null"}, func(*storage.ComponentView, string) bool { return true }},
		{[]string{"config.learning_rate != 0.01"}, func(c *storage.ComponentView, _ string) bool { return c.Config["learning_rate"].(float64) != 0.01 }},
		// text never compares with a number: no match rather than all
		{[]string{"config.data.name > 1"}, func(*storage.ComponentView, string) bool { return false }},
		{[]string{"started_at >= 2026-01-01 00:03"}, func(c *storage.ComponentView, _ string) bool {
			s, _ := c.Status()
			return !s.StartedAt.Before(time.Date(2026, 1, 1, 0, 3, 0, 0, time.Local))
		}},
	}
	for _, tc := range cases {
		got := len(search(t, ix, tc.where...))
		want := countDirect(t, st, tc.keep)
		if got != want {
			t.Errorf("%q: %d matches, storage says %d", tc.where, got, want)
		}
		if want == 0 && !strings.Contains(tc.where[0], "> 1") {
			t.Errorf("%q: the case matches nothing, it tests little", tc.where)
		}
	}
	// newest experiment first, schedule order within
	ms := search(t, ix, "flags.REPEAT_NUMBER >= 0")
	if ms[0].Experiment.ID != ids[len(ids)-1] {
		t.Errorf("first match from %s, want the newest %s", ms[0].Experiment.ID, ids[len(ids)-1])
	}
	views, err := ix.Views(ms[:3])
	if err != nil {
		t.Fatal(err)
	}
	if s, err := views[0].Status(); err != nil || s.Status == "" {
		t.Errorf("view status: %v %v", s, err)
	}
	if cs, err := views[0].Experiment.Components(); err != nil || len(cs) != 5 || cs[0].ID != views[0].ID {
		t.Errorf("view's experiment components: %v %v", len(cs), err)
	}
}

func TestRefreshFollowsStorage(t *testing.T) {
	st, ids := newStorage(t, 3, 2)
	ix, err := Open(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(search(t, ix)); n != 6 {
		t.Fatalf("%d", n)
	}
	// experiments written by a process that did not tell the index
	more, err := synth.Write(st.Root, synth.Options{Experiments: 2, Components: 3, Seed: 2, Start: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(search(t, ix)); n != 12 {
		t.Fatalf("after adding: %d, want 12", n)
	}
	if n := len(search(t, ix, "experiment = "+more[1])); n != 3 {
		t.Fatalf("new experiment: %d", n)
	}
	// a status changed behind its back
	ms := search(t, ix, "experiment = "+ids[0], "status = finished")
	c := ms[0]
	exp, err := st.OpenExperiment("", ids[0])
	if err != nil {
		t.Fatal(err)
	}
	comp, err := exp.CreateComponent(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// A settled status (finished, failed, interrupted) changes only in a
	// resume, which tells the index: NoteStatus. A running one changes on
	// its own, and the next search reads it again.
	now := time.Now()
	if err := comp.WriteStatus(storage.Status{Status: storage.StatusRunning, StartedAt: &now, HeartbeatAt: &now, HeartbeatEvery: 60}); err != nil {
		t.Fatal(err)
	}
	if n := len(search(t, ix, "id = "+c.ID, "status = running")); n != 0 {
		t.Fatalf("a settled status was re-read: %d", n)
	}
	if err := ix.NoteStatus(ids[0], c.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(search(t, ix, "id = "+c.ID, "status = running")); n != 1 {
		t.Fatalf("noted status: %d", n)
	}
	if err := comp.WriteStatus(storage.Status{Status: storage.StatusFailed, Error: "x"}); err != nil {
		t.Fatal(err)
	}
	if n := len(search(t, ix, "id = "+c.ID, "status = failed")); n != 1 {
		t.Fatalf("refreshed status: %d", n)
	}
	// an experiment removed: its rows are stale and go
	if err := os.RemoveAll(filepath.Join(st.Root, more[0])); err != nil {
		t.Fatal(err)
	}
	if n := len(search(t, ix)); n != 9 {
		t.Fatalf("after removing: %d, want 9", n)
	}
	if _, comps, _ := ix.Count(context.Background()); comps != 9 {
		t.Fatalf("rows left: %d", comps)
	}
}

func TestCorruptIndexIsRebuilt(t *testing.T) {
	st, _ := newStorage(t, 2, 2)
	loc := filepath.Join(st.Root, FileName)
	if err := os.WriteFile(loc, []byte("this is not a database, it is a test of one that is damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	ix, err := Open(st, &warn)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warn.String(), "warning: index "+loc+" is damaged") || !strings.Contains(warn.String(), "set aside as "+FileName+".corrupt-") {
		t.Fatalf("warning: %q", warn.String())
	}
	if n := len(search(t, ix)); n != 4 {
		t.Fatalf("%d", n)
	}
	aside, _ := filepath.Glob(loc + ".corrupt-*")
	if len(aside) != 1 {
		t.Fatalf("set aside: %v", aside)
	}
	if b, _ := os.ReadFile(aside[0]); !strings.HasPrefix(string(b), "this is not a database") {
		t.Fatalf("the damaged file is not kept as it was")
	}
}

func TestOlderSchemaIsRebuilt(t *testing.T) {
	st, _ := newStorage(t, 2, 3)
	loc := filepath.Join(st.Root, FileName)
	ix, err := open(st, loc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.db.Exec(`UPDATE meta SET value = '0' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.db.Exec(`DELETE FROM components`); err != nil {
		t.Fatal(err)
	}
	ix.db.Close()
	var warn bytes.Buffer
	ix, err = open(st, loc, &warn)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.db.Close()
	if !strings.Contains(warn.String(), "has schema 0") {
		t.Errorf("note: %q", warn.String())
	}
	if _, n, _ := ix.Count(context.Background()); n != 6 {
		t.Fatalf("rebuilt: %d components, want 6", n)
	}
}

// Separate handles on one file stand for separate processes: writers
// wait for each other (busy timeout, WAL) instead of failing.
func TestConcurrentWriters(t *testing.T) {
	st, ids := newStorage(t, 8, 4)
	loc := filepath.Join(st.Root, FileName)
	first, err := open(st, loc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.db.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 4; w++ {
		ix, err := open(st, loc, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ix.db.Close()
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				id := ids[(w+i)%len(ids)]
				if err := ix.NoteExperiment(id); err != nil {
					errs <- err
				}
				if err := ix.Refresh(context.Background()); err != nil {
					errs <- err
				}
				if i%3 == 0 {
					if err := ix.Rebuild(context.Background()); err != nil {
						errs <- err
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if e, c, err := first.Count(context.Background()); err != nil || e != 8 || c != 32 {
		t.Fatalf("after concurrent writers: %d experiments, %d components, %v", e, c, err)
	}
}

func TestMemAndObjectStorages(t *testing.T) {
	st, err := storage.Open(fmt.Sprintf("mem://%s", t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Open(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Path() != "" || len(search(t, ix)) != 0 {
		t.Fatal("mem index")
	}
	if Existing(st) != ix {
		t.Fatal("Existing does not return the open mem index")
	}
	if _, err := Location(&storage.Storage{URL: "s3://bucket/x", Object: true}); err == nil || !strings.Contains(err.Error(), "object store has no index") {
		t.Fatalf("s3: %v", err)
	}
}

func TestExistingDoesNotCreate(t *testing.T) {
	st, _ := newStorage(t, 1, 1)
	if Existing(st) != nil {
		t.Fatal("Existing made an index")
	}
	if _, err := os.Stat(filepath.Join(st.Root, FileName)); err == nil {
		t.Fatal("index file made")
	}
}

type codedErr int

func (c codedErr) Error() string { return fmt.Sprintf("sqlite error %d", int(c)) }
func (c codedErr) Code() int     { return int(c) }

// Only a file that is no database, or a damaged one, is set aside: a
// busy or unreadable one is an error.
func TestDamagedOnlyForCorruption(t *testing.T) {
	for code, want := range map[int]bool{26: true, 11: true, 11 | 1<<8: true, 5: false, 14: false, 23: false} {
		if got := damaged(fmt.Errorf("open: %w", codedErr(code))); got != want {
			t.Errorf("code %d: damaged %v, want %v", code, got, want)
		}
	}
	if damaged(os.ErrPermission) {
		t.Error("a permission error is damage")
	}
}

// What the index holds is checked like user input before it becomes a
// path: a tampered row is an error, never a read outside the storage.
func TestTamperedRowsAreRefused(t *testing.T) {
	st, _ := newStorage(t, 1, 2)
	ix, err := open(st, filepath.Join(st.Root, FileName), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.db.Close()
	for _, q := range []string{
		`UPDATE components SET experiment_path = '../outside/AAAAAA'`,
		`UPDATE experiments SET path = '../outside/AAAAAA', id = 'AAAAAA'`,
	} {
		if _, err := ix.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := ix.Search(context.Background(), nil, SearchOptions{NoRefresh: true})
	if err != nil || len(ms) != 2 {
		t.Fatalf("%d %v", len(ms), err)
	}
	if _, err := ix.Views(ms); err == nil || !strings.Contains(err.Error(), "invalid directory") || !strings.Contains(err.Error(), "machinable index rebuild") {
		t.Fatalf("tampered path: %v", err)
	}
	// a refresh drops the rows of an experiment the storage does not have
	if err := ix.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ms, _ := ix.Search(context.Background(), nil, SearchOptions{NoRefresh: true}); len(ms) != 2 || ms[0].Rel == "../outside/AAAAAA" {
		t.Fatalf("after refresh: %d rows", len(ms))
	}
}
