package storage

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// appendRow appends row as encoding/json writes it (keys sorted, no HTML
// escaping) with whole floats kept as floats ("2.0", jsonvalue.KeepFloats),
// without the newline. Plain values — what rows almost always hold — are
// written directly; anything else goes through encoding/json, so the
// bytes are the same either way.
// keys are row's keys, sorted.
func appendRow(dst []byte, row map[string]any, keys []string) ([]byte, error) {
	dst = append(dst, '{')
	for i, k := range keys {
		var err error
		if dst, err = appendField(dst, i, k, row[k]); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// Field is one value of a record row.
type Field struct {
	Key   string
	Value any
}

// FieldsMap is a row of fields as a map.
func FieldsMap(fields []Field) map[string]any {
	m := make(map[string]any, len(fields))
	for _, f := range fields {
		m[f.Key] = f.Value
	}
	return m
}

// AppendJSONValue appends v as a row's value is written.
func AppendJSONValue(dst []byte, v any) ([]byte, error) { return appendValue(dst, v) }

// AppendJSONString appends s quoted as a row's key or string value is.
func AppendJSONString(dst []byte, s string) ([]byte, error) { return appendJSONString(dst, s) }

// appendField writes the i-th "key":value of a row.
func appendField(dst []byte, i int, k string, v any) ([]byte, error) {
	if i > 0 {
		dst = append(dst, ',')
	}
	if len(k) > 0 && k[0] == '_' && plainMeta(k) { // every row has them
		dst = append(dst, '"')
		dst = append(dst, k...)
		dst = append(dst, '"', ':')
		return appendValue(dst, v)
	}
	dst, err := appendJSONString(dst, k)
	if err != nil {
		return dst, err
	}
	return appendValue(append(dst, ':'), v)
}

// plainMeta reports whether k is a meta field's name, which needs no
// escaping.
func plainMeta(k string) bool {
	switch k {
	case "_seconds_taken", "_time", "_time_taken", "_timestamp", "_total_seconds_taken", "_total_time_taken", "_iteration":
		return true
	}
	return false
}

func appendValue(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case string:
		return appendJSONString(dst, x)
	case float64:
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			return appendFloat(dst, x), nil
		}
	}
	return appendJSON(dst, jsonvalue.KeepFloats(v))
}

// appendFloat writes a finite float as KeepFloats and encoding/json do.
func appendFloat(dst []byte, x float64) []byte {
	if d, ok := appendMicros(dst, x); ok {
		return d
	}
	return appendFloatAny(dst, x)
}

// appendFloatAny is appendFloat for any finite float.
func appendFloatAny(dst []byte, x float64) []byte {
	abs := math.Abs(x)
	if x == math.Trunc(x) && abs < 1e21 {
		dst = strconv.AppendFloat(dst, x, 'f', -1, 64)
		return append(dst, ".0"...)
	}
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, x, format, -1, 64)
	if format == 'e' { // e-07 -> e-7, as encoding/json
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// appendJSONString quotes plain ASCII directly and leaves every other
// string to encoding/json, whose escaping it must match.
func appendJSONString(dst []byte, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			return appendJSON(dst, s)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"'), nil
}

// appendJSON is encoding/json without HTML escaping, without newline.
func appendJSON(dst []byte, v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return dst, err
	}
	return append(dst, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...), nil
}

// appendMicros writes x as appendFloat does when x is a number of whole
// microseconds in [1, 2^32) as float64(us)/1e6 gives it, as every row's
// _timestamp is, without strconv's general search for the shortest
// digits: below 2^32 floats are closer together than a microsecond, so
// the shortest decimal that reads back as x is us/1e6 itself.
func appendMicros(dst []byte, x float64) ([]byte, bool) {
	if !(x >= 1 && x < 1<<32) {
		return dst, false
	}
	us := int64(math.Round(x * 1e6))
	if float64(us)/1e6 != x {
		return dst, false
	}
	return appendMicrosDigits(dst, us), true
}

// AppendJSONMicros appends float64(us)/1e6 (a time in Unix seconds, to
// the microsecond) as AppendJSONValue writes that float, from the whole
// microseconds when they are in appendMicros' range: the digits are
// then us's own.
func AppendJSONMicros(dst []byte, us int64) []byte {
	if us < 1e6 || us >= 1<<32*1e6 {
		return appendFloatAny(dst, float64(us)/1e6)
	}
	return appendMicrosDigits(dst, us)
}

// appendMicrosDigits writes us/1e6 with the fraction's trailing zeros
// dropped, or ".0".
func appendMicrosDigits(dst []byte, us int64) []byte {
	return AppendJSONMicrosFraction(strconv.AppendInt(dst, us/1e6, 10), us%1e6)
}

// AppendJSONMicrosFraction is what AppendJSONMicros writes after the
// whole seconds (us/1e6) for a us in its fast range: the fraction
// frac (us%1e6) without trailing zeros, or ".0".
func AppendJSONMicrosFraction(dst []byte, frac int64) []byte {
	if frac == 0 {
		return append(dst, ".0"...)
	}
	// Constant divisors, which compile to multiplications: a row's
	// timestamp is written a million times in a loop.
	dst = append(dst, '.', byte('0'+frac/100000), byte('0'+frac/10000%10), byte('0'+frac/1000%10),
		byte('0'+frac/100%10), byte('0'+frac/10%10), byte('0'+frac%10))
	for dst[len(dst)-1] == '0' { // frac is not 0: a digit stops it
		dst = dst[:len(dst)-1]
	}
	return dst
}
