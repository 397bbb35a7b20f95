package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type schedItem struct {
	ID string `json:"id"`
	N  int64  `json:"n"`
}

func scheduleExperiment(t *testing.T) *Experiment {
	t.Helper()
	st, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.CreateExperiment("", "abcdef")
	if err != nil {
		t.Fatal(err)
	}
	return exp
}

func readItems(t *testing.T, exp *Experiment) ([]schedItem, string, error) {
	t.Helper()
	var out []schedItem
	name, err := exp.ReadSchedule(func(raw json.RawMessage) error {
		var c schedItem
		if err := DecodeScheduled(raw, &c); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, name, err
}

func TestScheduleAppendAndRead(t *testing.T) {
	exp := scheduleExperiment(t)
	w, err := exp.AppendSchedule()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3000 { // crosses a sync batch
		if err := w.Append(schedItem{ID: fmt.Sprint(i), N: int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	// Read while being written: what is there, and incomplete.
	got, name, err := readItems(t, exp)
	if name != ScheduleName || !errors.Is(err, ErrScheduleIncomplete) || len(got) != 3000 {
		t.Fatalf("while written: %s, %d items, %v", name, len(got), err)
	}
	if err := w.Complete(); err != nil {
		t.Fatal(err)
	}
	got, _, err = readItems(t, exp)
	if err != nil || len(got) != 3000 || got[2999].N != 2999 {
		t.Fatalf("complete: %d items, %v", len(got), err)
	}
	if _, err := exp.AppendSchedule(); !errors.Is(err, os.ErrExist) {
		t.Errorf("second writer: %v, want ErrExist", err)
	}
}

func TestScheduleTornAndCorrupt(t *testing.T) {
	for name, tc := range map[string]struct {
		content string
		n       int
		err     error
	}{
		"torn last line": {`{"id":"a","n":1}` + "\n" + `{"id":"b","n`, 1, ErrScheduleIncomplete},
		"bad count":      {`{"id":"a","n":1}` + "\n" + `{"complete":2}` + "\n", 1, ErrCorrupt},
		"not an object":  {`{"id":"a","n":1}` + "\n" + `[1]` + "\n", 1, ErrCorrupt},
		"bad component":  {`{"id":"a","n":"x"}` + "\n" + `{"complete":1}` + "\n", 0, ErrCorrupt},
		"after the end":  {`{"complete":0}` + "\n" + `{"id":"a"}` + "\n", 0, ErrCorrupt},
		"empty schedule": {`{"complete":0}` + "\n", 0, nil},
		"stopped":        {`{"id":"a","n":1}` + "\n" + `{"stopped":1}` + "\n", 1, ErrScheduleStopped},
		"bad stop":       {`{"id":"a","n":1}` + "\n" + `{"stopped":3}` + "\n", 1, ErrCorrupt},
	} {
		t.Run(name, func(t *testing.T) {
			exp := scheduleExperiment(t)
			if err := exp.WriteFile(ScheduleName, []byte(tc.content)); err != nil {
				t.Fatal(err)
			}
			got, _, err := readItems(t, exp)
			if len(got) != tc.n || !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Fatalf("%d items, %v; want %d, %v", len(got), err, tc.n, tc.err)
			}
			if errors.Is(err, ErrCorrupt) && !strings.Contains(err.Error(), ScheduleName) {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

func TestScheduleLegacyAndEncoded(t *testing.T) {
	exp := scheduleExperiment(t)
	if _, _, err := readItems(t, exp); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("no schedule: %v", err)
	}
	legacy := `{"components":[{"id":"a","n":1},{"id":"b","n":2}]}`
	if err := os.WriteFile(filepath.Join(exp.Path, LegacyScheduleName), []byte(legacy), 0o644); err != nil {
		t.Fatal(err)
	}
	got, name, err := readItems(t, exp)
	if err != nil || name != LegacyScheduleName || len(got) != 2 || got[1].ID != "b" {
		t.Fatalf("legacy: %s %v %v", name, got, err)
	}
	if _, err := exp.AppendSchedule(); !errors.Is(err, os.ErrExist) {
		t.Errorf("writer over schedule.json: %v, want ErrExist", err)
	}
	exp2 := scheduleExperiment(t)
	data, err := EncodeSchedule([]schedItem{{"x", 1}, {"y", 2}})
	if err != nil {
		t.Fatal(err)
	}
	if err := exp2.WriteFile(ScheduleName, data); err != nil {
		t.Fatal(err)
	}
	got, _, err = readItems(t, exp2)
	if err != nil || len(got) != 2 || got[0].ID != "x" {
		t.Fatalf("encoded: %v %v", got, err)
	}
}

// TestScheduledHead: the ID and name are taken from the start of a line
// only as machinable writes it, from valid JSON with a valid ID; any
// other line is left to a whole decode.
func TestScheduledHead(t *testing.T) {
	for _, c := range []struct {
		line     string
		id, name string
	}{
		{`{"id":"AbCdEf012345","name":"trivial","config":{},"flags":{"SEED":1}}`, "AbCdEf012345", "trivial"},
		{`{"id":"AbCdEf012345","name":"","config":{}}`, "AbCdEf012345", ""},
		{`{"id":"AbCdEf012345","name":"a.b","config":{"x":[1,2,{"y":null}]}}`, "AbCdEf012345", "a.b"},
		{`{"id":"AbCdEf012345","name":"trivial","config":{`, "", ""},                               // torn
		{`{"id":"AbCdEf012345","name":"trivial","config":{}}}`, "", ""},                            // trailing garbage
		{`{"id":"AbCdEf01234!","name":"trivial","config":{}}`, "", ""},                             // invalid ID
		{`{"id":"AbCdEf0123456","name":"trivial","config":{}}`, "", ""},                            // 13 characters
		{`{"id":"AbCdEf012345","name":"tri\"vial","config":{}}`, "", ""},                           // escaped: decoded whole
		{`{"name":"trivial","id":"AbCdEf012345","config":{}}`, "", ""},                             // another layout
		{`{ "id": "AbCdEf012345", "name": "trivial", "config": {} }`, "", ""},                      // indented
		{`{"id":"AbCdEf012345","name":"trivial","config":{},"id":"x"}`, "AbCdEf012345", "trivial"}, // a decode says what is wrong
	} {
		id, name, ok := ScheduledHead([]byte(c.line))
		if ok != (c.id != "") || id != c.id || name != c.name {
			t.Errorf("%s: %q %q %v", c.line, id, name, ok)
		}
	}
}

// TestScheduleIDs: only the IDs, checked as a whole decode checks them.
func TestScheduleIDs(t *testing.T) {
	exp := scheduleExperiment(t)
	lines := `{"id":"AbCdEf012345","name":"a","config":{}}` + "\n" + `{ "id": "AbCdEf012346" }` + "\n" + `{"complete":2}` + "\n"
	if err := exp.WriteFile(ScheduleName, []byte(lines)); err != nil {
		t.Fatal(err)
	}
	ids, err := exp.ScheduleIDs()
	if err != nil || strings.Join(ids, ",") != "AbCdEf012345,AbCdEf012346" {
		t.Fatalf("ScheduleIDs: %v %v", ids, err)
	}
	for _, bad := range []string{
		`{"id":"AbCdEf012345","name":"a"}` + "\n" + `{"id":"AbCdEf012345","name":"a"}` + "\n" + `{"complete":2}` + "\n", // twice
		`{"id":"AbCdEf012345","name":"a","config":{` + "\n" + `{"complete":1}` + "\n",                                   // damaged
		`{"id":"bad","name":"a"}` + "\n" + `{"complete":1}` + "\n",                                                      // invalid ID
	} {
		exp := scheduleExperiment(t)
		if err := exp.WriteFile(ScheduleName, []byte(bad)); err != nil {
			t.Fatal(err)
		}
		if ids, err := exp.ScheduleIDs(); err == nil || !strings.Contains(err.Error(), ScheduleName) {
			t.Errorf("%s: %v %v, want an error naming the file", bad, ids, err)
		}
	}
}
