// Package jsonvalue decodes JSON into the plain value types used across
// machinable (int64 for whole numbers, float64, string, bool, nil,
// map[string]any, []any), so that config survives a round trip through
// storage without ints turning into floats.
package jsonvalue

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Normalize converts what encoding/json decodes with UseNumber into the
// plain value types, in place where it can.
func Normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = Normalize(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = Normalize(e)
		}
		return x
	}
	return v
}

// NormalizeMap is Normalize for a map, keeping nil as nil.
func NormalizeMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return Normalize(m).(map[string]any)
}

// Unmarshal decodes data into v with exact whole numbers; values of type
// any inside v still hold json.Number and need Normalize.
func Unmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// Decode decodes data into a plain value.
func Decode(data []byte) (any, error) {
	var v any
	if err := Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return Normalize(v), nil
}
