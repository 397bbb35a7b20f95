package runtime

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// Record is the pending row of a record scope: set values, then Save
// appends the row to records/<scope>.jsonl.
type Record struct {
	mu     sync.Mutex
	writer *storage.RecordWriter
	self   *Self
	// row is the pending row in the order its keys were first set, as
	// 2.x's OrderedDict: a few fields, searched faster than a map is
	// filled, and reused from row to row.
	row []storage.Field

	created time.Time // when the record was made: the clock before any row
	first   time.Time // the first saved row's time; zero before it
	last    time.Time // the last saved row's time
	saved   int       // rows saved through this record

	// text makes the meta fields' text of the rows SaveFields returns
	// (r.mu is held); encText that of the rows written, which may be
	// encoded later on another goroutine (the writer's lock is held).
	text, encText rowText

	// report, set on a tuning trial's default record, sees each row once
	// it is stored; its error (a *TrialStop) is what save() returns.
	report func(row map[string]any) error

	plan *rowPlan // how the previous row was encoded; the next likely fits

	clock rowClock // the rows' times
}

func newRecord(w *storage.RecordWriter, self *Self) *Record {
	return &Record{writer: w, self: self, created: time.Now()}
}

// Scope is the record's scope ("default" for self.record).
func (r *Record) Scope() string { return r.writer.Scope }

// Set sets a value of the pending row.
func (r *Record) Set(key string, value any) {
	r.mu.Lock()
	r.set(key, value)
	r.mu.Unlock()
}

func (r *Record) set(key string, value any) {
	if i := r.find(key); i >= 0 {
		r.row[i].Value = value
		return
	}
	r.row = append(r.row, storage.Field{Key: key, Value: value})
}

// find is the index of key in the pending row, or -1; r.mu is held.
func (r *Record) find(key string) int {
	for i := range r.row {
		if r.row[i].Key == key {
			return i
		}
	}
	return -1
}

// Get returns a value of the pending row.
func (r *Record) Get(key string) (any, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i := r.find(key); i >= 0 {
		return r.row[i].Value, true
	}
	return nil, false
}

// Delete removes a value of the pending row; false if it was not set.
func (r *Record) Delete(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := r.find(key)
	if i < 0 {
		return false
	}
	r.row = slices.Delete(r.row, i, i+1)
	return true
}

// Update sets several values.
func (r *Record) Update(values map[string]any) {
	r.mu.Lock()
	for _, k := range slices.Sorted(maps.Keys(values)) {
		r.set(k, values[k])
	}
	r.mu.Unlock()
}

// Pending reports whether the row holds unsaved values.
func (r *Record) Pending() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.row) > 0
}

// Len is the number of values in the pending row (2.x's len(record)).
func (r *Record) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.row)
}

// Keys lists the keys of the pending row, in the order they were set.
func (r *Record) Keys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys := make([]string, len(r.row))
	for i, f := range r.row {
		keys[i] = f.Key
	}
	return keys
}

// Save appends the pending row, stamped with the time, the timing fields
// and the iteration, and starts a new one. An empty row is saved too.
func (r *Record) Save() error {
	_, err := r.save(true, false)
	return err
}

// Append is SaveFields for a caller that does not look at the row: only
// its line of the file is made, from a plan made once for the row's keys
// (record_plan.go), which is all a row saved in a loop then costs.
func (r *Record) Append(force bool) error {
	_, err := r.save(force, false)
	return err
}

// SaveRow is 2.x's record.save(force=...): it appends the pending row and
// returns it as written. An empty row is not saved unless force is set
// (then it holds the meta fields only); the pending row is cleared either
// way, as in 2.x.
//
// The meta fields are 2.0's: _timestamp (Unix seconds), _time (local time
// with its offset), _seconds_taken and _time_taken (since the previous row
// of this record, or the start of the component's execution before the
// first), _total_seconds_taken and _total_time_taken (since the first row,
// or that start); the seconds are whole, as 2.0's.
func (r *Record) SaveRow(force bool) (map[string]any, error) {
	row, _, err := r.SaveRowKeys(force)
	return row, err
}

// SaveRowKeys is SaveRow that also returns the row's keys, sorted (as
// the row is written).
func (r *Record) SaveRowKeys(force bool) (map[string]any, []string, error) {
	fields, err := r.SaveFields(force)
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.Key
	}
	return storage.FieldsMap(fields), keys, err
}

// SaveFields is SaveRow returning the row as written, its fields sorted
// by key: no map per row (storage.FieldsMap makes one).
func (r *Record) SaveFields(force bool) ([]storage.Field, error) {
	return r.save(force, true)
}

// save stamps the pending row, appends its line and starts a new row;
// with fields set it returns the row as written. A tuning trial's
// scheduler sees every row, so its rows are always made.
func (r *Record) save(force, fields bool) ([]storage.Field, error) {
	r.mu.Lock()
	set := r.row
	if len(set) == 0 && !force {
		r.mu.Unlock()
		return nil, nil
	}
	now := r.clock.now()
	st := rowStamp{now: now, number: -1}
	st.iteration, st.total = r.elapsed(now)
	if r.self != nil && r.self.Iteration >= 0 {
		st.number = r.self.Iteration
	}
	plan := r.plan
	if !plan.fits(set, st.number >= 0) {
		plan = newRowPlan(set, st.number >= 0)
		r.plan = plan
	}
	// Rows are handed to the writer under r.mu: rows saved from several
	// goroutines are written in the order of their times.
	var row []storage.Field
	var err error
	if fields || r.report != nil {
		row = r.rowFields(plan, set, st)
	}
	if plainFields(set) {
		// Nothing in the row can fail to encode: the writer encodes it
		// later, on another goroutine, from a copy of its fields.
		err = r.writer.AppendLater(plan.encoder(r), set, st.pack())
	} else {
		enc := plan.encoder(r)
		err = r.writer.AppendEncoded(func(dst []byte) ([]byte, error) { return enc.encode(dst, set, st) })
	}
	clear(set)
	r.row = set[:0] // the next row reuses it
	if r.first.IsZero() {
		r.first = now
	}
	r.last = now
	r.saved++
	r.mu.Unlock()
	if err != nil {
		return row, err
	}
	if r.report != nil { // a tuning trial: its scheduler sees every row
		return row, r.report(storage.FieldsMap(row))
	}
	return row, nil
}

// Timing is 2.x's record.timing(mode, end): the time from the previous
// row ("iteration"), from the first row ("total"), or "total" divided by
// the rows saved ("avg"), to end. Before any row, the start is when the
// component's execution began.
func (r *Record) Timing(mode string, end time.Time) (time.Duration, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	iteration, total := r.elapsed(end)
	switch mode {
	case "iteration":
		return iteration, nil
	case "total":
		return total, nil
	case "avg":
		if r.saved > 0 {
			total /= time.Duration(r.saved)
		}
		return total, nil
	}
	return 0, fmt.Errorf("record.timing: mode %q: expected \"iteration\", \"avg\" or \"total\"", mode)
}

// elapsed is the time to end from the previous row (iteration) and from
// the first (total); before any row, both are from the start of the
// component's execution. r.mu is held. (2.0 counted from the start's
// whole second, which made every short iteration look as long as the
// time since that second began.)
func (r *Record) elapsed(end time.Time) (iteration, total time.Duration) {
	if !r.first.IsZero() { // rows of this record: the monotonic clock's
		return max(end.Sub(r.last), 0), max(end.Sub(r.first), 0)
	}
	start := r.created
	if r.self != nil {
		if ns := r.self.executeStart.Load(); ns != 0 {
			start = time.Unix(0, ns)
		}
	}
	d := max(end.Sub(start), 0)
	return d, d
}

// rowText is the text of a row's meta fields, each part made once where
// it repeats from row to row.
type rowText struct {
	timeSec            int64  // the second timeHead and timeTail are of
	timeHead, timeTail string // _time but its microseconds

	wordsSecs int64 // the whole seconds words is of
	words     any   // DurationWords of them, as the next row likely needs
}

// durationWords is DurationWords as an interface value, made once where
// it repeats from row to row: under a second (a table), and in whole
// seconds (the last ones).
func (t *rowText) durationWords(d time.Duration) any {
	if d >= time.Second {
		secs := int64(d / time.Second)
		if t.words == nil || secs != t.wordsSecs {
			t.wordsSecs, t.words = secs, DurationWords(d)
		}
		return t.words
	}
	return durationWordsValue(d)
}

// durationWordsValue is DurationWords as an interface value: under a
// second, where rows saved in a loop almost always are, one made once.
func durationWordsValue(d time.Duration) any {
	// Rounded to hundredths as FormatFloat rounds d.Seconds(): the same
	// but at a half, which FormatFloat decides on the float's bits.
	if d >= 0 && d < time.Second-5*time.Millisecond && d%(10*time.Millisecond) != 5*time.Millisecond {
		if d == 0 {
			return DurationWords(0)
		}
		return centWords[(d+5*time.Millisecond)/(10*time.Millisecond)]
	}
	return DurationWords(d)
}

// centWords are "0.00 seconds" to "0.99 seconds", as any.
var centWords = func() (w [100]any) {
	for i := range w {
		w[i] = fmt.Sprintf("0.%02d seconds", i)
	}
	return w
}()

// DurationWords writes a duration the way 2.x's records do (pendulum's
// in_words): "1 day 2 hours 5 seconds", "0.25 seconds" under a second.
func DurationWords(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	secs := int64(d / time.Second)
	if secs == 0 { // the common case of rows saved in a loop
		if d > 0 {
			return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " seconds"
		}
		return "0 microseconds"
	}
	var b []byte
	for _, u := range durationUnits {
		n := secs / u.size
		secs %= u.size
		if n == 0 {
			continue
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, n, 10)
		b = append(b, ' ')
		b = append(b, u.name...)
		if n > 1 {
			b = append(b, 's')
		}
	}
	return string(b)
}

var durationUnits = [...]struct {
	name string
	size int64
}{{"week", 7 * 86400}, {"day", 86400}, {"hour", 3600}, {"minute", 60}, {"second", 1}}
