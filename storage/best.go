package storage

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// BestQuery says what Best ranks components by: a key of their record
// rows, as Ray Tune's ResultGrid.get_best_result(metric, mode, scope).
type BestQuery struct {
	Metric string // the record key; required
	Mode   string // "min" (the default: "" is "min") or "max"
	// Scope is how a component's rows give its value: "last" (the
	// default) its last row that has the key, "all" its best row, "avg"
	// the mean over its rows that have the key.
	Scope string
	// Records is the record scope read; "" is "default" (self.record).
	Records string
}

// BestModes and BestScopes are the values BestQuery accepts.
var (
	BestModes  = []string{"min", "max"}
	BestScopes = []string{"last", "all", "avg"}
)

// Check fills in the defaults and validates q; the error names what was
// expected.
func (q BestQuery) Check() (BestQuery, error) {
	if q.Mode == "" {
		q.Mode = "min"
	}
	if q.Scope == "" {
		q.Scope = "last"
	}
	if q.Records == "" {
		q.Records = "default"
	}
	switch {
	case q.Metric == "":
		return q, fmt.Errorf("metric: expected the name of a record key, got an empty string")
	case !slices.Contains(BestModes, q.Mode):
		return q, fmt.Errorf("mode: expected %q or %q, got %q", "min", "max", q.Mode)
	case !slices.Contains(BestScopes, q.Scope):
		return q, fmt.Errorf("scope: expected one of %s, got %q", strings.Join(BestScopes, ", "), q.Scope)
	}
	if err := checkScope(q.Records); err != nil {
		return q, fmt.Errorf("records: %w", err)
	}
	return q, nil
}

// better reports whether a beats b in mode.
func better(mode string, a, b float64) bool {
	if mode == "max" {
		return a > b
	}
	return a < b
}

// Metric is c's value of q.Metric, its rows taken as q.Scope says; ok is
// false when no row has the key (or only null). A value that is not a
// number is an error naming the component and the row.
func (c *ComponentView) Metric(q BestQuery) (v float64, ok bool, err error) {
	if q, err = q.Check(); err != nil {
		return 0, false, err
	}
	var sum float64
	n := 0
	err = c.recordValues(q.Records, q.Metric, func(line int, x any) error {
		f, isNum := jsonvalue.Float(x)
		if !isNum {
			return fmt.Errorf("component %s: records %q line %d: %s is %s, expected a number", c.ID, q.Records, line, q.Metric, describeValue(x))
		}
		switch {
		case q.Scope == "last":
			v = f
		case q.Scope == "all" && (n == 0 || better(q.Mode, f, v)):
			v = f
		case q.Scope == "avg":
			sum += f
		}
		n++
		return nil
	})
	if err != nil || n == 0 {
		return 0, false, err
	}
	if q.Scope == "avg" {
		v = sum / float64(n)
	}
	return v, true, nil
}

// LastRecordValue is the value of key in the last row of c's records of
// scope that has it (null counts as not having it); ok is false when
// none has.
func (c *ComponentView) LastRecordValue(scope, key string) (v any, ok bool, err error) {
	err = c.recordValues(scope, key, func(_ int, x any) error { v, ok = x, true; return nil })
	return v, ok, err
}

// recordValues calls fn with each non-null value of key in the rows of
// scope, in order, with its line number.
func (c *ComponentView) recordValues(scope, key string, fn func(line int, v any) error) error {
	if c.Experiment == nil { // a component of a dry run: nothing stored
		return nil
	}
	// A row without the key's name anywhere in it is not decoded: most
	// rows of a long run log other keys. Only plain names are searched
	// for: another name may be written escaped. A row that has it is
	// scanned without a map (ScanFlatRow) when the value is a number.
	var needle []byte
	if plainKey(key) {
		needle = []byte(`"` + key + `"`)
	}
	var scratch []RowField
	var err error
	lerr := c.RecordLines(scope, func(n int, line []byte) bool {
		if needle != nil && !bytes.Contains(line, needle) {
			return true
		}
		if needle != nil {
			var flat bool
			if scratch, flat = ScanFlatRow(line, scratch); flat {
				if f, found := numberField(scratch, key); found {
					err = fn(n, f)
					return err == nil
				}
				if !hasField(scratch, key) {
					return true
				}
			}
		}
		// Not flat, or the value is no finite number (null, text, ...):
		// decoded whole, which tells them apart.
		var row map[string]any
		if err = jsonvalue.Unmarshal(line, &row); err != nil {
			err = fmt.Errorf("component %s: records %q line %d: %w", c.ID, scope, n, err)
			return false
		}
		x, found := row[key]
		if !found || x == nil {
			return true
		}
		err = fn(n, jsonvalue.Normalize(x))
		return err == nil
	})
	if lerr != nil {
		return lerr
	}
	return err
}

// numberField is the finite number key has among fields.
func numberField(fields []RowField, key string) (float64, bool) {
	for _, f := range fields {
		if f.Num && string(f.Key) == key {
			return f.Value, true
		}
	}
	return 0, false
}

func hasField(fields []RowField, key string) bool {
	for _, f := range fields {
		if string(f.Key) == key {
			return true
		}
	}
	return false
}

// plainKey reports whether key is written as itself in a JSON string.
func plainKey(key string) bool {
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' || r == ' ') {
			return false
		}
	}
	return key != ""
}

func describeValue(x any) string {
	switch v := x.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("the bool %v", v)
	case map[string]any:
		return "a dict"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%v (%T)", x, x)
}

// Best returns the component of cs whose Metric is best by q.Mode, with
// that value; nil when none has the metric. Of equal values the first in
// cs wins. The components' records are read in parallel.
func Best(cs []*ComponentView, q BestQuery) (*ComponentView, float64, error) {
	q, err := q.Check()
	if err != nil {
		return nil, 0, err
	}
	vals := make([]float64, len(cs))
	has := make([]bool, len(cs))
	errs := make([]error, len(cs))
	Parallel(len(cs), func(i int) { vals[i], has[i], errs[i] = cs[i].Metric(q) })
	best := -1
	for i := range cs {
		if errs[i] != nil {
			return nil, 0, errs[i]
		}
		if has[i] && (best < 0 || better(q.Mode, vals[i], vals[best])) {
			best = i
		}
	}
	if best < 0 {
		return nil, 0, nil
	}
	return cs[best], vals[best], nil
}
