package seeding

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzSeed checks the experiment-ID codec and ParseSeed on any string and
// any integer:
//   - EncodeExperimentID succeeds exactly in [MinGlobalSeed, MaxGlobalSeed],
//     gives 6 base62 characters, and DecodeExperimentID returns the seed;
//   - DecodeExperimentID accepts exactly 6 base62 characters, its value is
//     below 62**6, and re-encoding gives the same ID when it is a global
//     seed (IDs starting with '0' decode below MinGlobalSeed);
//   - ParseSeed returns a usable global seed (in range, so it encodes) or
//     an error, never a panic: a 6-character ID or id:ID gives the ID's
//     seed, a decimal integer n gives GlobalSeedFromInt(n).
func FuzzSeed(f *testing.F) {
	for _, s := range []string{
		"8gWVkz", "100000", "zzzzzz", "42", "7", "-1", " 8gWVkz\n", "123456",
		"0", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
		"", "OY1p1", "8gWVkz0", "8gWV-z", "8gWVkü", "+42", "0x2a", "1e3", "1_000",
		"\x00\x00\x00\x00\x00\x00", "８gWVkz", "00000a0", "000000", "0ABCDE",
		"id:8gWVkz", "ID:000000", "id:", "id:123456", "id:42",
	} {
		f.Add(s, int64(7957417341))
	}
	for _, n := range []int64{0, -1, 42, MinGlobalSeed - 1, MinGlobalSeed, MaxGlobalSeed, MaxGlobalSeed + 1, 1<<63 - 1, -1 << 63} {
		f.Add("8gWVkz", n)
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		// Encode an arbitrary integer.
		id, err := EncodeExperimentID(n)
		inRange := n >= MinGlobalSeed && n <= MaxGlobalSeed
		switch {
		case inRange && err != nil:
			t.Fatalf("EncodeExperimentID(%d) = %v, want an ID", n, err)
		case !inRange && err == nil:
			t.Fatalf("EncodeExperimentID(%d) = %q, want an out-of-range error", n, id)
		case inRange:
			if !fuzzValidID(id) || id[0] == '0' {
				t.Fatalf("EncodeExperimentID(%d) = %q: not 6 base62 characters without a leading 0", n, id)
			}
			if back, err := DecodeExperimentID(id); err != nil || back != n {
				t.Fatalf("DecodeExperimentID(EncodeExperimentID(%d) = %q) = %d, %v", n, id, back, err)
			}
		}

		// Decode an arbitrary string.
		v, err := DecodeExperimentID(s)
		if (err == nil) != fuzzValidID(s) {
			t.Fatalf("DecodeExperimentID(%q) error %v; want an error exactly for strings that are not 6 base62 characters", s, err)
		}
		if IsExperimentID(s) != (err == nil) {
			t.Fatalf("IsExperimentID(%q) disagrees with DecodeExperimentID (%v)", s, err)
		}
		if err == nil {
			if v < 0 || v > MaxGlobalSeed || (v < MinGlobalSeed) != (s[0] == '0') {
				t.Fatalf("DecodeExperimentID(%q) = %d: outside [0, 62**6) or leading 0 does not match v < 62**5", s, v)
			}
			if v >= MinGlobalSeed {
				if back, err := EncodeExperimentID(v); err != nil || back != s {
					t.Fatalf("EncodeExperimentID(DecodeExperimentID(%q) = %d) = %q, %v", s, v, back, err)
				}
			}
		}

		// Parse an arbitrary command-line seed.
		seed, err := ParseSeed(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseSeed(%q): empty error message", s)
			}
			return
		}
		if seed < MinGlobalSeed || seed > MaxGlobalSeed {
			t.Fatalf("ParseSeed(%q) = %d: not a global seed (outside [%d, %d]), EncodeExperimentID refuses it", s, seed, MinGlobalSeed, MaxGlobalSeed)
		}
		trimmed := strings.TrimSpace(s)
		if id, ok := CutIDPrefix(trimmed); ok {
			// id:ID names an experiment ID whatever it looks like.
			if d, derr := DecodeExperimentID(id); derr != nil || d != seed {
				t.Fatalf("ParseSeed(%q) = %d, but %q decodes to %d, %v", s, seed, id, d, derr)
			}
			return
		}
		if d, derr := DecodeExperimentID(trimmed); derr == nil {
			if d != seed {
				t.Fatalf("ParseSeed(%q) = %d, but the ID decodes to %d", s, seed, d)
			}
			return
		}
		// Not an experiment ID: a decimal integer mapped as 2.x does.
		m, perr := strconv.ParseInt(trimmed, 10, 64)
		if perr != nil {
			t.Fatalf("ParseSeed(%q) = %d, but it is neither an experiment ID nor a decimal integer", s, seed)
		}
		if want := GlobalSeedFromInt(m); seed != want {
			t.Fatalf("ParseSeed(%q) = %d, want GlobalSeedFromInt(%d) = %d", s, seed, m, want)
		}
	})
}

// fuzzValidID is the definition DecodeExperimentID implements: 6 characters
// from 0-9, A-Z, a-z.
func fuzzValidID(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}
