package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

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

// writeJSON writes v to p; unless replace is set an existing file is an
// error. Replacements go through a temporary file and a rename so readers
// never see half a file.
func writeJSON(fs afero.Fs, p string, v any, replace bool) error {
	data, err := marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", p, err)
	}
	if !replace {
		return createFile(fs, p, data)
	}
	if isMemory(fs) || isObjectStore(fs) {
		// A put of an object is atomic; in memory a write is all-or-nothing
		// for readers in this process (and MemMapFs's Rename scans every
		// file it holds).
		return afero.WriteFile(fs, p, data, 0o644)
	}
	tmp := p + ".tmp"
	if err := afero.WriteFile(fs, tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := fs.Rename(tmp, p); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// readJSON decodes p into v, keeping whole numbers exact.
func readJSON(fs afero.Fs, p string, v any) error {
	data, err := afero.ReadFile(fs, p)
	if err != nil {
		return err
	}
	if err := jsonvalue.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s: %w", p, err)
	}
	return nil
}

// createFile writes a new file; an existing one is an error, never
// replaced.
func createFile(fs afero.Fs, p string, data []byte) error {
	if o, ok := fs.(*objectFs); ok {
		if err := o.createExclusive(p, data); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		return nil
	}
	f, err := fs.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", p, err)
	}
	return f.Close()
}
