package index

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/machinable-go/machinable/internal/suggest"
)

// A search condition is `field op value`, for example
//
//	config.learning_rate > 0.1
//	flags.REPEAT_NUMBER = 0
//	status = finished
//	name ~ trainer*
//	started_at >= 2026-11-01
//
// Fields: config.<key>[.<key>...], flags.<key>[...], name, status,
// experiment, id, directory, seed, started_at, finished_at. Operators:
// = (or ==), !=, <, <=, >, >=, and ~ (glob: * any text, ? one character).
// A value is a number, true, false, null, or text (quoted "..." or '...'
// when it holds spaces or would read as one of the others). Conditions
// become parameterized SQL: no user text is ever part of a statement.

// Condition is one parsed search condition.
type Condition struct {
	Field string // as written: "config.lr", "status"
	Op    string // "=", "!=", "<", "<=", ">", ">=", "~"
	Value any    // float64, int64, bool, nil or string
	Text  string // the condition as written, for messages
}

// Fields are the fields a condition can name besides config.* and flags.*.
var Fields = []string{"name", "status", "experiment", "id", "directory", "seed", "started_at", "finished_at"}

// States a status condition can ask for: the stored statuses, with
// running split into running and stale (its process is gone), and
// queued for created.
var States = []string{"queued", "created", "running", "stale", "finished", "stopped", "failed", "interrupted", "requeued", "unreadable"}

var condRe = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*(==|!=|<=|>=|=|<|>|~)\s*(.*?)\s*$`)
var keyRe = regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)

// Parse reads one condition.
func Parse(text string) (Condition, error) {
	m := condRe.FindStringSubmatch(text)
	if m == nil {
		return Condition{}, fmt.Errorf("where %q: expected FIELD OP VALUE, such as 'config.lr > 0.1' or 'status = finished' (operators: = != < <= > >= ~)", text)
	}
	c := Condition{Field: m[1], Op: m[2], Text: strings.TrimSpace(text)}
	if c.Op == "==" {
		c.Op = "="
	}
	raw := m[3]
	if raw == "" {
		return c, fmt.Errorf("where %q: no value after %s (quote an empty text: \"\")", text, m[2])
	}
	if err := checkField(c.Field); err != nil {
		return c, fmt.Errorf("where %q: %w", text, err)
	}
	v, quoted, err := parseValue(raw)
	if err != nil {
		return c, fmt.Errorf("where %q: %w", text, err)
	}
	c.Value = v
	if c.Op == "~" {
		s, ok := v.(string)
		if !ok {
			s = raw // a glob of digits is still a glob
		}
		c.Value = s
	}
	switch c.Field {
	case "status":
		s, ok := c.Value.(string)
		if !ok || !contains(States, s) {
			hint := ""
			if ok && c.Op != "~" {
				if n := suggest.Nearest(s, States); n != "" {
					hint = fmt.Sprintf(" (did you mean %s?)", n)
				}
			}
			if c.Op != "~" {
				return c, fmt.Errorf("where %q: unknown status %s%s; expected one of %s", text, raw, hint, strings.Join(States, ", "))
			}
		}
		if c.Op != "=" && c.Op != "!=" && c.Op != "~" {
			return c, fmt.Errorf("where %q: status compares with = != or ~, not %s", text, c.Op)
		}
	case "seed":
		if _, ok := c.Value.(int64); !ok && c.Op != "~" {
			return c, fmt.Errorf("where %q: seed is an integer, got %s", text, raw)
		}
	case "started_at", "finished_at":
		if c.Op == "~" {
			return c, fmt.Errorf("where %q: %s compares with = != < <= > >=, not ~", text, c.Field)
		}
		s := raw
		if !quoted {
			s = strings.TrimSpace(raw)
		} else {
			s, _ = c.Value.(string)
		}
		t, err := parseTime(s)
		if err != nil {
			return c, fmt.Errorf("where %q: %w", text, err)
		}
		c.Value = t.UTC().Format(timeLayout)
	case "name", "experiment", "id", "directory":
		if _, ok := c.Value.(string); !ok {
			c.Value = raw // an ID of digits, say: compared as text
		}
	}
	return c, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func checkField(f string) error {
	if strings.HasPrefix(f, "config.") || strings.HasPrefix(f, "flags.") {
		keys := strings.Split(f, ".")[1:]
		for _, k := range keys {
			if !keyRe.MatchString(k) {
				return fmt.Errorf("field %s: a key is letters, digits, _ and -, separated by dots", f)
			}
		}
		return nil
	}
	if contains(Fields, f) {
		return nil
	}
	hint := ""
	head := f
	if i := strings.Index(f, "."); i > 0 {
		head = f[:i] // confg.lr: the part before the dot is misspelt
	}
	if n := suggest.Nearest(head, append([]string{"config", "flags"}, Fields...)); n != "" {
		if n == "config" || n == "flags" {
			n += ".<key>"
		}
		hint = fmt.Sprintf(" (did you mean %s?)", n)
	}
	return fmt.Errorf("unknown field %s%s; expected config.<key>, flags.<key> or one of %s", f, hint, strings.Join(Fields, ", "))
}

// parseValue reads a value; quoted is true for quoted text.
func parseValue(raw string) (v any, quoted bool, err error) {
	if len(raw) >= 2 && (raw[0] == '"' || raw[0] == '\'') {
		if raw[len(raw)-1] != raw[0] {
			return nil, false, fmt.Errorf("value %s: missing closing %c", raw, raw[0])
		}
		return raw[1 : len(raw)-1], true, nil
	}
	switch raw {
	case "true", "True":
		return true, false, nil
	case "false", "False":
		return false, false, nil
	case "null", "None":
		return nil, false, nil
	}
	if i, err := strconv.ParseInt(raw, 10, 64); err == nil {
		return i, false, nil
	}
	if f, err := strconv.ParseFloat(raw, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return f, false, nil
	}
	if raw[0] == '"' || raw[0] == '\'' {
		return nil, false, fmt.Errorf("value %s: missing closing %c", raw, raw[0])
	}
	return raw, false, nil
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: expected 2006-01-02, 2006-01-02 15:04 or RFC 3339 (2006-01-02T15:04:05Z)", s)
}

// sqlFor turns a condition into a WHERE clause over components (c) and
// experiments (e) with its arguments. post is set for conditions on
// running or stale, which the stored status alone cannot decide.
func sqlFor(c Condition) (clause string, args []any, post func(state string) bool) {
	switch c.Field {
	case "status":
		s, _ := c.Value.(string)
		if c.Op == "~" {
			// Glob over the state names: decided after reading the status.
			return "1", nil, func(state string) bool { return globMatch(s, state) }
		}
		want := s
		if want == "queued" {
			want = "created"
		}
		var stored string
		switch want {
		case "running", "stale":
			stored = "running"
			eq := func(state string) bool { return state == s }
			if c.Op == "!=" {
				return "1", nil, func(state string) bool { return state != s }
			}
			return "c.status = ?", []any{stored}, eq
		default:
			stored = want
		}
		return "c.status " + c.Op + " ?", []any{stored}, nil
	case "name", "id", "experiment", "started_at", "finished_at":
		col := "c." + c.Field
		return scalar(col, c.Op, c.Value), scalarArgs(c.Value), nil
	case "directory", "seed":
		col := "e." + c.Field
		return scalar(col, c.Op, c.Value), scalarArgs(c.Value), nil
	}
	// config.* and flags.*: json_extract with the path as a parameter,
	// guarded by the JSON type so that a number is never compared with
	// text (SQLite would order all text after all numbers).
	col := "c.config"
	key := strings.TrimPrefix(c.Field, "config.")
	if strings.HasPrefix(c.Field, "flags.") {
		col, key = "c.flags", strings.TrimPrefix(c.Field, "flags.")
	}
	jpath := "$"
	for _, k := range strings.Split(key, ".") {
		jpath += `."` + k + `"`
	}
	typ := "json_type(" + col + ", ?)"
	val := "json_extract(" + col + ", ?)"
	var match string
	var margs []any
	switch v := c.Value.(type) {
	case nil:
		match = "(" + typ + " IS NULL OR " + typ + " = 'null')"
		margs = []any{jpath, jpath}
		if c.Op != "=" && c.Op != "!=" {
			return "0", nil, nil
		}
	case bool:
		want := "false"
		if v {
			want = "true"
		}
		match = typ + " = '" + want + "'" // a constant of ours, not user text
		margs = []any{jpath}
		if c.Op != "=" && c.Op != "!=" {
			return "0", nil, nil
		}
	case int64, float64:
		match = "(" + typ + " IN ('integer', 'real') AND " + val + " " + sqlOp(c.Op) + " ?)"
		margs = []any{jpath, jpath, v}
		if c.Op == "!=" {
			match = "(" + typ + " IN ('integer', 'real') AND " + val + " = ?)"
		}
	case string:
		op := sqlOp(c.Op)
		if c.Op == "!=" {
			op = "="
		}
		match = "(" + typ + " = 'text' AND " + val + " " + op + " ?)"
		margs = []any{jpath, jpath, v}
	}
	if c.Op == "!=" {
		// Not equal: everything the equality does not match, missing
		// keys included, as Collection.where reads a missing key as None.
		return "NOT " + match, margs, nil
	}
	return match, margs, nil
}

func sqlOp(op string) string {
	if op == "~" {
		return "GLOB"
	}
	return op
}

func scalar(col, op string, v any) string {
	if v == nil {
		if op == "!=" {
			return col + " IS NOT NULL"
		}
		return col + " IS NULL"
	}
	return col + " " + sqlOp(op) + " ?"
}

func scalarArgs(v any) []any {
	if v == nil {
		return nil
	}
	return []any{v}
}

// globMatch matches like SQLite's GLOB for * and ?.
func globMatch(pattern, s string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	ok, _ := regexp.MatchString(re, s)
	return ok
}
