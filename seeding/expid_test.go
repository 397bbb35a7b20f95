package seeding

import (
	"strings"
	"testing"
)

func TestExperimentIDReference(t *testing.T) {
	if got := GlobalSeedFromInt(42); got != 7957417341 {
		t.Fatalf("GlobalSeedFromInt(42) = %d, want 7957417341", got)
	}
	id, err := EncodeExperimentID(7957417341)
	if err != nil || id != "8gWVkz" {
		t.Fatalf("EncodeExperimentID(7957417341) = %q, %v; want 8gWVkz", id, err)
	}
}

func TestExperimentIDBounds(t *testing.T) {
	for _, c := range []struct {
		seed int64
		id   string
	}{
		{MinGlobalSeed, "100000"},
		{MaxGlobalSeed, "zzzzzz"},
	} {
		id, err := EncodeExperimentID(c.seed)
		if err != nil || id != c.id {
			t.Errorf("EncodeExperimentID(%d) = %q, %v; want %q", c.seed, id, err, c.id)
		}
		if back, err := DecodeExperimentID(c.id); err != nil || back != c.seed {
			t.Errorf("DecodeExperimentID(%q) = %d, %v; want %d", c.id, back, err, c.seed)
		}
	}
}

func TestEncodeExperimentIDOutOfRange(t *testing.T) {
	for _, seed := range []int64{MinGlobalSeed - 1, MaxGlobalSeed + 1, 0, -1, 42} {
		if id, err := EncodeExperimentID(seed); err == nil {
			t.Errorf("EncodeExperimentID(%d) = %q, want an error", seed, id)
		} else if !strings.Contains(err.Error(), "out of range") {
			t.Errorf("EncodeExperimentID(%d) error %q should say out of range", seed, err)
		}
	}
}

func TestDecodeExperimentIDInvalid(t *testing.T) {
	for _, id := range []string{"", "OY1p1", "8gWVkz0", "8gWV-z", "8gWV z", "8gWVkü"} {
		_, err := DecodeExperimentID(id)
		if err == nil {
			t.Errorf("DecodeExperimentID(%q) succeeded, want an error", id)
			continue
		}
		if IsExperimentID(id) {
			t.Errorf("IsExperimentID(%q) = true", id)
		}
	}
	_, err := DecodeExperimentID("OY1p1")
	want := `invalid experiment ID "OY1p1": expected 6 characters from 0-9, A-Z, a-z`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestParseSeed(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"8gWVkz", 7957417341},
		{"42", 7957417341},
		{" 42 ", 7957417341},
		{"100000", MinGlobalSeed}, // 6 characters: an ID, not a number
		{"-42", GlobalSeedFromInt(-42)},
		{"0", GlobalSeedFromInt(0)},
	} {
		got, err := ParseSeed(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSeed(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "abc", "8gWV-z", "1.5", "99999999999999999999"} {
		if _, err := ParseSeed(in); err == nil {
			t.Errorf("ParseSeed(%q) succeeded, want an error", in)
		} else if !strings.Contains(err.Error(), "experiment ID") || !strings.Contains(err.Error(), "decimal integer") {
			t.Errorf("ParseSeed(%q) error %q should name what was expected", in, err)
		}
	}
}

// IDs with a leading 0 decode to seeds below 62**5, which no experiment
// has: they are refused, saying which IDs exist.
func TestParseSeedRefusesOutOfRangeIDs(t *testing.T) {
	for _, in := range []string{"000000", "0abcde", "id:000000", "ID:0zzzzz"} {
		got, err := ParseSeed(in)
		if err == nil {
			t.Errorf("ParseSeed(%q) = %d, want an error", in, got)
			continue
		}
		if !strings.Contains(err.Error(), "62**5 to 62**6-1") || !strings.Contains(err.Error(), "expected a first character from 1-9") {
			t.Errorf("ParseSeed(%q) error %q should name the range of IDs", in, err)
		}
	}
	for _, id := range []string{"000000", "0zzzzz", "0AAAAA"} {
		if v, err := ExperimentSeed(id); err == nil {
			t.Errorf("ExperimentSeed(%q) = %d, want an error", id, v)
		}
	}
	for _, id := range []string{"100000", "zzzzzz", "8gWVkz"} {
		if _, err := ExperimentSeed(id); err != nil {
			t.Errorf("ExperimentSeed(%q): %v", id, err)
		}
	}
}

// id:ID is an experiment ID whatever it looks like, so the all-digit IDs
// can be named where digits are an integer seed.
func TestParseSeedIDPrefix(t *testing.T) {
	want, _ := DecodeExperimentID("123456")
	for _, in := range []string{"id:123456", "ID:123456", " id:123456 "} {
		if got, err := ParseSeed(in); err != nil || got != want {
			t.Errorf("ParseSeed(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if got, err := ParseSeed("id:8gWVkz"); err != nil || got != 7957417341 {
		t.Errorf("ParseSeed(id:8gWVkz) = %d, %v", got, err)
	}
	for _, in := range []string{"id:42", "id:", "id:8gWVkz0"} {
		if _, err := ParseSeed(in); err == nil || !strings.Contains(err.Error(), "expected 6 characters") {
			t.Errorf("ParseSeed(%q) error = %v, want one naming the ID form", in, err)
		}
	}
	if id, ok := CutIDPrefix("Id:abc"); !ok || id != "abc" {
		t.Errorf("CutIDPrefix(Id:abc) = %q, %v", id, ok)
	}
	if _, ok := CutIDPrefix("8gWVkz"); ok {
		t.Errorf("CutIDPrefix(8gWVkz) found a prefix")
	}
}

func TestFreshGlobalSeed(t *testing.T) {
	for range 1000 {
		s := FreshGlobalSeed()
		if s < MinGlobalSeed || s > MaxGlobalSeed {
			t.Fatalf("FreshGlobalSeed() = %d out of range", s)
		}
		if _, err := EncodeExperimentID(s); err != nil {
			t.Fatal(err)
		}
	}
}
