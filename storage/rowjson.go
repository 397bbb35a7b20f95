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
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendJSONString(dst, k); err != nil {
			return dst, err
		}
		dst = append(dst, ':')
		if dst, err = appendValue(dst, row[k]); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
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
