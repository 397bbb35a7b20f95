package storage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// An experiment's schedule is schedule.jsonl: one scheduled component per
// line, in schedule order, appended as components are scheduled, and a
// last line {"complete":N} once all N are. A schedule without that line
// is still being written, or its writer stopped (a resume completes it).
// Experiments stored by earlier releases have schedule.json instead, a
// {"components":[...]} object; both are read.
const (
	ScheduleName       = "schedule.jsonl"
	LegacyScheduleName = "schedule.json"
)

// scheduleSyncEvery and scheduleSyncAfter bound how much of a schedule a
// crash can lose: the lines are fsynced in batches, not one by one. What
// is lost is written again by the resume, which resolves the same plan.
const (
	scheduleSyncEvery = 1024
	scheduleSyncAfter = time.Second
)

// scheduleEnd is the last line of a complete schedule.jsonl.
type scheduleEnd struct {
	Complete int `json:"complete"`
}

// scheduleStop is the last line of a schedule whose run stopped before
// all components were scheduled (fail-fast, Ctrl-C).
type scheduleStop struct {
	Stopped int `json:"stopped"`
}

// ScheduleWriter appends components to a new schedule.jsonl. It is used
// by one goroutine at a time.
type ScheduleWriter struct {
	exp      *Experiment
	w        io.WriteCloser
	n        int
	unsynced int
	synced   time.Time
	line     bytes.Buffer
}

// AppendSchedule starts the experiment's schedule.jsonl; an existing one
// (or an older schedule.json) is an error wrapping os.ErrExist.
func (e *Experiment) AppendSchedule() (*ScheduleWriter, error) {
	for _, name := range []string{ScheduleName, LegacyScheduleName} {
		if e.HasFile(name) || e.HasFile(name+partsSuffix) {
			return nil, fmt.Errorf("write %s: %w", e.Describe(name), os.ErrExist)
		}
	}
	w, err := appender(e.storage.Fs, filepath.Join(e.Path, ScheduleName), e.storage.Flush, e.storage.Describe)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", e.Describe(ScheduleName), e.storage.redact(err))
	}
	return &ScheduleWriter{exp: e, w: w, synced: time.Now()}, nil
}

// Append writes one component as the next line.
func (w *ScheduleWriter) Append(component any) error {
	w.line.Reset()
	if err := json.NewEncoder(&w.line).Encode(component); err != nil { // adds the newline
		return fmt.Errorf("schedule: %w", err)
	}
	if err := w.write(w.line.Bytes()); err != nil {
		return err
	}
	w.n++
	w.unsynced++
	if w.unsynced >= scheduleSyncEvery || time.Since(w.synced) >= scheduleSyncAfter {
		return w.Sync()
	}
	return nil
}

// Count is how many components were appended.
func (w *ScheduleWriter) Count() int { return w.n }

// Sync makes what was appended durable (fsync, or a new part on an
// object store).
func (w *ScheduleWriter) Sync() error {
	var err error
	switch f := w.w.(type) {
	case interface{ Sync() error }:
		err = f.Sync()
	case interface{ Flush() error }:
		err = f.Flush()
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", w.exp.Describe(ScheduleName), w.exp.storage.redact(err))
	}
	w.unsynced, w.synced = 0, time.Now()
	return nil
}

// Complete writes the last line, which says the schedule is whole, syncs
// and closes.
func (w *ScheduleWriter) Complete() error { return w.finish(scheduleEnd{Complete: w.n}) }

// Stop writes a last line saying the run stopped before the schedule's
// end, syncs and closes: the schedule reads as ErrScheduleStopped, and a
// resume completes it at once instead of waiting for this writer.
func (w *ScheduleWriter) Stop() error { return w.finish(scheduleStop{Stopped: w.n}) }

// finish writes the last line, syncs and closes.
func (w *ScheduleWriter) finish(last any) error {
	line, _ := json.Marshal(last)
	err := w.write(append(line, '\n'))
	if err == nil {
		err = w.Sync()
	}
	if err != nil {
		w.w.Close()
		return err
	}
	return w.Close()
}

// Close closes the file; without Complete the schedule reads as
// incomplete.
func (w *ScheduleWriter) Close() error {
	if err := w.w.Close(); err != nil {
		return fmt.Errorf("close %s: %w", w.exp.Describe(ScheduleName), w.exp.storage.redact(err))
	}
	return nil
}

func (w *ScheduleWriter) write(p []byte) error {
	if _, err := w.w.Write(p); err != nil {
		return fmt.Errorf("write %s: %w", w.exp.Describe(ScheduleName), w.exp.storage.redact(err))
	}
	return nil
}

// EncodeSchedule is a whole schedule as schedule.jsonl holds it, for a
// schedule written at once (WriteFile(ScheduleName, ...)).
func EncodeSchedule[T any](components []T) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for i := range components {
		if err := enc.Encode(&components[i]); err != nil {
			return nil, fmt.Errorf("schedule: %w", err)
		}
	}
	if err := enc.Encode(scheduleEnd{Complete: len(components)}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ErrScheduleIncomplete says schedule.jsonl lacks its last line: it is
// being written, or its writer stopped before it was done.
var ErrScheduleIncomplete = errors.New("the schedule is incomplete")

// ErrScheduleStopped says schedule.jsonl ends with the line its writer
// writes when the run stopped early: no one is writing it any more.
var ErrScheduleStopped = fmt.Errorf("%w: its run stopped before all components were scheduled", ErrScheduleIncomplete)

// ReadSchedule reads the experiment's schedule, calling each with every
// component (JSON, "null" for a null entry of an old schedule.json) in
// schedule order. It returns the name of the file read. Neither file
// is fs.ErrNotExist; a line or file that does not decode, or a last
// line whose count differs from the lines read, is a *CorruptError; a
// schedule.jsonl without its last line is read whole and then reported
// as ErrScheduleIncomplete (a torn last line is left out).
func (e *Experiment) ReadSchedule(each func(raw json.RawMessage) error) (string, error) {
	name, err := readSchedule(e.storage, e.Path, each)
	var ce *CorruptError
	if errors.As(err, &ce) && ce.Path == "" { // from DecodeScheduled
		ce.Path = e.Describe(name)
	}
	return name, err
}

func readSchedule(s *Storage, dir string, each func(raw json.RawMessage) error) (string, error) {
	p := filepath.Join(dir, ScheduleName)
	r, err := openAppended(s.Fs, p)
	if errors.Is(err, fs.ErrNotExist) {
		return LegacyScheduleName, readLegacySchedule(s, filepath.Join(dir, LegacyScheduleName), each)
	}
	if err != nil {
		return ScheduleName, s.redact(err)
	}
	defer r.Close()
	corrupt := func(line int, err error) error {
		return &CorruptError{Path: s.Describe(p), Err: fmt.Errorf("line %d: %w", line, err)}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	n := 0
	for line := 1; ; line++ {
		raw, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			// No newline: a line torn by a crash, never a whole one.
			return ScheduleName, fmt.Errorf("%s: %d component(s): %w", s.Describe(p), n, ErrScheduleIncomplete)
		}
		if err != nil {
			return ScheduleName, s.redact(err)
		}
		raw = bytes.TrimSpace(raw)
		if bytes.HasPrefix(raw, []byte(`{"stopped":`)) {
			var stop scheduleStop
			if err := json.Unmarshal(raw, &stop); err != nil || stop.Stopped != n {
				return ScheduleName, corrupt(line, fmt.Errorf("a stop after %d components that says %d", n, stop.Stopped))
			}
			if rest, _ := io.ReadAll(br); len(bytes.TrimSpace(rest)) > 0 {
				return ScheduleName, corrupt(line+1, errors.New("lines after the last"))
			}
			return ScheduleName, fmt.Errorf("%s: %d component(s): %w", s.Describe(p), n, ErrScheduleStopped)
		}
		if bytes.HasPrefix(raw, []byte(`{"complete":`)) {
			var end scheduleEnd
			if err := json.Unmarshal(raw, &end); err != nil {
				return ScheduleName, corrupt(line, err)
			}
			if end.Complete != n {
				return ScheduleName, corrupt(line, fmt.Errorf("says %d components, %d read", end.Complete, n))
			}
			if rest, _ := io.ReadAll(br); len(bytes.TrimSpace(rest)) > 0 {
				return ScheduleName, corrupt(line+1, errors.New("lines after the last"))
			}
			return ScheduleName, nil
		}
		if len(raw) == 0 || raw[0] != '{' { // the caller decodes it
			return ScheduleName, corrupt(line, errors.New("expected a component as a JSON object"))
		}
		n++
		if err := each(raw); err != nil {
			return ScheduleName, err
		}
	}
}

// readLegacySchedule reads schedule.json of an older experiment.
func readLegacySchedule(s *Storage, p string, each func(raw json.RawMessage) error) error {
	var sched struct {
		Components []json.RawMessage `json:"components"`
	}
	if err := readJSON(s.Fs, p, &sched); err != nil {
		var ce *CorruptError
		if errors.As(err, &ce) {
			ce.Path = s.Describe(ce.Path)
		}
		return s.redact(err)
	}
	for _, raw := range sched.Components {
		if err := each(raw); err != nil {
			return err
		}
	}
	return nil
}

// DecodeScheduled decodes one component of a schedule into v as stored
// JSON is decoded (whole numbers as int64); returned from ReadSchedule's
// each, its error names the schedule.
func DecodeScheduled(raw json.RawMessage, v any) error {
	if err := jsonvalue.Unmarshal(raw, v); err != nil {
		return &CorruptError{Err: err}
	}
	return nil
}

// ScheduledHead reads the component ID and name at the start of a
// schedule line as machinable writes it ({"id":"<component ID>","name":
// "<name>",...}), checked like any input: the line must be valid JSON
// and the ID valid. Readers that need no more of a component (counts,
// components a resume leaves alone) take these instead of decoding the
// line; where ok is false they decode it whole, which says what is wrong.
func ScheduledHead(raw []byte) (id, name string, ok bool) {
	const idKey, nameKey = `{"id":"`, `","name":"`
	rest, found := bytes.CutPrefix(raw, []byte(idKey))
	if !found || len(rest) < 12+len(nameKey) {
		return "", "", false
	}
	idb := rest[:12]
	if rest, found = bytes.CutPrefix(rest[12:], []byte(nameKey)); !found || !isAlnum(string(idb)) {
		return "", "", false
	}
	i := bytes.IndexByte(rest, '"')
	if i < 0 || bytes.IndexByte(rest[:i], '\\') >= 0 || !validJSON(raw) {
		return "", "", false // an escaped name is decoded whole
	}
	return string(idb), string(rest[:i]), true
}

// ScheduleIDs reads only the IDs of the scheduled components, in
// schedule order, checked as CheckSchedule checks them: what counts
// need, without decoding every component. A schedule still being
// written gives the components so far; otherwise it fails as
// ReadSchedule does.
func (e *Experiment) ScheduleIDs() ([]string, error) {
	var ids []string
	var present []bool
	name, err := e.ReadSchedule(func(raw json.RawMessage) error {
		id, _, ok := ScheduledHead(raw)
		if !ok { // another layout (an older schedule.json), or damaged
			var c *struct {
				ID string `json:"id"`
			}
			if err := DecodeScheduled(raw, &c); err != nil {
				return err
			}
			if c != nil {
				id, ok = c.ID, true
			}
		}
		ids, present = append(ids, id), append(present, ok)
		return nil
	})
	if err != nil && !errors.Is(err, ErrScheduleIncomplete) {
		return nil, err
	}
	if err := CheckSchedule(e.Describe(name), ids, present); err != nil {
		return nil, err
	}
	return ids, nil
}

// idByte says which bytes component IDs are made of (idAlphabet).
var idByte = func() (t [256]bool) {
	for i := range len(idAlphabet) {
		t[idAlphabet[i]] = true
	}
	return t
}()

// validJSON is json.Valid, four times faster on schedule lines:
// the check that lets a resume keep a line it does not decode costs less
// than the rest of reading it.
func validJSON(b []byte) bool {
	i, ok := scanValue(b, scanSpace(b, 0), 0)
	return ok && scanSpace(b, i) == len(b)
}

// maxJSONDepth is encoding/json's limit on nesting.
const maxJSONDepth = 10000

func scanSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanValue returns the end of the JSON value starting at b[i].
func scanValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	var ok bool
	switch c := b[i]; {
	case c == '{' || c == '[':
		if depth >= maxJSONDepth {
			return i, false
		}
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		if i = scanSpace(b, i+1); i < len(b) && b[i] == end {
			return i + 1, true
		}
		for {
			if end == '}' {
				if i >= len(b) || b[i] != '"' {
					return i, false
				}
				if i, ok = scanString(b, i); !ok {
					return i, false
				}
				if i = scanSpace(b, i); i >= len(b) || b[i] != ':' {
					return i, false
				}
				i = scanSpace(b, i+1)
			}
			if i, ok = scanValue(b, i, depth+1); !ok {
				return i, false
			}
			if i = scanSpace(b, i); i >= len(b) {
				return i, false
			}
			switch b[i] {
			case end:
				return i + 1, true
			case ',':
				i = scanSpace(b, i+1)
			default:
				return i, false
			}
		}
	case c == '"':
		return scanString(b, i)
	case c == 't':
		return scanLiteral(b, i, "true")
	case c == 'f':
		return scanLiteral(b, i, "false")
	case c == 'n':
		return scanLiteral(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return scanNumber(b, i)
	}
	return i, false
}

func scanLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return i, false
}

// scanString returns the end of the string starting at b[i] == '"'.
func scanString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			if i++; i >= len(b) {
				return i, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i <= 4 {
					return i, false
				}
				for _, h := range b[i+1 : i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return i, false
					}
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}

// scanNumber returns the end of the number starting at b[i].
func scanNumber(b []byte, i int) (int, bool) {
	digits := func(i int) (int, bool) {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i, i > start
	}
	if b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if j, ok := digits(i); ok {
		i = j
	} else {
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j, ok := digits(i + 1)
		if !ok {
			return j, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j, ok := digits(i)
		if !ok {
			return j, false
		}
		i = j
	}
	return i, true
}
