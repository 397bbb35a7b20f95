package dsl

import (
	"math"
	"testing"

	"go.starlark.net/starlark"
)

// TestPyJSON: as_json writes what Python's json.dumps writes for the same
// values (expected strings taken from Python 3).
func TestPyJSON(t *testing.T) {
	row := starlark.NewDict(4)
	row.SetKey(starlark.String("name"), starlark.String("Desk ü \"x\"\n"))
	row.SetKey(starlark.String("price"), starlark.MakeInt(200))
	row.SetKey(starlark.String("loss"), starlark.Float(0.1))
	row.SetKey(starlark.String("a"), starlark.NewList([]starlark.Value{starlark.None, starlark.True, starlark.Float(1e16), starlark.Float(1.5e-7), starlark.Float(2)}))
	v := starlark.NewList([]starlark.Value{row, starlark.NewDict(0), starlark.NewList(nil), starlark.String("😀")})
	for _, tc := range []struct {
		enc  pyJSON
		want string
	}{
		{pyJSON{indent: -1, ascii: true}, `[{"name": "Desk \u00fc \"x\"\n", "price": 200, "loss": 0.1, "a": [null, true, 1e+16, 1.5e-07, 2.0]}, {}, [], "\ud83d\ude00"]`},
		{pyJSON{indent: -1, ascii: false, sortKeys: true}, `[{"a": [null, true, 1e+16, 1.5e-07, 2.0], "loss": 0.1, "name": "Desk ü \"x\"\n", "price": 200}, {}, [], "😀"]`},
		{pyJSON{indent: 2, ascii: true}, "[\n  {\n    \"name\": \"Desk \\u00fc \\\"x\\\"\\n\",\n    \"price\": 200,\n    \"loss\": 0.1,\n    \"a\": [\n      null,\n      true,\n      1e+16,\n      1.5e-07,\n      2.0\n    ]\n  },\n  {},\n  [],\n  \"\\ud83d\\ude00\"\n]"},
	} {
		enc := tc.enc
		if err := enc.encode(v, 0); err != nil {
			t.Fatal(err)
		}
		if got := enc.sb.String(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
	for f, want := range map[float64]string{0.1: "0.1", 100: "100.0", 1e15: "1000000000000000.0", 1e16: "1e+16", 0.0001: "0.0001",
		0.00001: "1e-05", -2.5e-10: "-2.5e-10", 123456789.125: "123456789.125", math.NaN(): "NaN", math.Inf(-1): "-Infinity", 1.7976931348623157e308: "1.7976931348623157e+308"} {
		if got := pyFloatRepr(f); got != want {
			t.Errorf("pyFloatRepr(%v) = %s, want %s", f, got, want)
		}
	}
	var enc pyJSON
	enc.indent = -1
	if err := enc.encode(starlark.NewSet(1), 0); err == nil {
		t.Error("a set was encoded")
	}
}
