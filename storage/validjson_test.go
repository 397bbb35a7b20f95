package storage

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

var validJSONCases = []string{
	`{"id":"NsGQ2p5X0hlW","name":"trivial","module":"trivial","config":{},"flags":{"COMPONENTS_ALIAS":{},"GLOBAL_SEED":40147928533,"LINEAGE":[],"REPEAT_SEED":936338610,"TUNING":false,"VERSIONING":[],"x":null,"f":-1.5e-7,"g":0.25,"h":1E+3}}`,
	`{}`, `[]`, ` { } `, `[1, 2 ,3]`, `"a\"b\\c\/\b\f\n\r\t\u00e9\uD83D\uDE00"`, `0`, `-0`, `-0.0e0`, `1e5`, `12.5E-3`,
	`true`, `false`, `null`, `{"a":[{"b":[[]]}]}`, "\"\xff\xfe\"", "\"é\"",
	``, ` `, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a" 1}`, `{"a":1 "b":2}`, `{1:2}`,
	`01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `0x10`, `tru`, `nul`, `falsey`, `NaN`, `"\x"`, `"\u12"`, `"\u12G4"`,
	"\"a\x01\"", `"abc`, `{"a":1}}`, `{"a":1} x`, `[1] [2]`, `"\`, `{"a":"\u`,
}

// TestValidJSON: validJSON says what json.Valid says, on hand-picked
// cases and on random mutations of a schedule line.
func TestValidJSON(t *testing.T) {
	check := func(s string) {
		t.Helper()
		if got, want := validJSON([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("validJSON(%q) = %v, json.Valid %v", s, got, want)
		}
	}
	for _, s := range validJSONCases {
		check(s)
	}
	deep := ""
	for range maxJSONDepth {
		deep = "[" + deep + "]"
	}
	check(deep)             // at encoding/json's limit
	check("[" + deep + "]") // past it
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(`{}[]":,.-+eE0123456789tfnrul\ ` + "\x00\n")
	line := []byte(validJSONCases[0])
	for range 100000 {
		b := append([]byte(nil), line...)
		for range 1 + r.IntN(3) {
			b = mutate(r, b, alphabet)
		}
		check(string(b))
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, s := range validJSONCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validJSON([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("validJSON(%q) = %v, json.Valid %v", s, got, want)
		}
	})
}

func BenchmarkValidJSON(b *testing.B) {
	line := []byte(validJSONCases[0])
	b.Run("validJSON", func(b *testing.B) {
		for b.Loop() {
			validJSON(line)
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		for b.Loop() {
			json.Valid(line)
		}
	})
}

// mutate changes, drops or inserts one byte of b (taken from alphabet).
func mutate(r *rand.Rand, b, alphabet []byte) []byte {
	i := r.IntN(len(b))
	switch r.IntN(3) {
	case 0:
		b[i] = alphabet[r.IntN(len(alphabet))]
		return b
	case 1:
		return append(b[:i], b[i+1:]...)
	}
	return append(b[:i], append([]byte{alphabet[r.IntN(len(alphabet))]}, b[i:]...)...)
}
