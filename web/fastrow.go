package web

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/storage"
)

// Charts and summaries read every row of every records file they show,
// millions of rows for a large sweep. Decoding each row into a map of
// any costs ~10 µs; a record row is almost always a flat object of
// numbers and strings, which scanFlat reads without allocating a map.
// Anything else (escapes in keys, malformed lines) falls back to the
// full decoder, which also reports broken lines as the CLI does.

// field is one key of a row and, when it is a finite number, its value.
type field struct {
	key   []byte // points into the line
	value float64
	num   bool
}

// scanFlat reads the top-level keys of a JSON object line into out;
// false when it cannot (the caller decodes the line fully then).
func scanFlat(line []byte, out []field) ([]field, bool) {
	out = out[:0]
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return out, false
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		return out, skipSpace(line, i+1) == len(line)
	}
	for {
		if i >= len(line) || line[i] != '"' {
			return out, false
		}
		start := i + 1
		i = start
		for i < len(line) && line[i] != '"' {
			if line[i] == '\\' {
				return out, false // an escaped key: rare, decoded fully
			}
			i++
		}
		if i >= len(line) {
			return out, false
		}
		f := field{key: line[start:i]}
		i = skipSpace(line, i+1)
		if i >= len(line) || line[i] != ':' {
			return out, false
		}
		i = skipSpace(line, i+1)
		if i >= len(line) {
			return out, false
		}
		switch c := line[i]; {
		case c == '-' || (c >= '0' && c <= '9'):
			j := i
			for j < len(line) && (line[j] == '-' || line[j] == '+' || line[j] == '.' || line[j] == 'e' || line[j] == 'E' || (line[j] >= '0' && line[j] <= '9')) {
				j++
			}
			v, err := strconv.ParseFloat(string(line[i:j]), 64)
			if err != nil && !isRange(err) {
				return out, false
			}
			f.value, f.num = v, !math.IsInf(v, 0) && !math.IsNaN(v)
			i = j
		default:
			j, ok := skipValue(line, i)
			if !ok {
				return out, false
			}
			i = j
		}
		out = append(out, f)
		i = skipSpace(line, i)
		if i >= len(line) {
			return out, false
		}
		switch line[i] {
		case ',':
			i = skipSpace(line, i+1)
		case '}':
			return out, skipSpace(line, i+1) == len(line)
		default:
			return out, false
		}
	}
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue skips a string, literal, object or array starting at i.
func skipValue(b []byte, i int) (int, bool) {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				j, ok := skipString(b, i)
				if !ok {
					return i, false
				}
				i = j
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return i, false
	}
	j := i // true, false, null
	for j < len(b) && b[j] >= 'a' && b[j] <= 'z' {
		j++
	}
	lit := string(b[i:j])
	return j, lit == "true" || lit == "false" || lit == "null"
}

// skipString skips the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return i, false
}

// eachRow streams the rows of a scope as fields: scanFlat where it can,
// the full decoder where it cannot.
func eachRow(c *storage.ComponentView, scope string, fn func(fields []field)) error {
	var scratch []field
	var err error
	lerr := c.RecordLines(scope, func(n int, line []byte) bool {
		var ok bool
		if scratch, ok = scanFlat(line, scratch); ok {
			fn(scratch)
			return true
		}
		var row map[string]any
		if err = jsonvalue.Unmarshal(line, &row); err != nil || row == nil {
			if err == nil {
				err = errors.New("expected a JSON object (a row), got null")
			}
			err = fmt.Errorf("records %q line %d: %w", scope, n, err)
			return false
		}
		scratch = scratch[:0]
		for k, v := range jsonvalue.NormalizeMap(row) {
			f, num := number(v)
			scratch = append(scratch, field{key: []byte(k), value: f, num: num})
		}
		fn(scratch)
		return true
	})
	if lerr != nil {
		return lerr
	}
	return err
}
