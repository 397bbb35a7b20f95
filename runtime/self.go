package runtime

import (
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/machinable-go/machinable/seeding"
	"github.com/machinable-go/machinable/storage"
)

// Self is what a component sees of itself: identity, config, flags and the
// services of its store. The dsl wraps it as the Starlark `self`; Go
// components receive it directly.
type Self struct {
	ID         string         // the 12-character component ID
	Name       string         // full name, as in ScheduledComponent
	Module     string         // dotted path of the component's code
	Config     map[string]any // the component's own copy; it may change it, as in 2.x
	Flags      map[string]any // the component may add keys
	Checkpoint string         // what on_restore receives; "" for none

	Store  *storage.Component // the component's directory
	Record *Record            // the "default" record scope
	Log    *Logger            // writes to log.txt and the console
	Output io.Writer          // where print() goes

	Node       *Self   // set on sub-components, from their construction on
	Components []*Self // set on nodes: each sub-component once it is built in on_init_components

	// Random is the component's Python-compatible random stream: the
	// Starlark `random` module draws from it, and the default seeding
	// (after on_seeding) seeds it with SEED, so draws from then on equal
	// Python's random.Random(SEED). Sub-components share their node's.
	Random *seeding.Random
	// Rand is a math/rand/v2 generator over Random, for Go components.
	Rand *rand.Rand

	// Project is the project directory (where external programs run).
	Project string
	// Requeue is closed when the scheduler asks for a requeue (Slurm's
	// pre-timeout signal); components that implement RequeueHandler watch
	// it themselves.
	Requeue <-chan struct{}

	// Mixins are the mixins listed in the config's _mixins_, with their
	// code; see Mixin and CallMixin.
	Mixins []*MixinRef

	// Attrs holds state a Go component keeps between events.
	Attrs map[string]any

	// Iteration is the current iteration number, -1 outside iterations.
	Iteration int

	// SaveCheckpoint calls on_save of the component; set by the life cycle.
	SaveCheckpoint func(timestep any) (string, error)

	writers sync.Map // scope -> *Record

	trial *trialState // set on a tuning trial's node run with a Tuner

	// executeStart is when on_execute began (Unix nanoseconds, atomic: a
	// goroutine of the component may save a row meanwhile): records time
	// their first row from it, as 2.0's statistics["on_execute_start"].
	executeStart atomic.Int64
}

// MarkExecuteStart notes that the component's execution begins now.
func (s *Self) MarkExecuteStart() { s.executeStart.Store(time.Now().UnixNano()) }

// RecordWriter returns the record of a scope, creating it on first use.
func (s *Self) RecordWriter(scope string) (*Record, error) {
	if scope == "" || scope == "default" {
		return s.Record, nil
	}
	if r, ok := s.writers.Load(scope); ok {
		return r.(*Record), nil
	}
	w, err := s.Store.Records(scope)
	if err != nil {
		return nil, err
	}
	r, _ := s.writers.LoadOrStore(scope, newRecord(w, s))
	return r.(*Record), nil
}

// RecordScopes lists the scopes whose records this component has asked
// for: "default" and each RecordWriter scope, sorted.
func (s *Self) RecordScopes() []string {
	scopes := []string{"default"}
	s.writers.Range(func(k, _ any) bool {
		scopes = append(scopes, k.(string))
		return true
	})
	slices.Sort(scopes)
	return scopes
}

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

	timeSec            int64  // the second timeHead and timeTail are of
	timeHead, timeTail string // _time but its microseconds

	wordsSecs int64 // the whole seconds words is of
	words     any   // DurationWords of them, as the next row likely needs
	// report, set on a tuning trial's default record, sees each row once
	// it is stored; its error (a *TrialStop) is what save() returns.
	report func(row map[string]any) error
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
	_, err := r.SaveFields(true)
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
// by key: no map per row, for callers that save a row a million times in
// a loop (storage.FieldsMap makes one). Every row is saved here.
func (r *Record) SaveFields(force bool) ([]storage.Field, error) {
	r.mu.Lock()
	set := r.row
	if len(set) == 0 && !force {
		r.mu.Unlock()
		return nil, nil
	}
	now := time.Now()
	iteration := r.elapsed("iteration", now)
	total := r.elapsed("total", now)
	row := make([]storage.Field, 0, len(set)+len(metaKeys)+1)
	for _, f := range set {
		if !isMetaKey(f.Key) { // the meta fields win, as they are set last
			row = append(row, f)
		}
	}
	row = append(row,
		storage.Field{Key: "_seconds_taken", Value: int64(iteration / time.Second)},
		storage.Field{Key: "_time", Value: r.formatTime(now)},
		storage.Field{Key: "_time_taken", Value: r.durationWords(iteration)},
		storage.Field{Key: "_timestamp", Value: float64(now.UnixMicro()) / 1e6},
		storage.Field{Key: "_total_seconds_taken", Value: int64(total / time.Second)},
		storage.Field{Key: "_total_time_taken", Value: r.durationWords(total)})
	if r.self != nil && r.self.Iteration >= 0 && !slices.ContainsFunc(set, func(f storage.Field) bool { return f.Key == "_iteration" }) {
		row = append(row, storage.Field{Key: "_iteration", Value: r.self.Iteration})
	}
	clear(set)
	r.row = set[:0] // the next row reuses it
	if r.first.IsZero() {
		r.first = now
	}
	r.last = now
	r.saved++
	r.mu.Unlock()
	sortFields(row)
	if err := r.writer.AppendFields(row); err != nil {
		return row, err
	}
	if r.report != nil { // a tuning trial: its scheduler sees every row
		return row, r.report(storage.FieldsMap(row))
	}
	return row, nil
}

// sortFields sorts a row's fields by key: usually a few, the meta ones
// in order already, which an insertion sort does fastest.
func sortFields(row []storage.Field) {
	if len(row) > 16 {
		slices.SortFunc(row, func(a, b storage.Field) int { return strings.Compare(a.Key, b.Key) })
		return
	}
	for i := 1; i < len(row); i++ {
		for j := i; j > 0 && row[j].Key < row[j-1].Key; j-- {
			row[j], row[j-1] = row[j-1], row[j]
		}
	}
}

// metaKeys are the meta fields of every saved row, sorted.
var metaKeys = []string{"_seconds_taken", "_time", "_time_taken", "_timestamp", "_total_seconds_taken", "_total_time_taken"}

func isMetaKey(k string) bool {
	return len(k) > 0 && k[0] == '_' && slices.Contains(metaKeys, k)
}

// formatTime is now.Format("2006-01-02T15:04:05.000000-07:00"), with the
// parts but the microseconds formatted once per second; r.mu is held.
func (r *Record) formatTime(now time.Time) string {
	if sec := now.Unix(); sec != r.timeSec || r.timeHead == "" {
		r.timeSec = sec
		r.timeHead = now.Format("2006-01-02T15:04:05.")
		r.timeTail = now.Format("-07:00")
	}
	b := make([]byte, 0, len(r.timeHead)+6+len(r.timeTail))
	b = append(b, r.timeHead...)
	us := now.Nanosecond() / 1000
	for d := 100000; d > 0; d /= 10 {
		b = append(b, byte('0'+us/d%10))
	}
	return string(append(b, r.timeTail...))
}

// Timing is 2.x's record.timing(mode, end): the time from the previous
// row ("iteration"), from the first row ("total"), or "total" divided by
// the rows saved ("avg"), to end. Before any row, the start is when the
// component's execution began.
func (r *Record) Timing(mode string, end time.Time) (time.Duration, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch mode {
	case "iteration", "total":
		return r.elapsed(mode, end), nil
	case "avg":
		d := r.elapsed("total", end)
		if r.saved > 0 {
			d /= time.Duration(r.saved)
		}
		return d, nil
	}
	return 0, fmt.Errorf("record.timing: mode %q: expected \"iteration\", \"avg\" or \"total\"", mode)
}

// elapsed is the time to end from the previous row (iteration) or the
// first (total); r.mu is held. (2.0 counted from the start's whole
// second, which made every short iteration look as long as the time
// since that second began.)
func (r *Record) elapsed(mode string, end time.Time) time.Duration {
	start := r.created
	if r.self != nil {
		if ns := r.self.executeStart.Load(); ns != 0 {
			start = time.Unix(0, ns)
		}
	}
	switch {
	case mode == "iteration" && !r.last.IsZero():
		start = r.last
	case mode == "total" && !r.first.IsZero():
		start = r.first
	}
	d := end.Sub(start)
	if d < 0 {
		return 0
	}
	return d
}

// durationWords is DurationWords as an interface value, made once where
// it repeats from row to row: under a second (a table), and in whole
// seconds (the last ones); r.mu is held.
func (r *Record) durationWords(d time.Duration) any {
	if d >= time.Second {
		secs := int64(d / time.Second)
		if r.words == nil || secs != r.wordsSecs {
			r.wordsSecs, r.words = secs, DurationWords(d)
		}
		return r.words
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

// Logger writes "time LEVEL message" lines to the component's log.txt and
// to the console.
type Logger struct {
	file    io.Writer
	console io.Writer
	prefix  string
}

// NewLogger returns a logger; console may be nil.
func NewLogger(file, console io.Writer, prefix string) *Logger {
	return &Logger{file: file, console: console, prefix: prefix}
}

// Log writes one line at a level (DEBUG, INFO, WARNING, ERROR).
func (l *Logger) Log(level, msg string) error {
	line := fmt.Sprintf("%s %s %s\n", time.Now().Format("2006-01-02T15:04:05.000"), level, msg)
	if l.console != nil {
		fmt.Fprintf(l.console, "%s%s: %s\n", l.prefix, level, msg)
	}
	_, err := io.WriteString(l.file, line)
	return err
}

// NewRandom returns a fresh, unseeded (entropy-seeded) stream and a
// math/rand/v2 generator over it, as every component starts with.
func NewRandom() (*seeding.Random, *rand.Rand) {
	r := seeding.New(seeding.FreshGlobalSeed())
	return r, rand.New(pythonSource{r})
}

// pythonSource adapts the Python-compatible stream to math/rand/v2, so a
// Go component seeded by machinable is reproducible too.
type pythonSource struct{ r *seeding.Random }

// Uint64 implements rand.Source with 64 bits of the Python stream.
func (p pythonSource) Uint64() uint64 { return p.r.GetRandBits64(64) }
