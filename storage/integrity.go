package storage

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// ErrCorrupt is wrapped by errors about a stored file that exists but
// does not decode: truncated by a full disk or a crash of an older
// release, or edited by hand.
var ErrCorrupt = errors.New("corrupt file")

// CorruptError names a stored file that does not decode.
type CorruptError struct {
	Path string // the file, as the storage names it
	Err  error  // why it does not decode
}

// Error names the file and says why it does not decode.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("decode %s: %v (the file is truncated or corrupt)", e.Path, e.Err)
}

// Unwrap gives ErrCorrupt and the decoding error.
func (e *CorruptError) Unwrap() []error { return []error{ErrCorrupt, e.Err} }

// StatusUnreadable is the status of a component whose status.json exists
// but does not decode. It is read, never written: readers show the
// component as unreadable, and a resume runs it again, keeping the file
// under attempts/<n>/.
const StatusUnreadable = "unreadable"

// Names read back from storage are checked as strictly as names written:
// a file edited by hand, or a storage shared with someone hostile, must
// not make machinable read or write outside the storage.

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !idByte[s[i]] {
			return false
		}
	}
	return true
}

// CheckComponentID accepts a component ID: 12 characters of A-Z, a-z
// and 0-9.
func CheckComponentID(id string) error {
	if len(id) != 12 || !isAlnum(id) {
		return fmt.Errorf("invalid component ID %q: expected 12 characters of A-Z, a-z and 0-9", id)
	}
	return nil
}

// CheckExperimentID accepts an experiment ID: 6 characters of A-Z, a-z
// and 0-9.
func CheckExperimentID(id string) error {
	if len(id) != 6 || !isAlnum(id) {
		return fmt.Errorf("invalid experiment ID %q: expected 6 characters of A-Z, a-z and 0-9", id)
	}
	return nil
}

// CheckDirectory accepts an experiment's directory inside its storage:
// empty, or a relative path that stays inside.
func CheckDirectory(dir string) error {
	if dir == "" {
		return nil
	}
	clean := path.Clean(strings.ReplaceAll(dir, `\`, "/"))
	if !utf8.ValidString(dir) || strings.ContainsRune(dir, 0) || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return fmt.Errorf("invalid directory %q: expected a relative path inside the storage", dir)
	}
	return nil
}

// CheckSchedule checks the component IDs read from schedule.json (file
// names it in messages): every entry present, every ID valid and used
// once. ids[i] is the ID of entry i; present[i] is false for a null
// entry.
func CheckSchedule(file string, ids []string, present []bool) error {
	seen := make(map[string]int, len(ids))
	for i, id := range ids {
		if !present[i] {
			return fmt.Errorf("%s: entry %d is null, expected a component", file, i+1)
		}
		if err := CheckComponentID(id); err != nil {
			return fmt.Errorf("%s: entry %d: %w", file, i+1, err)
		}
		if j, ok := seen[id]; ok {
			return fmt.Errorf("%s: entries %d and %d have the same ID %s", file, j+1, i+1, id)
		}
		seen[id] = i
	}
	return nil
}
