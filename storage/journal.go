package storage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// The journal (journal.jsonl in the experiment directory) lets resume,
// ls, show and status know which components finished without opening
// every component's status.json. Each line is one end state, appended
// after the component's status.json was written:
//
//	{"id":"XfOWPgKJCcuh","status":"finished","started_at":...,...}
//
// that is status.json's fields plus the component ID, less "error" and
// "checkpoint" (status.json keeps them: long, and only lines saying
// finished or stopped are trusted, which have neither). The component
// files stay the truth; the journal only saves reads:
//
//   - it is trusted only for a component whose last valid line says
//     "finished" or "stopped" (both are final: nothing runs a finished
//     component, or a tuning trial its scheduler stopped, again). Every
//     other component's status.json is read, as without a journal.
//   - a crash between status.json and the journal line leaves the
//     journal behind, never ahead: that component's status.json is read.
//   - lines are validated like any input: one that does not start as
//     machinable writes them ({"id":"<valid component ID>","status":
//     "<end state>"), does not end in "}" and a newline, or (where the
//     times are read: ReadJournal) does not decode, is ignored, so its
//     component is read from status.json. Resume and counts read only
//     the start of each line (FinalInJournal).
//   - local disk and mem://: each line is one write to a file opened
//     with O_APPEND, then fsynced, so lines of processes ending
//     components at once do not interleave. On a shared file system
//     without atomic appends (NFS from several nodes) a line can be
//     damaged or lost: it is then ignored, and the component read from
//     status.json.
//   - object stores (s3://) have no appends: no journal is written
//     there, and readers read every status.json.
const journalName = "journal.jsonl"

// maxJournalLine bounds a line read back; a longer one (no line
// machinable writes) is skipped.
const maxJournalLine = 64 * 1024

// journalLine is one line of the journal.
type journalLine struct {
	ID string `json:"id"`
	Status
}

// memJournal serializes appends on in-memory storages, whose files have
// no O_APPEND of their own across handles.
var memJournal sync.Mutex

// ended reports whether a status is an end state the journal records.
func ended(status string) bool {
	switch status {
	case StatusFinished, StatusStopped, StatusFailed, StatusInterrupted, StatusRequeued:
		return true
	}
	return false
}

// Final reports whether a component that ended with this status is done
// for good: a resume leaves it as it is, and the journal is trusted for
// it. Finished and stopped (a tuning trial ended early) are final;
// failed, interrupted and requeued components run again.
func Final(status string) bool {
	return status == StatusFinished || status == StatusStopped
}

// appendJournal appends the end state of a component to its
// experiment's journal, best effort: a line that is not written only
// costs readers the read of status.json.
func (c *Component) appendJournal(st Status) {
	if !ended(st.Status) || isObjectStore(c.fs) {
		return
	}
	st.Error, st.Checkpoint = "", ""
	b, err := json.Marshal(journalLine{ID: c.ID, Status: st})
	if err != nil {
		return
	}
	b = append(b, '\n')
	p := filepath.Join(filepath.Dir(c.Path), journalName)
	if isMemory(c.fs) {
		memJournal.Lock()
		defer memJournal.Unlock()
	}
	f, err := c.fs.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	if _, err := f.Write(b); err == nil {
		_ = f.Sync()
	}
}

// Journal is what an experiment's journal says finished or stopped:
// component ID to the status it ended with. See journalName for when it is trusted.
type Journal map[string]Status

// ReadJournal reads the experiment's journal with the whole status
// (times included) of each component that ended final (see Final), for
// readers that show them. It never fails: a missing or unreadable journal, or any line of
// it, is only less to trust, and the components it does not name are
// read from their status.json.
func (e *Experiment) ReadJournal() Journal {
	j := Journal{}
	e.scanJournal(func(id, status string, line []byte) {
		var l journalLine
		if Final(status) && decodeJournalLine(line, &l) == nil && l.ID == id && l.Status.Status == status {
			j[id] = l.Status
		} else {
			delete(j, id) // a later end state overrides an earlier final one
		}
	})
	return j
}

// FinalInJournal is the final status (see Final) of each component the
// journal says ended final, read from the start of each line only: what
// resume and counts need, at a fraction of the cost of decoding every
// line. The start of a line is written whole by the process that ended
// its component, after that component's status.json: a line damaged
// further on (a torn end, as after a crash) still tells the truth about
// it.
func (e *Experiment) FinalInJournal() map[string]string {
	done := map[string]string{}
	e.scanJournal(func(id, status string, _ []byte) {
		if Final(status) {
			done[id] = finalStatus(status)
		} else {
			delete(done, id)
		}
	})
	return done
}

// finalStatus is status as one of the Status* constants, so that a map
// of a million statuses holds no copy of them.
func finalStatus(status string) string {
	if status == StatusStopped {
		return StatusStopped
	}
	return StatusFinished
}

// scanJournal calls fn, in order, for every line of the journal that
// starts as a line machinable writes ({"id":"<component ID>","status":
// "<end state>", ...}) and ends with a newline.
func (e *Experiment) scanJournal(fn func(id, status string, line []byte)) {
	if isObjectStore(e.storage.Fs) {
		return
	}
	if isMemory(e.storage.Fs) {
		memJournal.Lock()
		defer memJournal.Unlock()
	}
	f, err := e.storage.Fs.Open(filepath.Join(e.Path, journalName))
	if err != nil {
		return
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, maxJournalLine)
	for {
		line, err := r.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) { // longer than any status: skipped
			_, err = r.ReadSlice('\n')
			line = nil
		}
		if err != nil {
			return // io.EOF: a last line without newline is torn
		}
		if line == nil {
			continue
		}
		if id, status, ok := journalHead(line); ok {
			fn(id, status, line)
		}
	}
}

// journalHead reads the component ID and end state at the start of a
// journal line, checked like any input.
func journalHead(line []byte) (id, status string, ok bool) {
	const idKey, statusKey = `{"id":"`, `","status":"`
	rest, found := bytes.CutPrefix(line, []byte(idKey))
	if !found {
		return "", "", false
	}
	i := bytes.IndexByte(rest, '"')
	if i < 0 {
		return "", "", false
	}
	id, rest = string(rest[:i]), rest[i:]
	if rest, found = bytes.CutPrefix(rest, []byte(statusKey)); !found || CheckComponentID(id) != nil {
		return "", "", false
	}
	i = bytes.IndexByte(rest, '"')
	if i < 0 || !ended(string(rest[:i])) {
		return "", "", false
	}
	if end := bytes.TrimRight(line, "\r\n"); len(end) == 0 || end[len(end)-1] != '}' {
		return "", "", false
	}
	return id, string(rest[:i]), true
}

// ComponentStatus is the status of a component: from the journal where
// it trusts it (final), else from status.json.
func (j Journal) ComponentStatus(e *Experiment, id string) (Status, error) {
	if st, ok := j[id]; ok {
		return st, nil
	}
	return e.ComponentStatus(id)
}

// decodeJournalLine is json.Unmarshal of a journal line, several times
// faster on the lines machinable writes (status of 100,000 components
// reads as many): plain strings, numbers and times, read without
// reflection. Any other line (escapes, non-ASCII, null, keys it does not
// know) goes to json.Unmarshal, which has the last word.
func decodeJournalLine(line []byte, l *journalLine) error {
	if fastJournalLine(bytes.TrimRight(line, "\r\n"), l) {
		return nil
	}
	*l = journalLine{}
	return json.Unmarshal(line, l)
}

// fastJournalLine decodes {"key":value,...} into l where every value is
// a plain ASCII string or a number; false where json.Unmarshal must
// decide.
func fastJournalLine(b []byte, l *journalLine) bool {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return false
	}
	i := 1
	for i < len(b)-1 {
		if i > 1 {
			if b[i] != ',' {
				return false
			}
			i++
		}
		key, end, ok := plainString(b, i)
		if !ok || end >= len(b) || b[end] != ':' {
			return false
		}
		i = end + 1
		var raw []byte
		if i < len(b) && b[i] == '"' {
			var str string
			if str, end, ok = plainString(b, i); !ok {
				return false
			}
			raw, i = b[i:end], end
			if !l.setString(key, str, raw) {
				return false
			}
			continue
		}
		if end, ok = scanNumber(b, i); !ok || i == end {
			return false
		}
		raw, i = b[i:end], end
		if !l.setNumber(key, string(raw)) {
			return false
		}
	}
	return i == len(b)-1
}

// plainString reads the string at b[i] when it is printable ASCII without
// escapes; end is just past its closing quote.
func plainString(b []byte, i int) (s string, end int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return "", i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return string(b[i+1 : j]), j + 1, true
		case c < 0x20 || c >= 0x7f || c == '\\':
			return "", j, false
		}
	}
	return "", len(b), false
}

func (l *journalLine) setString(key, s string, quoted []byte) bool {
	st := &l.Status
	var t **time.Time
	switch key {
	case "id":
		l.ID = s
	case "status":
		st.Status = s
	case "error":
		st.Error = s
	case "host":
		st.Host = s
	case "boot_id":
		st.BootID = s
	case "checkpoint":
		st.Checkpoint = s
	case "started_at":
		t = &st.StartedAt
	case "heartbeat_at":
		t = &st.HeartbeatAt
	case "finished_at":
		t = &st.FinishedAt
	default:
		return false
	}
	if t != nil {
		*t = new(time.Time)
		return (*t).UnmarshalJSON(quoted) == nil // as json.Unmarshal reads it
	}
	return true
}

func (l *journalLine) setNumber(key, n string) bool {
	st := &l.Status
	var err error
	switch key {
	case "pid":
		var v int64
		v, err = strconv.ParseInt(n, 10, 0)
		st.PID = int(v)
	case "requeues":
		var v int64
		v, err = strconv.ParseInt(n, 10, 0)
		st.Requeues = int(v)
	case "pid_start":
		st.PIDStart, err = strconv.ParseUint(n, 10, 64)
	case "heartbeat_every":
		st.HeartbeatEvery, err = strconv.ParseFloat(n, 64)
	default:
		return false
	}
	return err == nil
}
