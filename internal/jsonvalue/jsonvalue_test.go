package jsonvalue

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestRoundTripKeepsTypes: ints stay int64, whole floats stay float64.
func TestRoundTripKeepsTypes(t *testing.T) {
	in := map[string]any{"i": int64(2), "f": 2.0, "g": 0.5, "big": int64(1) << 62,
		"list": []any{1.0, int64(1), "x", nil, true}, "nested": map[string]any{"f": -3.0}}
	b, err := json.Marshal(KeepFloats(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, in) {
		t.Errorf("round trip:\n got %#v\nwant %#v\njson %s", out, in, b)
	}
	if in["f"] != 2.0 || reflect.TypeOf(in["f"]).Kind() != reflect.Float64 {
		t.Error("KeepFloats modified its input")
	}
}
