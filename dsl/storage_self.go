package dsl

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
	"go.starlark.net/starlark"
)

// componentStorageValue is self.storage, 2.6+'s storage API of a
// component next to 2.0's self.store: files of the component directory
// (save_file, file, has_file), data files under data/ (save_data, data),
// records (get_records, has_records, record), the log (log, has_log) and
// where it all is (get_url, get_path, get_local_directory).
type componentStorageValue struct {
	self *runtime.Self
	sv   *selfValue // for self.storage.record and .log
}

var storageMethods = []string{"data", "file", "get_local_directory", "get_path", "get_records", "get_url",
	"has_file", "has_log", "has_records", "log", "record", "save_data", "save_file"}

func (s *componentStorageValue) String() string {
	u, _ := s.self.Store.URL("")
	return fmt.Sprintf("Storage <%s>", u)
}
func (s *componentStorageValue) Type() string         { return "storage" }
func (s *componentStorageValue) Freeze()              {}
func (s *componentStorageValue) Truth() starlark.Bool { return true }
func (s *componentStorageValue) Hash() (uint32, error) {
	return 0, fmt.Errorf("unhashable type: storage")
}
func (s *componentStorageValue) AttrNames() []string { return storageMethods }

type builtinFn = func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error)

func (s *componentStorageValue) Attr(name string) (starlark.Value, error) {
	var fn builtinFn
	switch name {
	case "record":
		return s.sv.Attr("record")
	case "log":
		return s.sv.log, nil
	case "save_file":
		fn = s.saveFile("")
	case "save_data":
		fn = s.saveFile("data")
	case "file":
		fn = s.file("")
	case "data":
		fn = s.data
	case "has_file":
		fn = s.hasFile
	case "has_records":
		fn = s.hasRecords
	case "has_log":
		fn = func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := unpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			return s.has("log.txt")
		}
	case "get_records":
		fn = s.getRecords
	case "get_url":
		fn = s.getURL
	case "get_path":
		fn = s.getPath(true)
	case "get_local_directory":
		fn = s.getPath(false)
	case "get_stream":
		return nil, fmt.Errorf("self.storage.get_stream: Python file streams are not available; use self.storage.save_file(name, data) and file(name), or open get_path(name) in a Go component or an external program")
	case "get_submission":
		return nil, fmt.Errorf("self.storage.get_submission is not available inside a component; read results after the run with Storage(url).find(id)")
	default:
		return nil, noSuchAttr(s, name)
	}
	return starlark.NewBuiltin(name, fn), nil
}

// saveFile is save_file(name, data, overwrite=False), or save_data with
// dir "data": like self.store.write, an existing file is kept unless
// overwrite=True.
func (s *componentStorageValue) saveFile(dir string) builtinFn {
	return func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var name string
		var data starlark.Value
		overwrite := false
		if err := unpackArgs(b.Name(), args, kwargs, "name", &name, "data", &data, "overwrite?", &overwrite); err != nil {
			return nil, err
		}
		if err := checkPythonOnlyFormat(b.Name(), name); err != nil {
			return nil, err
		}
		g, err := fromStarlark(data)
		if err != nil {
			return nil, fmt.Errorf("%s(%q): %w", b.Name(), name, err)
		}
		if err := s.self.Store.SaveFile(joinData(dir, name), g, overwrite); err != nil {
			return nil, fmt.Errorf("self.storage.%s(%q): %w", b.Name(), name, err)
		}
		return starlark.None, nil
	}
}

// checkPythonOnlyFormat refuses numpy and pickle files, which 2.x wrote
// with Python libraries.
func checkPythonOnlyFormat(fn, name string) error {
	switch path.Ext(name) {
	case ".npy", ".p":
		return fmt.Errorf("%s(%q): %s files are Python's (numpy, pickle); save lists and dicts as .json", fn, name, path.Ext(name))
	}
	return nil
}

func joinData(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// file is file(name, default): the content of a file of the component
// (.json decoded, else text); a missing file is the default, or an error
// without one.
func (s *componentStorageValue) file(dir string) builtinFn {
	return func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var name string
		var def starlark.Value
		if err := unpackArgs(b.Name(), args, kwargs, "name", &name, "default?", &def); err != nil {
			return nil, err
		}
		return s.load(b.Name(), joinData(dir, name), def)
	}
}

func (s *componentStorageValue) load(fn, name string, def starlark.Value) (starlark.Value, error) {
	if err := checkPythonOnlyFormat(fn, name); err != nil {
		return nil, err
	}
	v, err := s.self.Store.LoadFile(name)
	if errors.Is(err, fs.ErrNotExist) && def != nil {
		return def, nil
	} else if err != nil {
		return nil, fmt.Errorf("self.storage.%s: %w", fn, err)
	}
	return toStarlark(v), nil
}

// data is data(name=None, default): a file saved by save_data, or the
// names under data/ without a name.
func (s *componentStorageValue) data(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name starlark.Value = starlark.None
	var def starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "name?", &name, "default?", &def); err != nil {
		return nil, err
	}
	switch n := name.(type) {
	case starlark.NoneType:
		names, err := s.self.Store.ListFiles("data")
		if err != nil {
			return nil, err
		}
		elems := make([]starlark.Value, len(names))
		for i, n := range names {
			elems[i] = starlark.String(n)
		}
		return starlark.NewList(elems), nil
	case starlark.String:
		return s.load(b.Name(), "data/"+string(n), def)
	}
	return nil, fmt.Errorf("data: name: expected a string or None, got %s", name.Type())
}

func (s *componentStorageValue) has(name string) (starlark.Value, error) {
	ok, err := s.self.Store.HasFile(name)
	return starlark.Bool(ok), err
}

func (s *componentStorageValue) hasFile(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	if err := unpackArgs(b.Name(), args, kwargs, "name", &name); err != nil {
		return nil, err
	}
	return s.has(name)
}

func (s *componentStorageValue) hasRecords(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	scope := "default"
	if err := unpackArgs(b.Name(), args, kwargs, "scope?", &scope); err != nil {
		return nil, err
	}
	if err := storage.CheckScope(scope); err != nil {
		return nil, err
	}
	return s.has("records/" + scope + ".jsonl")
}

// getRecords is get_records(scope="default"); get_records(None) is a dict
// of the records asked for so far, by scope, as 2.14's.
func (s *componentStorageValue) getRecords(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var scopeArg starlark.Value = starlark.String("default")
	if err := unpackArgs(b.Name(), args, kwargs, "scope?", &scopeArg); err != nil {
		return nil, err
	}
	if scopeArg == starlark.None {
		d := starlark.NewDict(1)
		for _, sc := range s.self.RecordScopes() {
			r, err := s.self.RecordWriter(sc)
			if err != nil {
				return nil, err
			}
			if err := d.SetKey(starlark.String(sc), &recordValue{r: r, scope: sc, self: s.self}); err != nil {
				return nil, err
			}
		}
		return d, nil
	}
	sv, ok := scopeArg.(starlark.String)
	if !ok {
		return nil, fmt.Errorf("get_records: scope: expected a string or None, got %s", scopeArg.Type())
	}
	scope := string(sv)
	r, err := s.self.RecordWriter(scope)
	if err != nil {
		return nil, err
	}
	if scope == "" {
		scope = "default"
	}
	return &recordValue{r: r, scope: scope, self: s.self}, nil
}

func (s *componentStorageValue) getURL(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	name := ""
	if err := unpackArgs(b.Name(), args, kwargs, "name?", &name); err != nil {
		return nil, err
	}
	u, err := s.self.Store.URL(name)
	return starlark.String(u), err
}

// getPath is get_path(name="") (an error on storages that are not local
// directories) or get_local_directory(name="") (False there, as in 2.x).
func (s *componentStorageValue) getPath(strict bool) builtinFn {
	return func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		name := ""
		if err := unpackArgs(b.Name(), args, kwargs, "name?", &name); err != nil {
			return nil, err
		}
		store := s.self.Store
		if _, ok := store.LocalPath(); !ok {
			if !strict {
				return starlark.False, nil
			}
			u, _ := store.URL("")
			return nil, fmt.Errorf("self.storage.get_path: the component's storage %s is not a local directory; use save_file/file, or get_url(name) to name the file", u)
		}
		u, err := store.URL(name)
		return starlark.String(u), err
	}
}
