package storage

import (
	"math"
	"strconv"
)

// Charts, summaries and best() read every row of the records files they
// rank or show, millions of rows for a large sweep. Decoding each row
// into a map of any costs ~10 µs; a record row is almost always a flat
// object of numbers and strings, which ScanFlatRow reads without
// allocating a map. Anything else (escapes in keys, malformed lines) is
// left to the full decoder, which also reports broken lines as the CLI
// does.

// RowField is one key of a row and, when it is a finite number, its
// value.
type RowField struct {
	Key   []byte // points into the line
	Value float64
	Num   bool
}

// ScanFlatRow reads the top-level keys of a JSON object line into out;
// false when it cannot (the caller decodes the line fully then).
func ScanFlatRow(line []byte, out []RowField) ([]RowField, bool) {
	out = out[:0]
	i := skipJSONSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return out, false
	}
	i = skipJSONSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		return out, skipJSONSpace(line, i+1) == len(line)
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
		f := RowField{Key: line[start:i]}
		i = skipJSONSpace(line, i+1)
		if i >= len(line) || line[i] != ':' {
			return out, false
		}
		i = skipJSONSpace(line, i+1)
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
			f.Value, f.Num = v, !math.IsInf(v, 0) && !math.IsNaN(v)
			i = j
		default:
			j, ok := skipValue(line, i)
			if !ok {
				return out, false
			}
			i = j
		}
		out = append(out, f)
		i = skipJSONSpace(line, i)
		if i >= len(line) {
			return out, false
		}
		switch line[i] {
		case ',':
			i = skipJSONSpace(line, i+1)
		case '}':
			return out, skipJSONSpace(line, i+1) == len(line)
		default:
			return out, false
		}
	}
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func skipJSONSpace(b []byte, i int) int {
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
