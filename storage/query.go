package storage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/spf13/afero"
)

// The read side of a storage: listing experiments, their components,
// records, stored values and logs. Nothing here writes; every read goes
// to the files, so experiments that are still running show their current
// state.

// ExperimentView is an experiment as read from storage.
type ExperimentView struct {
	storage *Storage
	exp     *Experiment

	// The fields of execution.json that listings show.
	ID          string         `json:"experiment_id"`          // the 6-character experiment ID
	Seed        int64          `json:"seed"`                   // the global seed
	Engine      string         `json:"engine"`                 // short engine spec, secrets redacted
	Directory   string         `json:"directory,omitempty"`    // sub-directory of the storage, "" for the root
	Project     string         `json:"project"`                // project directory where it ran
	StartedAt   time.Time      `json:"started_at"`             // UTC
	CodeVersion map[string]any `json:"code_version,omitempty"` // git state of the project, if known
	CodeBackup  map[string]any `json:"code_backup,omitempty"`  // backup settings, and what code.zip holds
	Version     string         `json:"machinable_version"`     // the release that ran it
	Plan        map[string]any `json:"plan,omitempty"`         // the plan as Experiment.to_json() gives it

	once       sync.Once
	components []*ComponentView
	err        error
	unreadable error // execution.json's error: err from the start
}

// ComponentView is a component as read from storage. Config and flags come
// from schedule.json; status is re-read on every call.
type ComponentView struct {
	Experiment *ExperimentView `json:"-"`                   // the experiment it belongs to
	ID         string          `json:"id"`                  // the 12-character component ID
	Name       string          `json:"name"`                // full component name
	Config     map[string]any  `json:"config"`              // resolved config
	Flags      map[string]any  `json:"flags"`               // SEED, COMPONENT_ID, repeat flags, ...
	Resources  map[string]any  `json:"resources,omitempty"` // what it asked of the engine
	// Components are the sub-components (name, config, flags), as
	// scheduled.
	Components []map[string]any `json:"components,omitempty"`
}

// Experiments lists the experiments below the storage root, newest first.
// It reads each execution.json only: no schedule, status or record.
func (s *Storage) Experiments() ([]*ExperimentView, error) {
	paths, err := s.experimentDirs()
	if err != nil {
		return nil, err
	}
	views := make([]*ExperimentView, len(paths))
	errs := make([]error, len(paths))
	Parallel(len(paths), func(i int) {
		views[i], errs[i] = s.view(paths[i])
	})
	var out []*ExperimentView
	for i, v := range views {
		if errs[i] != nil {
			// One unreadable experiment does not hide the others: it is
			// listed by its directory's name, and reading its components
			// gives the error.
			v = &ExperimentView{storage: s, exp: &Experiment{storage: s, ID: filepath.Base(paths[i]), Path: paths[i]},
				ID: filepath.Base(paths[i]), err: errs[i], unreadable: errs[i]}
			v.once.Do(func() {})
		}
		out = append(out, v)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedAt.After(out[j].StartedAt) })
	return out, nil
}

// Experiment finds one experiment by ID.
func (s *Storage) Experiment(id string) (*ExperimentView, error) {
	exp, err := s.FindExperiment(id)
	if err != nil {
		return nil, err
	}
	return s.view(exp.Path)
}

// View reads an opened experiment.
func (e *Experiment) View() (*ExperimentView, error) { return e.storage.view(e.Path) }

// experimentDirs finds every directory holding an execution.json.
func (s *Storage) experimentDirs() ([]string, error) {
	var found []string
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		entries, err := afero.ReadDir(s.Fs, dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if _, err := s.Fs.Stat(filepath.Join(p, "execution.json")); err == nil {
				found = append(found, p)
				continue
			}
			if depth < maxFindDepth {
				walk(p, depth+1)
			}
		}
	}
	walk(s.Root, 0)
	return found, nil
}

func (s *Storage) view(path string) (*ExperimentView, error) {
	v := &ExperimentView{storage: s, exp: &Experiment{storage: s, ID: filepath.Base(path), Path: path}}
	file := filepath.Join(path, "execution.json")
	if err := readJSON(s.Fs, file, v); err != nil {
		var ce *CorruptError
		if errors.As(err, &ce) {
			ce.Path = s.Describe(ce.Path)
		}
		return nil, fmt.Errorf("experiment %s: %w", s.Describe(path), s.redact(err))
	}
	if err := CheckExperimentID(v.ID); err != nil {
		return nil, fmt.Errorf("experiment %s: %s: %w", s.Describe(path), s.Describe(file), err)
	}
	if err := CheckDirectory(v.Directory); err != nil {
		return nil, fmt.Errorf("experiment %s: %s: %w", s.Describe(path), s.Describe(file), err)
	}
	v.CodeVersion = jsonvalue.NormalizeMap(v.CodeVersion)
	v.CodeBackup = jsonvalue.NormalizeMap(v.CodeBackup)
	v.Plan = jsonvalue.NormalizeMap(v.Plan)
	return v, nil
}

// Path is the experiment's directory inside the storage.
func (e *ExperimentView) Path() string { return e.exp.Path }

// Storage is the storage the experiment was read from.
func (e *ExperimentView) Storage() *Storage { return e.storage }

// Components returns the experiment's components in schedule order
// (read once from schedule.jsonl, or schedule.json of older experiments;
// a schedule still being written gives the components scheduled so far).
func (e *ExperimentView) Components() ([]*ComponentView, error) {
	e.once.Do(func() {
		var sched struct{ Components []*ComponentView }
		name, err := e.exp.ReadSchedule(func(raw json.RawMessage) error {
			var c *ComponentView
			if err := DecodeScheduled(raw, &c); err != nil {
				return err
			}
			sched.Components = append(sched.Components, c)
			return nil
		})
		file := filepath.Join(e.exp.Path, name)
		if errors.Is(err, ErrScheduleIncomplete) {
			err = nil // being written: what is there so far
		}
		if err != nil {
			e.err = fmt.Errorf("experiment %s: %w", e.ID, err)
			return
		}
		ids := make([]string, len(sched.Components))
		present := make([]bool, len(sched.Components))
		for i, c := range sched.Components {
			if c != nil {
				ids[i], present[i] = c.ID, true
			}
		}
		if err := CheckSchedule(e.storage.Describe(file), ids, present); err != nil {
			e.err = fmt.Errorf("experiment %s: %w", e.ID, err)
			return
		}
		for _, c := range sched.Components {
			c.Experiment = e
			c.Config = jsonvalue.NormalizeMap(c.Config)
			c.Flags = jsonvalue.NormalizeMap(c.Flags)
			c.Resources = jsonvalue.NormalizeMap(c.Resources)
			for i, sub := range c.Components {
				c.Components[i] = jsonvalue.NormalizeMap(sub)
			}
		}
		e.components = sched.Components
	})
	return e.components, e.err
}

// Component finds a component of the experiment by ID.
func (e *ExperimentView) Component(id string) (*ComponentView, error) {
	cs, err := e.Components()
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, fmt.Errorf("experiment %s has no component %q", e.ID, id)
}

// Statuses reads the status of every component in schedule order: from
// the experiment's journal for those it names finished or stopped, from status.json
// (in parallel) for the others.
func (e *ExperimentView) Statuses() ([]Status, error) {
	cs, err := e.Components()
	if err != nil {
		return nil, err
	}
	out := make([]Status, len(cs))
	j := e.exp.ReadJournal()
	var unknown []int // what the journal does not say finished
	for i, c := range cs {
		if st, ok := j[c.ID]; ok {
			out[i] = st
		} else {
			unknown = append(unknown, i)
		}
	}
	return out, readStatuses(cs, unknown, out)
}

// readStatuses reads the status.json of the components cs[i] for each i
// in which, into out[i], in parallel.
func readStatuses(cs []*ComponentView, which []int, out []Status) error {
	errs := make([]error, len(which))
	Parallel(len(which), func(k int) { i := which[k]; out[i], errs[k] = cs[i].Status() })
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Counts sums the states of the components (queued, running, stale,
// finished, stopped, failed, interrupted). Those the journal says
// finished or stopped are counted without reading their status.json.
func (e *ExperimentView) Counts(now time.Time) (map[string]int, error) {
	if e.unreadable != nil {
		return nil, e.unreadable
	}
	ids, err := e.exp.ScheduleIDs() // no need to decode every component
	if err != nil {
		return nil, fmt.Errorf("experiment %s: %w", e.ID, err)
	}
	done := e.exp.FinalInJournal()
	counts := map[string]int{}
	var unknown []int
	cs := make([]*ComponentView, len(ids))
	for i, id := range ids {
		if status := done[id]; status != "" {
			counts[status]++
		} else {
			unknown = append(unknown, i)
			cs[i] = &ComponentView{Experiment: e, ID: id}
		}
	}
	sts := make([]Status, len(cs))
	if err := readStatuses(cs, unknown, sts); err != nil {
		return nil, err
	}
	for _, i := range unknown {
		counts[sts[i].State(now)]++
	}
	return counts, nil
}

func (c *ComponentView) dir() string  { return filepath.Join(c.Experiment.exp.Path, c.ID) }
func (c *ComponentView) fs() afero.Fs { return c.Experiment.storage.Fs }

// Status re-reads status.json; a component that has not started is
// "created", one whose status.json does not decode is StatusUnreadable
// (Error says why), so one damaged file does not hide the others.
func (c *ComponentView) Status() (Status, error) {
	st, _, err := c.Experiment.exp.readStatus(c.dir())
	return st, err
}

// Scopes lists the record scopes the component saved rows in.
func (c *ComponentView) Scopes() []string {
	var out []string
	for _, name := range appendedNames(c.fs(), filepath.Join(c.dir(), "records"), ".jsonl") {
		if scope := strings.TrimSuffix(name, ".jsonl"); checkScope(scope) == nil {
			out = append(out, scope)
		}
	}
	return out
}

// Records streams the rows of a scope to fn, one decoded row at a time;
// fn returns false to stop. A scope without rows calls fn never.
func (c *ComponentView) Records(scope string, fn func(row map[string]any) bool) error {
	var err error
	lerr := c.RecordLines(scope, func(n int, line []byte) bool {
		var row map[string]any
		if err = jsonvalue.Unmarshal(line, &row); err != nil {
			err = fmt.Errorf("records %q line %d: %w", scope, n, err)
			return false
		}
		if row == nil { // a line "null": JSON leaves the map nil
			err = fmt.Errorf("records %q line %d: expected a JSON object (a row), got null", scope, n)
			return false
		}
		return fn(jsonvalue.NormalizeMap(row))
	})
	if lerr != nil {
		return lerr
	}
	return err
}

// RecordLines streams the lines of a scope undecoded, with their line
// numbers, for a reader with a faster decoder of its own (the web view's
// charts read millions of rows); line is valid only during the call.
// Blank lines are skipped, and so is a last line without newline: a row
// being written right now.
func (c *ComponentView) RecordLines(scope string, fn func(n int, line []byte) bool) error {
	if err := checkScope(scope); err != nil {
		return err
	}
	f, err := openAppended(c.fs(), filepath.Join(c.dir(), "records", scope+".jsonl"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64*1024)
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull { // a line longer than the buffer
			rest, err2 := br.ReadBytes('\n')
			line, err = append(append([]byte(nil), line...), rest...), err2
		}
		if err == io.EOF {
			return nil // a partial last line is a row still being written
		}
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if !fn(n, line) {
			return nil
		}
	}
}

// AllRecords returns every row of a scope.
func (c *ComponentView) AllRecords(scope string) ([]map[string]any, error) {
	var rows []map[string]any
	err := c.Records(scope, func(r map[string]any) bool { rows = append(rows, r); return true })
	return rows, err
}

// Read returns a value the component stored (see Component.StoreWrite).
func (c *ComponentView) Read(name string) (any, error) {
	comp := &Component{fs: c.fs(), ID: c.ID, Path: c.dir()}
	return comp.StoreRead(name)
}

// File returns the content of a file of the component ("log.txt",
// "output.log"); a file never written is empty.
func (c *ComponentView) File(name string) (string, error) {
	b, err := readAppended(c.fs(), filepath.Join(c.dir(), name))
	return string(b), err
}

// Parallel runs fn(0..n-1) on a few goroutines, for reading many files
// of a storage: that is I/O bound.
func Parallel(n int, fn func(i int)) {
	workers := 8
	if n < workers {
		workers = n
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// FindAll lists every experiment below the storage root, newest first
// (2.x's Storage.find_all).
func (s *Storage) FindAll() ([]*ExperimentView, error) { return s.Experiments() }

// FindMany looks up experiments by ID in one pass over the storage; an ID
// that is not there gives nil at its place (2.x's Storage.find_many). An
// ID stored at more than one place is an error, as in Experiment.
func (s *Storage) FindMany(ids []string) ([]*ExperimentView, error) {
	dirs, err := s.experimentDirs()
	if err != nil {
		return nil, err
	}
	byID := map[string][]string{}
	for _, d := range dirs {
		byID[filepath.Base(d)] = append(byID[filepath.Base(d)], d)
	}
	out := make([]*ExperimentView, len(ids))
	for i, id := range ids {
		found := byID[id]
		switch {
		case len(found) == 0:
			continue
		case len(found) > 1:
			sort.Strings(found)
			return nil, fmt.Errorf("experiment %s is in storage %s more than once: %v", id, s.URL, found)
		}
		if out[i], err = s.view(found[0]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FindByDirectory lists the experiments stored directly in a directory
// of the storage ("" or "/" for the root; leading and trailing slashes
// are ignored, as 2.x's find_by_directory does), newest first. A
// directory that does not exist or is outside the storage holds none.
func (s *Storage) FindByDirectory(directory string) ([]*ExperimentView, error) {
	directory = strings.Trim(filepath.ToSlash(directory), "/")
	if CheckDirectory(directory) != nil {
		return nil, nil
	}
	all, err := s.Experiments()
	if err != nil {
		return nil, err
	}
	var out []*ExperimentView
	for _, v := range all {
		if v.Location() == directory {
			out = append(out, v)
		}
	}
	return out, nil
}

// Location is the directory the experiment is stored in, relative to the
// storage root, with slashes ("" at the root). It is where the experiment
// was found, which is Directory unless the files were moved.
func (e *ExperimentView) Location() string {
	rel, err := filepath.Rel(e.storage.Root, filepath.Dir(e.exp.Path))
	if err != nil || rel == "." {
		return ""
	}
	return filepath.ToSlash(rel)
}

// URL is the experiment's address: a local path, s3://bucket/key, or
// mem://name/path (the last only within this process).
func (e *ExperimentView) URL() string { return e.exp.URL() }

// Timestamp is StartedAt in seconds since the epoch (2.0's timestamp).
func (e *ExperimentView) Timestamp() float64 {
	return float64(e.StartedAt.UnixNano()) / 1e9
}

// HasCodeBackup reports whether the experiment has a code.zip.
func (e *ExperimentView) HasCodeBackup() bool { return e.exp.HasFile("code.zip") }

// Host reads host.json: where the experiment was prepared.
func (e *ExperimentView) Host() (map[string]any, error) {
	return readObject(e.storage, filepath.Join(e.exp.Path, "host.json"))
}

// ReadFile returns a file of the experiment by its relative path
// ("host.json", "code.zip"); one that is not there wraps fs.ErrNotExist.
func (e *ExperimentView) ReadFile(name string) ([]byte, error) {
	return readInside(e.storage, e.exp.Path, name)
}

// FinishedAt is when the last component finished, nil until every
// component has finished (2.9's Submission.finished_at); a failed or
// interrupted one is not finished, as for the component. A tuning trial
// stopped early is final: it counts as finished here.
func (e *ExperimentView) FinishedAt() (*time.Time, error) {
	sts, err := e.Statuses()
	if err != nil {
		return nil, err
	}
	var last *time.Time
	for _, st := range sts {
		if !Final(st.Status) || st.FinishedAt == nil {
			return nil, nil
		}
		if last == nil || st.FinishedAt.After(*last) {
			last = st.FinishedAt
		}
	}
	return last, nil
}

// URL is the component's address (see ExperimentView.URL).
func (c *ComponentView) URL() string { return c.Experiment.URL() + "/" + c.ID }

// Host reads the component's host.json: where it ran; nil before it ran.
// A component without one ran where the experiment was prepared (lean
// storage writes it only where it differs): it gets the experiment's
// host facts, without the keys of host_information(), and the PID of
// its status.json.
func (c *ComponentView) Host() (map[string]any, error) {
	m, err := readObject(c.Experiment.storage, filepath.Join(c.dir(), "host.json"))
	if !errors.Is(err, fs.ErrNotExist) {
		return m, err
	}
	st, err := c.Status()
	if err != nil || st.Status == StatusCreated || st.Status == StatusUnreadable {
		return nil, err
	}
	exp, err := c.Experiment.Host()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, k := range hostFacts {
		if v, ok := exp[k]; ok {
			out[k] = v
		}
	}
	if st.PID > 0 {
		out["pid"] = int64(st.PID)
	}
	return out, nil
}

// hostFacts are the keys machinable writes in a host.json (see
// runtime.Host); an experiment's may have more, from host_information().
var hostFacts = []string{"hostname", "pid", "user", "os", "arch", "cpus", "go_version", "machinable_version"}

// HasRecords reports whether the component saved rows in a scope.
func (c *ComponentView) HasRecords(scope string) bool {
	for _, s := range c.Scopes() {
		if s == scope {
			return true
		}
	}
	return false
}

// ReadFile returns a file of the component by its relative path
// ("log.txt", "data/x.json"); files appended in parts (on object stores)
// are read whole. One that is not there wraps fs.ErrNotExist.
func (c *ComponentView) ReadFile(name string) ([]byte, error) {
	if err := checkInside(name); err != nil {
		return nil, err
	}
	r, err := openAppended(c.fs(), filepath.Join(c.dir(), filepath.FromSlash(name)))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if b, ok := c.leanFile(name); ok {
				return b, nil
			}
			return nil, fmt.Errorf("component %s has no file %q: %w", c.ID, name, fs.ErrNotExist)
		}
		return nil, c.Experiment.storage.redact(err)
	}
	defer r.Close()
	return io.ReadAll(r)
}

// leanFile gives what a file that lean storage leaves out stands for:
// host.json the host the component ran on (see Host), components.json
// no sub-components. False for any other file, or a component that has
// not run.
func (c *ComponentView) leanFile(name string) ([]byte, bool) {
	switch filepath.ToSlash(filepath.Clean(name)) {
	case "host.json":
		if h, err := c.Host(); err == nil && h != nil {
			if b, err := marshal(h); err == nil {
				return b, true
			}
		}
	case "components.json":
		if st, err := c.Status(); err == nil && st.Status != StatusCreated {
			return []byte("[]\n"), true
		}
	}
	return nil, false
}

// DataNames lists the files in the component's data directory (what
// self.storage.save_data wrote), sorted; none when there is none.
func (c *ComponentView) DataNames() []string {
	entries, _ := afero.ReadDir(c.fs(), filepath.Join(c.dir(), "data"))
	seen := map[string]bool{}
	var out []string
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), partsSuffix)
		if seen[name] || strings.HasPrefix(name, ".") { // .tmp files of atomic writes
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// checkInside accepts a relative path that stays inside a directory.
func checkInside(name string) error {
	clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(name)))
	if name == "" || clean == "." || strings.ContainsRune(name, 0) || filepath.IsAbs(name) || strings.HasPrefix(name, "/") ||
		clean == ".." || strings.HasPrefix(clean, "../") {
		return fmt.Errorf("invalid file name %q: expected a relative path inside the directory", name)
	}
	return nil
}

func readInside(s *Storage, dir, name string) ([]byte, error) {
	if err := checkInside(name); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, filepath.FromSlash(name))
	b, err := readWhole(s.Fs, p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", s.Describe(p), fs.ErrNotExist)
		}
		return nil, s.redact(err)
	}
	return b, nil
}

// readObject decodes a JSON object file, validated like any input.
func readObject(s *Storage, p string) (map[string]any, error) {
	b, err := readWhole(s.Fs, p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", s.Describe(p), fs.ErrNotExist)
		}
		return nil, s.redact(err)
	}
	var m map[string]any
	if err := jsonvalue.Unmarshal(b, &m); err != nil || m == nil {
		if err == nil {
			err = errors.New("expected a JSON object")
		}
		return nil, fmt.Errorf("%s: %w", s.Describe(p), err)
	}
	return jsonvalue.NormalizeMap(m), nil
}

// FileStamp is the size and modification time of a component's file; an
// appended file on an object store counts its parts. A reader that keeps
// what it derived from a file (a summary of its records) reads it again
// when the stamp changes. A file never written has the zero stamp.
type FileStamp struct {
	Size    int64
	ModTime time.Time
}

// Stamp stats a file of the component by its relative path
// ("records/default.jsonl", "log.txt") without reading it.
func (c *ComponentView) Stamp(name string) (FileStamp, error) {
	if err := checkInside(name); err != nil {
		return FileStamp{}, err
	}
	p := filepath.Join(c.dir(), filepath.FromSlash(name))
	var st FileStamp
	add := func(fi fs.FileInfo) {
		st.Size += fi.Size()
		if fi.ModTime().After(st.ModTime) {
			st.ModTime = fi.ModTime()
		}
	}
	if fi, err := c.fs().Stat(p); err == nil && !fi.IsDir() {
		add(fi)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return FileStamp{}, c.Experiment.storage.redact(err)
	}
	parts, _ := afero.ReadDir(c.fs(), p+partsSuffix)
	for _, fi := range parts {
		if !fi.IsDir() {
			add(fi)
		}
	}
	return st, nil
}

// StoreFiles lists the files the component stored under store/ (see
// Component.StoreWrite), as relative paths with slashes ("final.json",
// "checkpoints/5/state.json"), sorted; none when it stored none.
func (c *ComponentView) StoreFiles() []string {
	root := filepath.Join(c.dir(), "store")
	var out []string
	var walk func(dir, rel string, depth int)
	walk = func(dir, rel string, depth int) {
		entries, _ := afero.ReadDir(c.fs(), dir)
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, tempPrefix) {
				continue
			}
			if e.IsDir() && !strings.HasSuffix(name, partsSuffix) {
				if depth < maxFindDepth {
					walk(filepath.Join(dir, name), path.Join(rel, name), depth+1)
				}
				continue
			}
			out = append(out, path.Join(rel, strings.TrimSuffix(name, partsSuffix)))
		}
	}
	walk(root, "", 0)
	sort.Strings(out)
	return slices.Compact(out)
}

// DisplayURL is the storage's URL for showing to people: an s3:// URL
// without its query (which names endpoints and options) or user
// information.
func (s *Storage) DisplayURL() string {
	if s.Object {
		return redactURL(s.URL)
	}
	return s.URL
}

// Redact removes the storage's credentials from an error, for messages
// shown outside the process.
func (s *Storage) Redact(err error) error { return s.redact(err) }

// CodeShort is a code version (ExperimentView.CodeVersion) in a few
// characters: the short commit, "*" when the work tree was dirty, "-"
// outside git.
func CodeShort(cv map[string]any) string {
	if git, _ := cv["git"].(bool); !git {
		return "-"
	}
	commit, _ := cv["commit"].(string)
	if len(commit) > 7 {
		commit = commit[:7]
	}
	if commit == "" {
		commit = "(no commit)"
	}
	if dirty, _ := cv["dirty"].(bool); dirty {
		commit += "*"
	}
	return commit
}
