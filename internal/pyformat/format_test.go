package pyformat

import (
	"bufio"
	"encoding/json"
	"math/big"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPythonVectors compares with format(value, spec) as CPython 3
// computed it (testdata/gen.py wrote testdata/vectors.jsonl).
func TestPythonVectors(t *testing.T) {
	f, err := os.Open("testdata/vectors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var v [4]string // kind, value, spec, want
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		var got string
		switch v[0] {
		case "int":
			x, _ := new(big.Int).SetString(v[1], 10)
			got, err = Int(x, v[2])
		case "float":
			x, perr := strconv.ParseFloat(v[1], 64)
			if perr != nil {
				t.Fatal(perr)
			}
			got, err = Float(x, v[2])
		case "str":
			got, err = String(v[1], v[2])
		}
		if err != nil || got != v[3] {
			t.Errorf("format(%s %s, %q) = %q, %v; Python: %q", v[0], v[1], v[2], got, err, v[3])
		}
		n++
	}
	if n < 1000 {
		t.Fatalf("only %d vectors", n)
	}
}

// TestErrors: what Python refuses is refused, saying what was expected.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		do   func() (string, error)
		want string
	}{
		{func() (string, error) { return Int(big.NewInt(3), ".2") }, "precision not allowed for an int"},
		{func() (string, error) { return Int(big.NewInt(3), ",x") }, "cannot use ',' with 'x'"},
		{func() (string, error) { return Int(big.NewInt(3), "q") }, "unknown format code 'q' for an int"},
		{func() (string, error) { return Int(big.NewInt(-1), "c") }, "not in range"},
		{func() (string, error) { return Float(1, "d") }, "unknown format code 'd' for a float"},
		{func() (string, error) { return Float(1, ".f") }, "expected digits (the precision) after '.'"},
		{func() (string, error) { return Float(1, "10.2ff") }, `invalid format spec "10.2ff": expected [[fill]align]`},
		{func() (string, error) { return String("a", "+") }, "sign not allowed for a string"},
		{func() (string, error) { return String("a", "=5") }, "'=' alignment not allowed for a string"},
		{func() (string, error) { return String("a", "d") }, "unknown format code 'd' for a string"},
	} {
		got, err := tc.do()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %q, %v; want an error with %q", got, err, tc.want)
		}
	}
}

// TestZeroPaddedGrouping: '0' padding continues the grouping into the
// padding (CPython 3 values), and a width of a million takes a moment,
// not hours (the padding was grown one zero at a time, regrouping the
// whole string each time: cubic; found by FuzzFormat).
func TestZeroPaddedGrouping(t *testing.T) {
	for _, tc := range []struct {
		do   func() (string, error)
		want string
	}{
		{func() (string, error) { return Int(big.NewInt(1), "04,d") }, "0,001"},
		{func() (string, error) { return Int(big.NewInt(1), "05,d") }, "0,001"},
		{func() (string, error) { return Int(big.NewInt(-1), "06,d") }, "-0,001"},
		{func() (string, error) { return Int(big.NewInt(255), "#012_x") }, "0x0_0000_00ff"},
		{func() (string, error) { return Int(big.NewInt(7), "09_b") }, "0000_0111"},
		{func() (string, error) { return Float(1234.5, "012,.1f") }, "00,001,234.5"},
		{func() (string, error) { return Float(-0.5, "+010,.2%") }, "-0,050.00%"},
	} {
		if got, err := tc.do(); err != nil || got != tc.want {
			t.Errorf("got %q, %v; want %q", got, err, tc.want)
		}
	}
	start := time.Now()
	got, err := Int(big.NewInt(1), "01000000,d")
	if err != nil || len(got) != 1000001 || !strings.HasPrefix(got, "0,000,") || !strings.HasSuffix(got, ",001") {
		t.Errorf("format(1, '01000000,d'): %d characters, %v; want 1000001 (CPython)", len(got), err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("format(1, '01000000,d') took %v", d)
	}
}

// TestRepr: Python's repr(float) for the forms both notations take.
func TestRepr(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0.0", 1: "1.0", -2.5: "-2.5", 0.1: "0.1", 1e-4: "0.0001", 1.5e-7: "1.5e-07",
		1e16: "1e+16", 123456789012345.6: "123456789012345.6", -1e300: "-1e+300",
	} {
		if got := Repr(f); got != want {
			t.Errorf("Repr(%v) = %q, want %q (Python's repr)", f, got, want)
		}
	}
}
