package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/machinable-go/machinable/internal/s3test"
	"github.com/spf13/afero"
)

// journalExp makes an experiment with components a..., each given the
// status written for it (through WriteStatus, as a run does).
func journalExp(t *testing.T, url string, statuses ...string) (*Experiment, []string) {
	t.Helper()
	s, err := Open(url)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := s.CreateExperiment("", "8gWVkz")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, status := range statuses {
		id := fmt.Sprintf("component%03d", i)
		c, err := exp.CreateComponent(id)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC)
		st := Status{Status: status, StartedAt: &now, HeartbeatAt: &now}
		if ended(status) && status != StatusRequeued {
			st.FinishedAt = &now
		}
		if err := c.WriteStatus(st); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return exp, ids
}

// scheduleOf writes the schedule and execution.json of the components
// ids, so that the experiment reads as a run leaves it (View).
func scheduleOf(t *testing.T, exp *Experiment, ids []string) {
	t.Helper()
	var comps []map[string]any
	for _, id := range ids {
		comps = append(comps, map[string]any{"id": id, "name": "t"})
	}
	if err := exp.WriteJSON("schedule.json", map[string]any{"components": comps}); err != nil {
		t.Fatal(err)
	}
	if err := exp.WriteJSON("execution.json", map[string]any{"experiment_id": "8gWVkz"}); err != nil {
		t.Fatal(err)
	}
}

func journalFile(exp *Experiment) string { return filepath.Join(exp.Path, journalName) }

// TestJournalTrustsFinalOnly: every end state is journaled, running is
// not; only final components (finished, stopped) are taken from the
// journal, with the very status their status.json has.
func TestJournalTrustsFinalOnly(t *testing.T) {
	for _, url := range []string{t.TempDir(), "mem://" + t.Name()} {
		exp, ids := journalExp(t, url, StatusFinished, StatusFailed, StatusRunning, StatusInterrupted, StatusFinished, StatusStopped)
		raw, err := afero.ReadFile(exp.storage.Fs, journalFile(exp))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(raw), "\n"); n != 5 {
			t.Errorf("%s: %d journal lines, want 5 (running is no end state):\n%s", url, n, raw)
		}
		j := exp.ReadJournal()
		if len(j) != 3 {
			t.Fatalf("%s: journal trusts %v, want the 2 finished and the stopped one", url, j)
		}
		if fast := exp.FinalInJournal(); len(fast) != 3 || fast[ids[5]] != StatusStopped || fast[ids[4]] != StatusFinished {
			t.Errorf("%s: FinalInJournal %v", url, fast)
		}
		for _, i := range []int{0, 4, 5} {
			want, err := exp.ComponentStatus(ids[i])
			if err != nil {
				t.Fatal(err)
			}
			if got := j[ids[i]]; !reflect.DeepEqual(got, want) {
				t.Errorf("%s: journal %+v, status.json %+v", url, got, want)
			}
		}
		for _, i := range []int{1, 2, 3} {
			st, err := j.ComponentStatus(exp, ids[i])
			if err != nil || st.Status != []string{"", StatusFailed, StatusRunning, StatusInterrupted}[i] {
				t.Errorf("%s: %s read as %+v %v", url, ids[i], st, err)
			}
		}
	}
}

// TestJournalBehind: a crash between status.json and the journal line
// leaves the component out of the journal: readers take status.json.
// Where the journal says finished, status.json is not read at all.
func TestJournalBehind(t *testing.T) {
	exp, ids := journalExp(t, t.TempDir(), StatusFinished, StatusFinished, StatusFailed)
	scheduleOf(t, exp, ids)
	states := func() string {
		v, err := exp.View()
		if err != nil {
			t.Fatal(err)
		}
		sts, err := v.Statuses()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, st := range sts {
			out = append(out, st.Status)
		}
		return strings.Join(out, ",")
	}
	// Journaled finished: its status.json is not read (here: damaged).
	if err := os.WriteFile(filepath.Join(exp.Path, ids[0], "status.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := states(); got != "finished,finished,failed" {
		t.Errorf("with the journal: %s", got)
	}
	// The journal lost its lines: every status.json is read.
	if err := os.Truncate(journalFile(exp), 0); err != nil {
		t.Fatal(err)
	}
	if j := exp.ReadJournal(); len(j) != 0 {
		t.Fatalf("empty journal trusts %v", j)
	}
	if got := states(); got != "unreadable,finished,failed" {
		t.Errorf("without the journal: %s", got)
	}
}

// TestJournalDamagedLines: lines are validated like input. A torn last
// line, garbage, null, a bad ID, an unknown status and a line longer
// than any status are ignored; a later end state overrides finished.
func TestJournalDamagedLines(t *testing.T) {
	exp, ids := journalExp(t, t.TempDir(), StatusFinished, StatusFinished, StatusFinished)
	f, err := os.OpenFile(journalFile(exp), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{
		"garbage\n", "null\n", "{}\n", `{"id":"../../etc","status":"finished"}` + "\n",
		`{"id":"component009","status":"done"}` + "\n",
		`{"id":"component008","status":"finished"}` + "\n",
		`{"id":"` + ids[1] + `","status":"failed","error":"lost"}` + "\n",
		`{"id":"component007","status":"finished"`, // torn: no newline
	}
	for _, l := range lines {
		if _, err := f.WriteString(l); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	j := exp.ReadJournal()
	_, a := j[ids[0]]
	_, b := j[ids[1]]
	_, c := j[ids[2]]
	_, d := j["component008"]
	_, torn := j["component007"]
	if !a || b || !c || !d || torn || len(j) != 3 {
		t.Errorf("journal trusts %v", j)
	}
	if fast := exp.FinalInJournal(); len(fast) != 3 || fast[ids[0]] != StatusFinished || fast[ids[2]] != StatusFinished || fast["component008"] != StatusFinished {
		t.Errorf("FinalInJournal %v", fast)
	}

	// The writer of component007 died mid-line (its status.json says
	// finished: the line comes after it), and the next line was
	// appended to its torn start: that start still tells the truth,
	// the times cannot be read, and the glued line is lost (its
	// component is read from status.json).
	if err := appendString(journalFile(exp), `{"id":"component021","status":"finished","finished_at":"2026-01-01T00:00:00Z"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	if fast := exp.FinalInJournal(); fast["component007"] != StatusFinished || fast["component021"] != "" || len(fast) != 4 {
		t.Errorf("after a torn line, FinalInJournal %v", fast)
	}
	if j := exp.ReadJournal(); len(j) != 3 {
		t.Errorf("after a torn line, ReadJournal %v", j)
	}

	// A line longer than any status is skipped; the next one is read.
	exp2, ids2 := journalExp(t, t.TempDir(), StatusFinished)
	long := `{"id":"component001","status":"finished","error":"` + strings.Repeat("x", maxJournalLine) + `"}` + "\n" +
		`{"id":"component002","status":"finished"}` + "\n"
	if err := appendString(journalFile(exp2), long); err != nil {
		t.Fatal(err)
	}
	if j := exp2.ReadJournal(); len(j) != 2 || j[ids2[0]].Status != StatusFinished || j["component002"].Status != StatusFinished {
		t.Errorf("after a long line: %v", j)
	}
}

func appendString(p, s string) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(s)
	return err
}

// TestJournalConcurrentAppends: components ending at once, each with its
// own file handle as separate processes have, never interleave lines.
func TestJournalConcurrentAppends(t *testing.T) {
	for _, url := range []string{t.TempDir(), "mem://" + t.Name()} {
		exp, _ := journalExp(t, url)
		const n = 200
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				c, err := exp.CreateComponent(fmt.Sprintf("component%03d", i))
				if err != nil {
					t.Error(err)
					return
				}
				now := time.Now().UTC()
				// a long error makes torn writes likelier to show
				if err := c.WriteStatus(Status{Status: StatusFinished, FinishedAt: &now, Error: strings.Repeat("e", 2000)}); err != nil {
					t.Error(err)
				}
			}(i)
		}
		wg.Wait()
		if j := exp.ReadJournal(); len(j) != n {
			t.Errorf("%s: %d of %d components in the journal", url, len(j), n)
		}
	}
}

// TestJournalNotOnObjectStores: S3 has no appends; no journal is
// written and readers read status.json.
func TestJournalNotOnObjectStores(t *testing.T) {
	srv := s3test.Start(t, "journal")
	exp, ids := journalExp(t, srv.URL("journal/p"), StatusFinished)
	if _, err := exp.storage.Fs.Stat(journalFile(exp)); err == nil {
		t.Error("a journal on S3")
	}
	if st, err := exp.ReadJournal().ComponentStatus(exp, ids[0]); err != nil || st.Status != StatusFinished {
		t.Errorf("%+v %v", st, err)
	}
}

// TestJournalStopped: a tuning trial stopped early is journaled and, as
// final as finished, trusted; Counts counts it apart without reading its
// status.json; a later end state of the same component overrides it.
func TestJournalStopped(t *testing.T) {
	exp, ids := journalExp(t, t.TempDir(), StatusFinished, StatusStopped, StatusStopped, StatusFailed)
	scheduleOf(t, exp, ids)
	j := exp.ReadJournal()
	if len(j) != 3 || j[ids[1]].Status != StatusStopped || j[ids[0]].Status != StatusFinished {
		t.Fatalf("journal trusts %v, want finished and the 2 stopped", j)
	}
	want := map[string]string{ids[0]: StatusFinished, ids[1]: StatusStopped, ids[2]: StatusStopped}
	if got := exp.FinalInJournal(); !reflect.DeepEqual(got, want) {
		t.Errorf("FinalInJournal = %v, want %v", got, want)
	}
	// Journaled stopped: its status.json is not read (here: damaged).
	if err := os.WriteFile(filepath.Join(exp.Path, ids[1], "status.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := exp.View()
	if err != nil {
		t.Fatal(err)
	}
	counts, err := v.Counts(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if wantCounts := map[string]int{"finished": 1, "stopped": 2, "failed": 1}; !reflect.DeepEqual(counts, wantCounts) {
		t.Errorf("Counts = %v, want %v", counts, wantCounts)
	}
	// Run again and failed (a component is never run again once stopped,
	// but the journal must not trust a line a later one contradicts).
	c, err := exp.OpenComponent(ids[2])
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteStatus(Status{Status: StatusFailed}); err != nil {
		t.Fatal(err)
	}
	if _, ok := exp.FinalInJournal()[ids[2]]; ok {
		t.Errorf("a stopped line is trusted after a later failed one")
	}
}
