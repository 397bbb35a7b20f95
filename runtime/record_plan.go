package runtime

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// A component saving rows in a loop sets the same keys row after row, so
// how such a row is written is worked out once, for its keys: which field
// comes where in key order, and each key already encoded. A row then
// costs its values and the meta fields' numbers, written straight into
// the file's buffer.

// rowStamp is what save adds to a row: its time, the times since the
// previous and the first row, and the component's iteration (-1: none).
type rowStamp struct {
	now              time.Time
	iteration, total time.Duration
	number           int
}

// pack is the stamp as the writer keeps it for a row it encodes later.
func (st rowStamp) pack() storage.RowStamp {
	return storage.RowStamp{st.now.UnixNano(), int64(st.iteration), int64(st.total), int64(st.number)}
}

func unpackStamp(s storage.RowStamp) rowStamp {
	return rowStamp{now: time.Unix(0, s[0]), iteration: time.Duration(s[1]), total: time.Duration(s[2]), number: int(s[3])}
}

// planEncoder encodes the rows of a plan that the record's writer
// queued (storage.RowEncoder).
type planEncoder struct {
	r    *Record
	p    *rowPlan
	tmpl *rowTemplate // the last rows' bytes; the writer's lock is held
}

func (e *planEncoder) EncodeRow(dst []byte, fields []storage.Field, stamp storage.RowStamp) []byte {
	dst, _ = e.encode(dst, fields, unpackStamp(stamp)) // plain values: no error
	return dst
}

// encoder is the plan's encoder for rows of r, made once.
func (p *rowPlan) encoder(r *Record) *planEncoder {
	if p.enc == nil || p.enc.r != r {
		p.enc = &planEncoder{r: r, p: p}
	}
	return p.enc
}

// metaKeys are the meta fields of every saved row, sorted; the values a
// component sets under these names are replaced, as 2.x sets them last.
// _iteration is not among them: the component's own wins.
var metaKeys = []string{"_seconds_taken", "_time", "_time_taken", "_timestamp", "_total_seconds_taken", "_total_time_taken"}

func isMetaKey(k string) bool {
	return len(k) > 0 && k[0] == '_' && slices.Contains(metaKeys, k)
}

// The meta fields, as rowStep.field: below 0, where the pending row's
// fields are counted from 0.
const (
	stepSecondsTaken = -1 - iota
	stepTime
	stepTimeTaken
	stepTimestamp
	stepTotalSecondsTaken
	stepTotalTimeTaken
	stepIteration
)

// metaSteps are the meta fields in metaKeys' order.
var metaSteps = [...]int{stepSecondsTaken, stepTime, stepTimeTaken, stepTimestamp, stepTotalSecondsTaken, stepTotalTimeTaken}

// rowPlan writes rows whose pending fields have keys, in this order.
type rowPlan struct {
	keys      []string // the pending row's keys, in the order they were set
	iteration bool     // the component's iteration is written as _iteration
	steps     []rowStep
	enc       *planEncoder // made on first use, under the record's r.mu
}

// rowStep is one field of the row in key order.
type rowStep struct {
	key   string
	head  []byte // the key encoded: `"key":`, after a comma but first
	field int    // the pending row's index, or a meta field (step...)
}

// fits reports whether rows of these pending fields are written by p.
func (p *rowPlan) fits(set []storage.Field, iteration bool) bool {
	if p == nil || len(p.keys) != len(set) || p.iteration != iteration {
		return false
	}
	for i := range set {
		if set[i].Key != p.keys[i] {
			return false
		}
	}
	return true
}

func newRowPlan(set []storage.Field, iteration bool) *rowPlan {
	p := &rowPlan{keys: make([]string, len(set))}
	ownIteration := false
	for i, f := range set {
		p.keys[i] = f.Key
		if !isMetaKey(f.Key) {
			p.steps = append(p.steps, rowStep{key: f.Key, field: i})
		}
		ownIteration = ownIteration || f.Key == "_iteration"
	}
	for i, k := range metaKeys {
		p.steps = append(p.steps, rowStep{key: k, field: metaSteps[i]})
	}
	if iteration && !ownIteration {
		p.steps = append(p.steps, rowStep{key: "_iteration", field: stepIteration})
	}
	p.iteration = iteration
	slices.SortFunc(p.steps, func(a, b rowStep) int { return strings.Compare(a.key, b.key) })
	for i := range p.steps {
		var head []byte
		if i > 0 {
			head = append(head, ',')
		}
		head, _ = storage.AppendJSONString(head, p.steps[i].key) // a string always encodes
		p.steps[i].head = append(head, ':')
	}
	return p
}

// rowFields is the row a planEncoder writes, as fields in key order;
// r.mu is held.
func (r *Record) rowFields(p *rowPlan, set []storage.Field, st rowStamp) []storage.Field {
	row := make([]storage.Field, len(p.steps))
	for i, s := range p.steps {
		var v any
		switch s.field {
		case stepSecondsTaken:
			v = int64(st.iteration / time.Second)
		case stepTime:
			v = string(r.text.appendTime(nil, st.now))
		case stepTimeTaken:
			v = r.text.durationWords(st.iteration)
		case stepTimestamp:
			v = timestamp(st.now)
		case stepTotalSecondsTaken:
			v = int64(st.total / time.Second)
		case stepTotalTimeTaken:
			v = r.text.durationWords(st.total)
		case stepIteration:
			v = st.number
		default:
			v = set[s.field].Value
		}
		row[i] = storage.Field{Key: s.key, Value: v}
	}
	return row
}

// timestamp is _timestamp: Unix seconds, to the microsecond.
func timestamp(now time.Time) float64 { return float64(now.UnixMicro()) / 1e6 }

// appendWords appends the words of a duration quoted: digits, letters,
// dots and spaces, which JSON needs no escape for.
func appendWords(dst []byte, words any) []byte {
	dst = append(dst, '"')
	dst = append(dst, words.(string)...)
	return append(dst, '"')
}

// appendTime appends now.Format("2006-01-02T15:04:05.000000-07:00"),
// with the parts but the microseconds formatted once per second.
func (t *rowText) appendTime(dst []byte, now time.Time) []byte {
	head, tail := t.timeParts(now)
	dst = appendSixDigits(append(dst, head...), now.Nanosecond()/1000)
	return append(dst, tail...)
}

// timeParts are _time before and after its microseconds.
func (t *rowText) timeParts(now time.Time) (head, tail string) {
	if sec := now.Unix(); sec != t.timeSec || t.timeHead == "" {
		t.timeSec = sec
		t.timeHead = now.Format("2006-01-02T15:04:05.")
		t.timeTail = now.Format("-07:00")
	}
	return t.timeHead, t.timeTail
}

// appendSixDigits appends n (below a million) in six digits; constant
// divisors compile to multiplications.
func appendSixDigits(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/100000), byte('0'+n/10000%10), byte('0'+n/1000%10),
		byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}

// plainFields reports whether every value is a number, string, boolean
// or nil, which always encode (a float if finite): such a row may be
// encoded later.
func plainFields(set []storage.Field) bool {
	for _, f := range set {
		switch v := f.Value.(type) {
		case nil, bool, int, int64, string:
		case float64:
			if math.IsInf(v, 0) || math.IsNaN(v) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
