package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// ErrStoreExists is returned when a stored value would be overwritten
// without overwrite=True.
var ErrStoreExists = errors.New("already stored")

// StoreWrite saves a value under name. A name with an extension is a file
// under store/ (.json is encoded as JSON, anything else written as text or
// bytes); a bare name is a key of store.json. Names that would leave the
// component directory are refused, and so is replacing a value unless
// overwrite is set.
func (c *Component) StoreWrite(name string, value any, overwrite bool) error {
	if err := checkStoreName(name); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if path.Ext(name) == "" {
		values, err := c.readStoreJSON()
		if err != nil {
			return err
		}
		if _, ok := values[name]; ok && !overwrite {
			return fmt.Errorf("store.write(%q): %w in component %s; pass overwrite=True to replace it", name, ErrStoreExists, c.ID)
		}
		values[name] = value
		return writeJSON(c.fs, filepath.Join(c.Path, "store.json"), values, true)
	}
	p := filepath.Join(c.Path, "store", filepath.FromSlash(name))
	if _, err := c.fs.Stat(p); err == nil && !overwrite {
		return fmt.Errorf("store.write(%q): %w in component %s; pass overwrite=True to replace it", name, ErrStoreExists, c.ID)
	}
	if err := mkdirAll(c.fs, filepath.Dir(p)); err != nil {
		return err
	}
	if path.Ext(name) == ".json" {
		return writeJSON(c.fs, p, value, true)
	}
	var data []byte
	switch v := value.(type) {
	case []byte:
		data = v
	case string:
		data = []byte(v)
	default:
		data = []byte(fmt.Sprint(v))
	}
	if err := writeAtomic(c.fs, p, data, false); err != nil {
		return fmt.Errorf("store.write(%q): %w", name, err)
	}
	return nil
}

// StoreRead returns a value saved by StoreWrite.
func (c *Component) StoreRead(name string) (any, error) {
	if err := checkStoreName(name); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if path.Ext(name) == "" {
		values, err := c.readStoreJSON()
		if err != nil {
			return nil, err
		}
		v, ok := values[name]
		if !ok {
			return nil, fmt.Errorf("store.read(%q): nothing stored under that name in component %s", name, c.ID)
		}
		return v, nil
	}
	data, err := readWhole(c.fs, filepath.Join(c.Path, "store", filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store.read(%q): nothing stored under that name in component %s", name, c.ID)
	} else if err != nil {
		return nil, err
	}
	if path.Ext(name) == ".json" {
		return jsonvalue.Decode(data)
	}
	return string(data), nil
}

func (c *Component) readStoreJSON() (map[string]any, error) {
	var values map[string]any
	err := readJSON(c.fs, filepath.Join(c.Path, "store.json"), &values)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]any{}, nil
	} else if err != nil {
		return nil, err
	}
	return jsonvalue.NormalizeMap(values), nil
}

func checkStoreName(name string) error {
	clean := path.Clean(name)
	switch {
	case name == "" || clean == ".":
		return errors.New("store: empty name")
	case !utf8.ValidString(name):
		return fmt.Errorf("store: name %q is not valid UTF-8", name)
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("store: name %q contains a NUL character", name)
	case strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || filepath.IsAbs(name):
		return fmt.Errorf("store: name %q must be relative to the component's store", name)
	case clean == ".." || strings.HasPrefix(clean, "../"):
		return fmt.Errorf("store: name %q escapes the component directory", name)
	}
	return nil
}
