package project

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/machinable-go/machinable/internal/pyformat"
)

// machinable 2.x reads machinable.yaml with PyYAML's SafeLoader, which
// follows YAML 1.1, plus a resolver of its own that makes "1e-3" a float.
// The YAML library used here resolves plain scalars by YAML 1.2 rules,
// so plain scalars are resolved again below, the way PyYAML does:
//
//	yes/no/on/off (and True, TRUE, ...)  booleans
//	017, 0b101, 0x1F, 1_000, 1:30        integers (octal, binary, hex, base 60)
//	1e-3, 1., .5, 1:30.5, .inf, .nan     floats
//	0o17, -.5, 08                        strings
//
// Timestamps (2020-01-01) stay text: a config holds plain values.

var (
	reBool = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	reInt  = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	// PyYAML's float pattern together with machinable's: the latter
	// accepts every float the former does and also an exponent without a
	// fraction (1e-3) or without a sign (1.5e3).
	reFloat = regexp.MustCompile(`^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	reNull  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
)

// resolvePlain gives the value of a plain (unquoted, untagged) scalar as
// PyYAML's SafeLoader with machinable's float resolver reads it. An error
// is a number that cannot be represented (an integer beyond 64 bits).
func resolvePlain(s string) (any, error) {
	switch {
	case reBool.MatchString(s):
		return pyBoolValue(s), nil
	case reFloat.MatchString(s):
		return pyFloatValue(s)
	case reInt.MatchString(s):
		return pyIntValue(s)
	case reNull.MatchString(s):
		return nil, nil
	}
	return s, nil
}

func pyBoolValue(s string) bool {
	switch strings.ToLower(s) {
	case "yes", "true", "on":
		return true
	}
	return false
}

// pyIntValue converts text matching reInt (or given an explicit !!int tag)
// as PyYAML's construct_yaml_int does.
func pyIntValue(s string) (int64, error) {
	v := strings.ReplaceAll(s, "_", "")
	neg := false
	if v != "" && (v[0] == '-' || v[0] == '+') {
		neg, v = v[0] == '-', v[1:]
	}
	var n uint64
	var err error
	switch {
	case v == "":
		return 0, fmt.Errorf("invalid integer %q", s)
	case v == "0":
	case strings.HasPrefix(v, "0b"):
		n, err = strconv.ParseUint(v[2:], 2, 64)
	case strings.HasPrefix(v, "0x"):
		n, err = strconv.ParseUint(v[2:], 16, 64)
	case v[0] == '0':
		n, err = strconv.ParseUint(v, 8, 64)
	case strings.Contains(v, ":"):
		for part := range strings.SplitSeq(v, ":") {
			d, perr := strconv.ParseUint(part, 10, 64)
			if perr != nil {
				return 0, fmt.Errorf("invalid integer %q", s)
			}
			if n > (math.MaxInt64-d)/60 {
				return 0, fmt.Errorf("integer %s does not fit into 64 bits", s)
			}
			n = n*60 + d
		}
	default:
		n, err = strconv.ParseUint(v, 10, 64)
	}
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("integer %s does not fit into 64 bits", s)
		}
		return 0, fmt.Errorf("invalid integer %q", s)
	}
	switch {
	case neg && n == 0:
		return 0, nil
	case neg && n <= 1<<63:
		return -int64(n-1) - 1, nil
	case !neg && n <= math.MaxInt64:
		return int64(n), nil
	}
	return 0, fmt.Errorf("integer %s does not fit into 64 bits", s)
}

// pyFloatValue converts text matching reFloat (or given an explicit
// !!float tag) as PyYAML's construct_yaml_float does. Like Python, a
// number too large for a float is infinite.
func pyFloatValue(s string) (float64, error) {
	v := strings.ToLower(strings.ReplaceAll(s, "_", ""))
	sign := 1.0
	if v != "" && (v[0] == '-' || v[0] == '+') {
		if v[0] == '-' {
			sign = -1
		}
		v = v[1:]
	}
	switch {
	case v == ".inf":
		return sign * math.Inf(1), nil
	case v == ".nan":
		return math.NaN(), nil
	case strings.Contains(v, ":"):
		total := 0.0
		for part := range strings.SplitSeq(v, ":") {
			d, err := parsePyFloat(part)
			if err != nil {
				return 0, fmt.Errorf("invalid float %q", s)
			}
			total = total*60 + d
		}
		return sign * total, nil
	}
	f, err := parsePyFloat(v)
	if err != nil {
		return 0, fmt.Errorf("invalid float %q", s)
	}
	return sign * f, nil
}

// parsePyFloat is Python's float() for the decimal text YAML allows: a
// number out of range is infinite rather than an error.
func parsePyFloat(s string) (float64, error) {
	if s == "" || strings.ContainsAny(s, "xXpP") || strings.Contains(s, "inf") || strings.Contains(s, "nan") {
		return 0, fmt.Errorf("invalid float %q", s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return f, nil
	}
	return f, err
}

// tagged converts the text of a scalar with an explicit core tag the way
// PyYAML's constructors do; ok is false for other tags.
func tagged(tag, s string) (v any, ok bool, err error) {
	switch tag {
	case "!!int":
		n, err := pyIntValue(s)
		return n, true, err
	case "!!float":
		f, err := pyFloatValue(s)
		return f, true, err
	case "!!bool":
		switch strings.ToLower(s) {
		case "yes", "true", "on", "no", "false", "off":
			return pyBoolValue(s), true, nil
		}
		return nil, true, fmt.Errorf("invalid boolean %q", s)
	case "!!null":
		return nil, true, nil
	}
	return nil, false, nil
}

// pyRepr formats a scalar config value as Python's str() does, for
// keys built from values (PyYAML reads a key "1.50" as the float 1.5).
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return pyFloatRepr(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// jsonKey is the text a non-string key becomes in JSON, as Python's
// json.dumps writes it (True becomes "true", None "null").
func jsonKey(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case float64:
		switch {
		case math.IsInf(x, 1):
			return "Infinity"
		case math.IsInf(x, -1):
			return "-Infinity"
		case math.IsNaN(x):
			return "NaN"
		}
	}
	return pyRepr(v)
}

// pyFloatRepr is Python's repr of a float: the shortest digits that read
// back the same, in positional notation from 1e-4 up to 1e16 (with ".0"
// for whole numbers) and scientific notation outside.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return pyformat.Repr(f)
}
