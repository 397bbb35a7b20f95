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
