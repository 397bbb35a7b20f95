package seeding

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Global seeds are exactly the integers whose base62 form has 6 digits, so
// every experiment ID is 6 characters long (machinable 2.x).
const (
	MinGlobalSeed      int64 = 62 * 62 * 62 * 62 * 62 // 62**5
	MaxGlobalSeed      int64 = 62*62*62*62*62*62 - 1  // 62**6 - 1
	experimentIDLength       = 6                      // characters per ID
	base62Alphabet           = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// EncodeExperimentID returns the 6-character base62 experiment ID of a
// global seed in [MinGlobalSeed, MaxGlobalSeed].
func EncodeExperimentID(seed int64) (string, error) {
	if seed < MinGlobalSeed || seed > MaxGlobalSeed {
		return "", fmt.Errorf("global seed %d out of range: must be in [%d, %d] (62**5 to 62**6-1)", seed, MinGlobalSeed, MaxGlobalSeed)
	}
	var buf [experimentIDLength]byte
	for i := len(buf) - 1; i >= 0; i-- {
		buf[i] = base62Alphabet[seed%62]
		seed /= 62
	}
	return string(buf[:]), nil
}

// DecodeExperimentID returns the global seed of a 6-character base62
// experiment ID. Like machinable, it accepts any 6 alphabet characters, so
// IDs with a leading '0' decode to values below MinGlobalSeed; use
// ExperimentSeed where the value must be a global seed.
func DecodeExperimentID(id string) (int64, error) {
	if len(id) != experimentIDLength {
		return 0, invalidIDError(id)
	}
	var v int64
	for i := 0; i < len(id); i++ {
		d := base62Digit(id[i])
		if d < 0 {
			return 0, invalidIDError(id)
		}
		v = v*62 + int64(d)
	}
	return v, nil
}

// ExperimentSeed returns the global seed an experiment ID stands for, as
// DecodeExperimentID, and refuses IDs starting with '0': they decode to
// values below MinGlobalSeed, which no experiment has (machinable 2.x
// decodes them, then fails to encode the seed back).
func ExperimentSeed(id string) (int64, error) {
	v, err := DecodeExperimentID(id)
	if err != nil {
		return 0, err
	}
	if v < MinGlobalSeed {
		return 0, fmt.Errorf("invalid experiment ID %q: expected a first character from 1-9, A-Z, a-z (IDs encode the global seeds %d to %d, 62**5 to 62**6-1; a leading 0 is below them)", id, MinGlobalSeed, MaxGlobalSeed)
	}
	return v, nil
}

// IsExperimentID reports whether s is a well-formed experiment ID.
func IsExperimentID(s string) bool {
	_, err := DecodeExperimentID(s)
	return err == nil
}

func invalidIDError(id string) error {
	return fmt.Errorf("invalid experiment ID %q: expected %d characters from 0-9, A-Z, a-z", id, experimentIDLength)
}

// isBase62 reports whether every byte of s is in the ID alphabet.
func isBase62(s string) bool {
	for i := 0; i < len(s); i++ {
		if base62Digit(s[i]) < 0 {
			return false
		}
	}
	return true
}

func base62Digit(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'Z':
		return int(c-'A') + 10
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 36
	}
	return -1
}

// GlobalSeedFromInt maps any integer to a global seed the way machinable
// does: random.Random(n).randint(62**5, 62**6-1).
func GlobalSeedFromInt(n int64) int64 {
	v, err := New(n).RandInt(MinGlobalSeed, MaxGlobalSeed)
	if err != nil {
		panic(err) // unreachable: the range is a non-empty constant
	}
	return v
}

// FreshGlobalSeed returns a global seed drawn uniformly from
// [MinGlobalSeed, MaxGlobalSeed] using crypto/rand.
func FreshGlobalSeed() int64 {
	n, err := rand.Int(rand.Reader, big.NewInt(MaxGlobalSeed-MinGlobalSeed+1))
	if err != nil {
		panic(fmt.Sprintf("seeding: crypto/rand failed: %v", err)) // crypto/rand does not fail on supported platforms
	}
	return MinGlobalSeed + n.Int64()
}

// IDPrefix marks a seed string as an experiment ID whatever it looks like,
// for places that read digits as an integer seed: the command line's
// --seed 123456 is the integer seed 123456, --seed id:123456 the
// experiment whose ID is 123456.
const IDPrefix = "id:"

// CutIDPrefix removes IDPrefix (in any letter case) from s and reports
// whether it was there.
func CutIDPrefix(s string) (string, bool) {
	if len(s) >= len(IDPrefix) && strings.EqualFold(s[:len(IDPrefix)], IDPrefix) {
		return s[len(IDPrefix):], true
	}
	return s, false
}

// ParseSeed turns a command-line seed into a global seed. "id:" followed
// by an experiment ID is that experiment; a 6-character experiment ID is
// decoded (so "123456" is an ID, not a number); any other decimal integer
// is mapped through GlobalSeedFromInt.
func ParseSeed(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if id, ok := CutIDPrefix(s); ok {
		return ExperimentSeed(id)
	}
	if len(s) == experimentIDLength && isBase62(s) {
		v, err := ExperimentSeed(s)
		if err != nil {
			return 0, fmt.Errorf("invalid seed %q: %w", s, err)
		}
		return v, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid seed %q: expected a 6-character experiment ID (0-9, A-Z, a-z), id:ID, or a decimal integer", s)
	}
	return GlobalSeedFromInt(n), nil
}
