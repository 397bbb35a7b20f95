// Package jsonvalue decodes JSON into the plain value types used across
// machinable (int64 for whole numbers, float64, string, bool, nil,
// map[string]any, []any), so that config survives a round trip through
// storage without ints turning into floats.
package jsonvalue

import (
	"bytes"
	"encoding/json"
	"math"
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

// KeepFloats returns a copy of v in which whole float64 values are
// json.Number literals with a ".0" (2.0 stays 2.0 instead of becoming 2),
// so a config value that was a float is a float again after a round trip
// through storage. Maps and slices are copied; v is not modified.
func KeepFloats(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) && math.Abs(x) < 1e21 {
			return json.Number(strconv.FormatFloat(x, 'f', -1, 64) + ".0")
		}
		return x
	case map[string]any:
		if x == nil {
			return x
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = KeepFloats(e)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = KeepFloats(e)
		}
		return out
	}
	return v
}

// KeepFloatsMap is KeepFloats for a map, keeping nil as nil.
func KeepFloatsMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return KeepFloats(m).(map[string]any)
}

// DeepCopy copies maps and slices of plain values.
func DeepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return x
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = DeepCopy(e)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = DeepCopy(e)
		}
		return out
	}
	return v
}

// Float returns a number of any of the types config values come in (int,
// int64, float64, json.Number) as a float64; ok is false for anything
// else.
func Float(v any) (f float64, ok bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}
