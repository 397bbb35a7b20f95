package project

import (
	"math"
	"reflect"
	"strings"
)

// DeepCopy copies maps (map[string]any) and lists ([]any) recursively;
// other values are immutable in a config and are returned as they are.
func DeepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return copyMap(v)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = DeepCopy(x)
		}
		return out
	default:
		return v
	}
}

// countValues counts the values in v, nested ones included.
func countValues(v any) int {
	n := 1
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			n += countValues(e)
		}
	case []any:
		for _, e := range x {
			n += countValues(e)
		}
	}
	return n
}

// copyMap is DeepCopy for a map, typed; a nil map gives an empty one so
// callers may always add keys.
func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, x := range m {
		out[k] = DeepCopy(x)
	}
	return out
}

// Merge deep-merges patch into a copy of base: maps merge key by key,
// recursively; any other value in patch (lists and nil included) replaces
// the value in base. Neither input is modified and the result shares no
// map or list with them.
func Merge(base, patch map[string]any) map[string]any {
	out := copyMap(base)
	mergeInto(out, copyMap(patch))
	return out
}

// mergeInto merges src into dst in place. src must be owned by the caller:
// its maps and lists are moved into dst, not copied.
func mergeInto(dst, src map[string]any) {
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeInto(dm, sm)
				continue
			}
		}
		dst[k] = sv
	}
}

// Visible returns a copy of config without the keys that start with "_",
// at every depth. Hidden keys stay in the configuration the component
// sees; only what is printed for people leaves them out.
func Visible(config map[string]any) map[string]any {
	return visible(config).(map[string]any)
}

func visible(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if !strings.HasPrefix(k, "_") {
				out[k] = visible(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = visible(x)
		}
		return out
	default:
		return v
	}
}

// normalize turns values built by Go callers (int, float32, []string,
// map[string]int, ...) into the plain config types, so that patches from
// Go look exactly like values parsed from YAML. It always copies.
func normalize(v any) any {
	switch v := v.(type) {
	case nil, string, bool, int64, float64:
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = normalize(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalize(x)
		}
		return out
	case int:
		return int64(v)
	case int8:
		return int64(v)
	case int16:
		return int64(v)
	case int32:
		return int64(v)
	case uint8:
		return int64(v)
	case uint16:
		return int64(v)
	case uint32:
		return int64(v)
	case uint:
		return uintValue(uint64(v))
	case uint64:
		return uintValue(v)
	case float32:
		return float64(v)
	}
	// Typed slices and maps with string keys, by reflection; anything else
	// (a struct, a pointer) is kept as it is.
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = normalize(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return v
		}
		out := make(map[string]any, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			out[iter.Key().String()] = normalize(iter.Value().Interface())
		}
		return out
	}
	return v
}

// uintValue keeps unsigned integers as int64 when they fit; larger ones
// cannot be an int64, so they become the nearest float64.
func uintValue(u uint64) any {
	if u <= math.MaxInt64 {
		return int64(u)
	}
	return float64(u)
}
