package storage

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// ScanFlatRow reads what the full decoder reads, or refuses the line.
func TestScanFlatRow(t *testing.T) {
	for _, line := range []string{
		`{"_iteration":0,"loss":0.5,"name":"a","ok":true,"none":null}`,
		` { "a" : -1.5e-3 , "b" : "x\"y,}" , "c" : {"d": [1, {"e": "}"}]}, "f": [] } ` + "\n",
		`{}`,
		`{"big": 1e400, "int": 12345678901234567890, "neg": -0}`,
		`{"s": "<img src=x onerror=alert(1)>", "u": "\u00e9"}`,
	} {
		fields, ok := ScanFlatRow([]byte(line), nil)
		if !ok {
			t.Errorf("%s: refused", line)
			continue
		}
		row, err := jsonvalue.Decode([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		want := row.(map[string]any)
		if len(fields) != len(want) {
			t.Errorf("%s: %d fields, want %d", line, len(fields), len(want))
		}
		for _, f := range fields {
			v, present := want[string(f.Key)]
			n, num := jsonvalue.Float(v)
			num = num && !math.IsInf(n, 0) && !math.IsNaN(n)
			if !present || f.Num != num || (num && n != f.Value) {
				t.Errorf("%s: %s = %v (number %v), decoder says %v", line, f.Key, f.Value, f.Num, v)
			}
		}
	}
	for _, bad := range []string{``, `[1]`, `{"a":1`, `{"a":1,}`, `{"a" 1}`, `{"a":tru}`, `{"a":"x}`, `{"a":1} x`, `{"k\n":1}`, `{"a":1.2.3}`, `null`} {
		if _, ok := ScanFlatRow([]byte(bad), nil); ok {
			var v any
			t.Errorf("%q accepted (json says %v)", bad, json.Unmarshal([]byte(bad), &v))
		}
	}
	if f, _ := ScanFlatRow([]byte(`{"x": 1e400}`), nil); f[0].Num || !math.IsInf(f[0].Value, 1) {
		t.Errorf("1e400: %+v, want no number (infinite)", f)
	}
}
