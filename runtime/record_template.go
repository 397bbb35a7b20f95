package runtime

import (
	"strconv"
	"time"

	"github.com/machinable-go/machinable/storage"
)

// Rows saved in a loop differ from one to the next in little but their
// values and the microseconds of their time: within one second, and while
// the whole seconds and the words of their timing stay the same, the rest
// of the row is the same bytes. A rowTemplate holds those bytes between
// the parts that change, so a row is a few copies and its values.

// templateKey is what a template's bytes depend on besides the plan.
type templateKey struct {
	sec                   int64 // the Unix second of _time and _timestamp
	iterSecs, totalSecs   int64
	iterWords, totalWords string
	number                int
}

// rowTemplate is a plan's row for one key: text, then what fills the
// next gap, and so on.
type rowTemplate struct {
	key   templateKey
	parts []templatePart
}

type templatePart struct {
	text []byte
	fill int // a pending field's index (>= 0), or fill...
}

const (
	fillNone      = -1 - iota // the end of the row
	fillMicros                // _time's six digits of microseconds
	fillFraction              // _timestamp's fraction
	fillTimestamp             // _timestamp whole, outside the seconds fillFraction takes
)

// encode appends the row of set stamped st as one JSON object, from the
// template of st's key; the writer's lock is held.
func (e *planEncoder) encode(dst []byte, set []storage.Field, st rowStamp) ([]byte, error) {
	us := st.now.UnixMicro()
	t := &e.r.encText
	key := templateKey{
		sec: st.now.Unix(), iterSecs: int64(st.iteration / time.Second), totalSecs: int64(st.total / time.Second),
		iterWords: t.durationWords(st.iteration).(string), totalWords: t.durationWords(st.total).(string),
		number: st.number,
	}
	if e.tmpl == nil || e.tmpl.key != key {
		e.tmpl = e.newTemplate(key, st.now)
	}
	for _, part := range e.tmpl.parts {
		dst = append(dst, part.text...)
		switch part.fill {
		case fillNone:
		case fillMicros:
			dst = appendSixDigits(dst, st.now.Nanosecond()/1000)
		case fillFraction:
			dst = storage.AppendJSONMicrosFraction(dst, us%1e6)
		case fillTimestamp:
			dst = storage.AppendJSONMicros(dst, us)
		default:
			var err error
			if dst, err = storage.AppendJSONValue(dst, set[part.fill].Value); err != nil {
				return dst, err
			}
		}
	}
	return dst, nil
}

// newTemplate writes out the plan's row for key; now is a time of its
// second.
func (e *planEncoder) newTemplate(key templateKey, now time.Time) *rowTemplate {
	tmpl := &rowTemplate{key: key}
	text := []byte{'{'}
	gap := func(fill int) {
		tmpl.parts = append(tmpl.parts, templatePart{text: text, fill: fill})
		text = nil
	}
	head, tail := e.r.encText.timeParts(now)
	for _, s := range e.p.steps {
		text = append(text, s.head...)
		switch s.field {
		case stepSecondsTaken:
			text = strconv.AppendInt(text, key.iterSecs, 10)
		case stepTime:
			text = append(append(text, '"'), head...)
			gap(fillMicros)
			text = append(append(text, tail...), '"')
		case stepTimeTaken:
			text = appendWords(text, key.iterWords)
		case stepTimestamp:
			if key.sec < 1 || key.sec >= 1<<32 { // AppendJSONMicros' general case
				gap(fillTimestamp)
				break
			}
			text = strconv.AppendInt(text, key.sec, 10)
			gap(fillFraction)
		case stepTotalSecondsTaken:
			text = strconv.AppendInt(text, key.totalSecs, 10)
		case stepTotalTimeTaken:
			text = appendWords(text, key.totalWords)
		case stepIteration:
			text = strconv.AppendInt(text, int64(key.number), 10)
		default:
			gap(s.field)
		}
	}
	text = append(text, '}')
	gap(fillNone)
	return tmpl
}
