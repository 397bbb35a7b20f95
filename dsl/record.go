package dsl

import (
	"encoding/json"
	"fmt"
	"math"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
	"go.starlark.net/starlark"
)

// recordValue is self.record or a writer from get_record_writer(scope):
// record["k"] = v, record.write(k, v), record.update(dict), len(record),
// record.empty(), record.timing(...), record.save(echo, force).
type recordValue struct {
	r     *runtime.Record
	scope string
	self  *runtime.Self
	// words are the last _time_taken and _total_time_taken as Starlark
	// values: in a loop they repeat from row to row.
	words    [2]atomic.Pointer[starlark.String]
	saveOnce sync.Once
	saveFn   *starlark.Builtin        // record.save, made once: called per row
	saveSite atomic.Pointer[callSite] // where save() was last called from
}

var (
	_ starlark.HasSetKey = (*recordValue)(nil)
	_ starlark.HasAttrs  = (*recordValue)(nil)
	_ starlark.Sequence  = (*recordValue)(nil)
)

func (r *recordValue) String() string        { return fmt.Sprintf("<record %s>", r.scope) }
func (r *recordValue) Type() string          { return "record" }
func (r *recordValue) Freeze()               {}
func (r *recordValue) Truth() starlark.Bool  { return starlark.Bool(r.r.Pending()) }
func (r *recordValue) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: record") }

// Len is the number of values in the pending row, as 2.x's len(record).
func (r *recordValue) Len() int { return r.r.Len() }

// Iterate yields the keys of the pending row, like a dict.
func (r *recordValue) Iterate() starlark.Iterator {
	keys := r.r.Keys()
	elems := make([]starlark.Value, len(keys))
	for i, k := range keys {
		elems[i] = starlark.String(k)
	}
	return starlark.NewList(elems).Iterate()
}

func (r *recordValue) Get(k starlark.Value) (starlark.Value, bool, error) {
	key, ok := k.(starlark.String)
	if !ok {
		return nil, false, fmt.Errorf("record keys are strings, got %s", k.Type())
	}
	v, found := r.r.Get(string(key))
	if !found {
		return nil, false, nil
	}
	return toStarlark(v), true, nil
}

func (r *recordValue) SetKey(k, v starlark.Value) error {
	key, ok := k.(starlark.String)
	if !ok {
		return fmt.Errorf("record keys are strings, got %s", k.Type())
	}
	return r.set("record[%q]", string(key), v)
}

func (r *recordValue) set(what, key string, v starlark.Value) error {
	g, err := fromStarlark(v)
	if err != nil {
		return fmt.Errorf(what+": %w", key, err)
	}
	r.r.Set(key, g)
	return nil
}

var recordMethods = []string{"empty", "pop", "save", "timing", "update", "write"}

func (r *recordValue) AttrNames() []string { return recordMethods }

func (r *recordValue) Attr(name string) (starlark.Value, error) {
	var fn func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error)
	switch name {
	case "save":
		r.saveOnce.Do(func() { r.saveFn = starlark.NewBuiltin(name, r.save) })
		return r.saveFn, nil
	case "write":
		fn = r.write
	case "timing":
		fn = r.timing
	case "pop":
		fn = r.pop
	case "update":
		fn = r.update
	case "empty":
		fn = func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := unpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			return starlark.Bool(!r.r.Pending()), nil
		}
	default:
		return nil, noSuchAttr(r, name)
	}
	return starlark.NewBuiltin(name, fn), nil
}

// save appends the pending row and returns it as written; an empty row
// is not written unless force=True, as in 2.x. echo=True prints the row.
// A save() whose result is dropped unseen (a statement of its own, as
// nearly always) makes no dict of the row: most of a row's cost.
func (r *recordValue) save(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var echo, force bool
	if len(args) > 0 || len(kwargs) > 0 {
		var err error
		if echo, force, err = saveArgs(b, args, kwargs); err != nil {
			return nil, err
		}
	}
	if !echo && resultDiscarded(thread, &r.saveSite) {
		return starlark.None, r.r.Append(force)
	}
	fields, err := r.r.SaveFields(force)
	if err != nil {
		return nil, err
	}
	if echo && len(fields) > 0 && r.self != nil && r.self.Output != nil {
		data, err := json.MarshalIndent(jsonvalue.KeepFloatsMap(storage.FieldsMap(fields)), "", "  ")
		if err != nil {
			return nil, err
		}
		where := path.Join("records", r.scope+".jsonl")
		if dir, ok := r.self.Store.LocalPath(); ok {
			where = path.Join(dir, where)
		}
		fmt.Fprintf(r.self.Output, "%s\n%s\n", where, data)
	}
	return r.rowToStarlark(fields), nil
}

// saveArgs unpacks save()'s arguments: apart, as unpacking takes their
// addresses, which would cost every save() two allocations.
func saveArgs(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (echo, force bool, err error) {
	err = unpackArgs(b.Name(), args, kwargs, "echo?", &echo, "force?", &force)
	return echo, force, err
}

// rowToStarlark is toStarlark for a saved row, cheaper: save() runs once
// per row, often a million times, and most of what it returns is the
// same from row to row.
func (r *recordValue) rowToStarlark(fields []storage.Field) *starlark.Dict {
	d := starlark.NewDict(len(fields))
	for _, f := range fields {
		k, slot := metaKeyValue(f.Key)
		var v starlark.Value
		if s, ok := f.Value.(string); ok && slot >= 0 {
			p := r.words[slot].Load()
			if p == nil || string(*p) != s {
				p = new(starlark.String)
				*p = starlark.String(s)
				r.words[slot].Store(p)
			}
			v = *p
		} else {
			v = toStarlark(f.Value)
		}
		_ = d.SetKey(k, v)
	}
	return d
}

// The meta fields' names as Starlark values, made once.
var (
	keySecondsTaken      starlark.Value = starlark.String("_seconds_taken")
	keyTime              starlark.Value = starlark.String("_time")
	keyTimeTaken         starlark.Value = starlark.String("_time_taken")
	keyTimestamp         starlark.Value = starlark.String("_timestamp")
	keyTotalSecondsTaken starlark.Value = starlark.String("_total_seconds_taken")
	keyTotalTimeTaken    starlark.Value = starlark.String("_total_time_taken")
	keyIteration         starlark.Value = starlark.String("_iteration")
)

// metaKeyValue is k as a Starlark value and, for the words of a
// duration, which slot of recordValue.words caches them (else -1).
func metaKeyValue(k string) (starlark.Value, int) {
	if len(k) > 0 && k[0] == '_' {
		switch k {
		case "_seconds_taken":
			return keySecondsTaken, -1
		case "_time":
			return keyTime, -1
		case "_time_taken":
			return keyTimeTaken, 0
		case "_timestamp":
			return keyTimestamp, -1
		case "_total_seconds_taken":
			return keyTotalSecondsTaken, -1
		case "_total_time_taken":
			return keyTotalTimeTaken, 1
		case "_iteration":
			return keyIteration, -1
		}
	}
	return starlark.String(k), -1
}

// write is record.write(key, value, fmt=None): 2.0's fmt="seconds" stores
// a number of seconds as Python writes a timedelta ("1:02:03").
func (r *recordValue) write(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key string
	var value starlark.Value
	var format starlark.Value = starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "key", &key, "value", &value, "fmt?", &format); err != nil {
		return nil, err
	}
	switch format {
	case starlark.None:
	case starlark.String("seconds"):
		secs, ok := starlark.AsFloat(value)
		if !ok {
			return nil, fmt.Errorf("record.write(%q, fmt=\"seconds\"): expected a number of seconds, got %s", key, value.Type())
		}
		value = starlark.String(timedeltaString(secs))
	default:
		return nil, fmt.Errorf("record.write(%q): fmt %s: expected None or \"seconds\"", key, format)
	}
	return starlark.None, r.set("record.write(%q)", key, value)
}

// timedeltaString writes seconds as Python's str(datetime.timedelta):
// "0:00:05", "1 day, 2:03:04", "-1 day, 23:59:59", "0:00:01.500000".
func timedeltaString(secs float64) string {
	us := int64(math.Round(secs * 1e6))
	days := us / 86400e6
	rem := us % 86400e6
	if rem < 0 { // Python normalizes to a negative day and a positive rest
		rem += 86400e6
		days--
	}
	s := rem / 1e6
	out := fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	if frac := rem % 1e6; frac != 0 {
		out += fmt.Sprintf(".%06d", frac)
	}
	switch {
	case days == 1 || days == -1:
		out = fmt.Sprintf("%d day, %s", days, out)
	case days != 0:
		out = fmt.Sprintf("%d days, %s", days, out)
	}
	return out
}

// timing is record.timing(mode="iteration", end=None, return_type="seconds"):
// the seconds (or words) since the previous row ("iteration"), since the
// first ("total"), or their average per row ("avg"). 2.0 calls end
// timestamp; both names are taken.
func (r *recordValue) timing(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	mode, returnType := "iteration", "seconds"
	var end, timestamp starlark.Value = starlark.None, starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "mode?", &mode, "end?", &end, "return_type?", &returnType, "timestamp?", &timestamp); err != nil {
		return nil, err
	}
	if end == starlark.None {
		end = timestamp
	}
	at, err := timingEnd(end)
	if err != nil {
		return nil, err
	}
	d, err := r.r.Timing(mode, at)
	if err != nil {
		return nil, err
	}
	switch returnType {
	case "seconds":
		secs := int64(d / time.Second) // whole seconds, as 2.x's in_seconds()
		if secs <= 0 {
			return starlark.Float(1e-15), nil // 2.x's guard against dividing by zero
		}
		return starlark.MakeInt64(secs), nil
	case "words":
		return starlark.String(runtime.DurationWords(d)), nil
	case "period":
		return nil, fmt.Errorf("record.timing: return_type \"period\" is a Python (pendulum) object; use \"seconds\" or \"words\"")
	}
	return nil, fmt.Errorf("record.timing: return_type %q: expected \"seconds\" or \"words\"", returnType)
}

// timingEnd reads timing's end: None (now), Unix seconds, or an ISO time.
func timingEnd(v starlark.Value) (time.Time, error) {
	switch x := v.(type) {
	case starlark.NoneType:
		return time.Now(), nil
	case starlark.String:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999-07:00", "2006-01-02"} {
			if t, err := time.ParseInLocation(layout, string(x), time.Local); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("record.timing: end %q: expected an ISO time such as \"2026-01-02T15:04:05+01:00\"", string(x))
	}
	if f, ok := starlark.AsFloat(v); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)), nil
	}
	return time.Time{}, fmt.Errorf("record.timing: end: expected None, Unix seconds or an ISO time, got %s", v.Type())
}

// pop removes a key from the pending row and returns its value (Starlark
// has no del record[key]); a default is returned for a missing key.
func (r *recordValue) pop(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var key string
	var def starlark.Value
	if err := unpackPositionalArgs(b.Name(), args, kwargs, 1, &key, &def); err != nil {
		return nil, err
	}
	v, ok := r.r.Get(key)
	if !ok || !r.r.Delete(key) {
		if def != nil {
			return def, nil
		}
		keys := r.r.Keys()
		sort.Strings(keys)
		return nil, fmt.Errorf("record.pop(%q): not in the pending row (it holds %s)", key, strings.Join(quoteAll(keys), ", "))
	}
	return toStarlark(v), nil
}

func quoteAll(keys []string) []string {
	if len(keys) == 0 {
		return []string{"nothing"}
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%q", k)
	}
	return out
}

func (r *recordValue) update(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var d starlark.Value = starlark.None
	if err := unpackPositionalArgs(b.Name(), args, nil, 0, &d); err != nil {
		return nil, err
	}
	values, err := fromStarlarkMap("record.update", d)
	if err != nil {
		return nil, err
	}
	if values == nil {
		values = map[string]any{}
	}
	for _, kv := range kwargs {
		g, err := fromStarlark(kv[1])
		if err != nil {
			return nil, err
		}
		values[string(kv[0].(starlark.String))] = g
	}
	r.r.Update(values)
	return starlark.None, nil
}
