package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/spf13/afero"
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
	if err := c.writeValueFile(filepath.Join(c.Path, "store", filepath.FromSlash(name)), name, value, overwrite); err != nil {
		return fmt.Errorf("store.write(%q): %w", name, err)
	}
	return nil
}

// writeValueFile writes a value to the file p by name's extension: .json
// as JSON, anything else as text or bytes. Unless overwrite is set an
// existing file is refused (atomically: a concurrent writer cannot slip
// in between), with an error wrapping ErrStoreExists.
func (c *Component) writeValueFile(p, name string, value any, overwrite bool) error {
	if err := mkdirAll(c.fs, filepath.Dir(p)); err != nil {
		return err
	}
	var data []byte
	if path.Ext(name) == ".json" {
		var err error
		if data, err = marshal(value); err != nil {
			return fmt.Errorf("encode as JSON: %w", err)
		}
	} else {
		switch v := value.(type) {
		case []byte:
			data = v
		case string:
			data = []byte(v)
		default:
			data = []byte(fmt.Sprint(v))
		}
	}
	err := writeAtomic(c.fs, p, data, !overwrite)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w in component %s; pass overwrite=True to replace it", ErrStoreExists, c.ID)
	}
	return err
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

// machinableFiles are the files and directories of a component directory
// that machinable writes itself; SaveFile never writes them, since a
// replaced status.json or a half-written log would break the component.
var machinableFiles = map[string]bool{
	"component.json": true, "components.json": true, "host.json": true, "status.json": true,
	"store.json": true, "log.txt": true, "output.log": true, "ray.json": true, "slurm.json": true,
	"records": true, "attempts": true,
}

// SaveFile writes a file of the component directory (self.storage's
// save_file and save_data): .json as JSON, anything else as text or
// bytes. Names that leave the directory, or name a file machinable keeps
// there (status.json, records/...), are refused, and so is replacing a
// file unless overwrite is set. Errors do not name the file: callers do.
func (c *Component) SaveFile(name string, value any, overwrite bool) error {
	if err := checkStoreName(name); err != nil {
		return err
	}
	clean := path.Clean(name)
	if top, _, _ := strings.Cut(clean, "/"); machinableFiles[top] {
		return fmt.Errorf("%s is written by machinable; choose another name, e.g. data/%s", top, path.Base(clean))
	}
	if path.Ext(clean) == "" {
		return errors.New("expected a name with an extension (.json for JSON, .txt or any other for text)")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writeValueFile(filepath.Join(c.Path, filepath.FromSlash(clean)), clean, value, overwrite)
}

// LoadFile reads a file of the component directory: .json decoded (and
// checked like any stored JSON), anything else as text. A missing file is
// an error wrapping fs.ErrNotExist.
func (c *Component) LoadFile(name string) (any, error) {
	if err := checkStoreName(name); err != nil {
		return nil, err
	}
	clean := path.Clean(name)
	p := filepath.Join(c.Path, filepath.FromSlash(clean))
	data, err := c.readAppended(filepath.FromSlash(clean))
	if err == nil && len(data) == 0 {
		// readAppended treats a missing file as empty: tell them apart.
		if ok, serr := c.HasFile(clean); serr == nil && !ok {
			err = fs.ErrNotExist
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("file %q: not found in component %s: %w", name, c.ID, fs.ErrNotExist)
	} else if err != nil {
		return nil, err
	}
	if path.Ext(clean) == ".json" {
		v, err := jsonvalue.Decode(data)
		if err != nil {
			return nil, &CorruptError{Path: c.describe(p), Err: err}
		}
		return v, nil
	}
	if !utf8.Valid(data) {
		return data, nil
	}
	return string(data), nil
}

// HasFile reports whether the component directory holds a file or
// directory of that name, appended files included, also those whose
// rows an object store has not received yet.
func (c *Component) HasFile(name string) (bool, error) {
	if err := checkStoreName(name); err != nil {
		return false, err
	}
	p := filepath.Join(c.Path, filepath.FromSlash(path.Clean(name)))
	for _, q := range []string{p, p + partsSuffix} {
		_, err := c.fs.Stat(q)
		if err == nil {
			return true, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
	}
	return c.wroteAppended(p), nil
}

// ListFiles lists the names in a directory of the component, sorted; a
// directory never written is empty.
func (c *Component) ListFiles(dir string) ([]string, error) {
	if err := checkStoreName(dir); err != nil {
		return nil, err
	}
	entries, err := afero.ReadDir(c.fs, filepath.Join(c.Path, filepath.FromSlash(path.Clean(dir))))
	if errors.Is(err, fs.ErrNotExist) {
		return []string{}, nil
	} else if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		// an appended file on an object store is a directory of parts
		name := strings.TrimSuffix(e.Name(), partsSuffix)
		if !strings.HasPrefix(name, tempPrefix) && !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// URL names a file of the component (or the directory, for ""): a local
// path, or the s3:// or mem:// address.
func (c *Component) URL(name string) (string, error) {
	p := c.Path
	if name != "" {
		if err := checkStoreName(name); err != nil {
			return "", err
		}
		p = filepath.Join(p, filepath.FromSlash(path.Clean(name)))
	}
	return c.describe(p), nil
}
