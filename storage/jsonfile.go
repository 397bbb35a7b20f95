package storage

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/spf13/afero"
)

// marshal encodes v as indented JSON with a trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(jsonvalue.KeepFloats(v)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeJSON writes v to p as a whole (see writeAtomic); unless replace
// is set an existing file is an error.
func writeJSON(fs afero.Fs, p string, v any, replace bool) error {
	data, err := marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", p, err)
	}
	if err := writeAtomic(fs, p, data, !replace); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// readJSON decodes p into v, keeping whole numbers exact. A file that is
// empty or does not decode is an error naming it and wrapping
// ErrCorrupt.
func readJSON(fs afero.Fs, p string, v any) error {
	data, err := readWhole(fs, p)
	if err != nil {
		return err
	}
	if err := jsonvalue.Unmarshal(data, v); err != nil {
		return &CorruptError{Path: p, Err: err}
	}
	return nil
}

// createFile writes a new file, complete or not at all; an existing one
// is an error wrapping os.ErrExist, never replaced.
func createFile(fs afero.Fs, p string, data []byte) error {
	if err := writeAtomic(fs, p, data, true); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}
