package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/afero"
)

// maxFindDepth bounds the search for an experiment below the storage root:
// experiments live at <root>/<directory>/<ID>, and directories are short.
const maxFindDepth = 4

// FindExperiment locates an experiment by ID anywhere below the storage
// root (its .directory() may be any relative path), recognising it by its
// execution.json. More than one match is an error naming them.
func (s *Storage) FindExperiment(id string) (*Experiment, error) {
	dirs, err := s.experimentDirs()
	if err != nil {
		return nil, err
	}
	var found []string
	for _, d := range dirs {
		if filepath.Base(d) == id {
			found = append(found, d)
		}
	}
	switch len(found) {
	case 0:
		if lost := s.lostExperiment(id); lost != "" {
			return nil, fmt.Errorf("experiment %s not found in storage %s: %s", id, s.URL, lost)
		}
		// IDs encode the seed, so another case is another experiment:
		// never opened in its place, only suggested.
		var other []string
		for _, d := range dirs {
			if b := filepath.Base(d); b != id && strings.EqualFold(b, id) {
				other = append(other, b)
			}
		}
		if len(other) > 0 {
			sort.Strings(other)
			return nil, fmt.Errorf("experiment %s not found in storage %s (IDs are case-sensitive): did you mean %s?", id, s.URL, strings.Join(other, " or "))
		}
		if len(dirs) == 0 {
			return nil, fmt.Errorf("experiment %s not found: no experiments in storage %s", id, s.URL)
		}
		return nil, fmt.Errorf("experiment %s not found in storage %s", id, s.URL)
	case 1:
		return &Experiment{storage: s, ID: id, Path: found[0]}, nil
	}
	sort.Strings(found)
	return nil, fmt.Errorf("experiment %s is in storage %s more than once: %v", id, s.URL, found)
}

// DefaultURL is the storage the CLI inspects when none is given, found
// from the working directory (see FindDefault).
func DefaultURL() (string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	d, err := FindDefault(cwd)
	return d.URL, err
}

// Default is the storage a reading command uses when none is given.
type Default struct {
	URL string
	// Note says where the storage came from when it is not ./results of
	// the working directory ("" then): a parent's results directory.
	Note string
}

// FindDefault finds the storage of the project that dir is in:
// $MACHINABLE_STORAGE (relative to dir), else the first results
// directory at dir or a parent, up to and including the project root
// (the nearest directory with machinable.yaml; without one, dir alone is
// looked at). The error names every directory it looked at.
func FindDefault(dir string) (Default, error) {
	if u := os.Getenv("MACHINABLE_STORAGE"); u != "" {
		return Default{URL: AbsURL(u, dir)}, nil
	}
	root, inProject := projectRoot(dir)
	var searched []string
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "results")
		searched = append(searched, p)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			if d == dir {
				return Default{URL: "./results"}, nil
			}
			return Default{URL: p, Note: fmt.Sprintf("using storage %s (the project's results directory)", p)}, nil
		}
		if !inProject || d == root || filepath.Dir(d) == d {
			break
		}
	}
	if !inProject {
		return Default{}, fmt.Errorf("no storage given and no results directory in %s (not inside a project: no %s here or above): pass --storage URL or set MACHINABLE_STORAGE", dir, projectFile)
	}
	return Default{}, fmt.Errorf("no storage given and no results directory found (looked at %s): pass --storage URL or set MACHINABLE_STORAGE", strings.Join(searched, ", "))
}

// projectFile is runtime/project's file name, repeated here: storage does
// not depend on the runtime.
const projectFile = "machinable.yaml"

// projectRoot is the nearest directory at or above dir with a
// machinable.yaml.
func projectRoot(dir string) (string, bool) {
	for d := dir; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, projectFile)); err == nil && !fi.IsDir() {
			return d, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

// AbsURL makes a relative local path absolute against base; other URLs
// (mem://, s3://, file:///abs, ~/x, absolute paths) come back unchanged.
// A relative path in a .star file is relative to the file's directory, on
// the command line to the working directory: callers pass that base.
func AbsURL(url, base string) string {
	p := url
	prefix := ""
	for _, scheme := range []string{"file://", "osfs://"} {
		if strings.HasPrefix(url, scheme) {
			prefix, p = scheme, url[len(scheme):]
		}
	}
	if prefix == "" && strings.Contains(url, "://") {
		return url
	}
	if p == "" || p == "~" || strings.HasPrefix(p, "~/") || filepath.IsAbs(p) || base == "" {
		return url
	}
	return prefix + filepath.Join(base, p)
}

// OpenExperimentURL opens an experiment from its URL: the storage URL of
// its parent directory plus the ID as last element, e.g.
// /abs/results/sweeps/8gWVkz. This is how workers are told where to look.
func OpenExperimentURL(url string) (*Experiment, error) {
	if strings.HasPrefix(url, "s3://") {
		return openS3ExperimentURL(url)
	}
	trimmed := strings.TrimRight(url, "/")
	i := strings.LastIndex(trimmed, "/")
	if i < 0 {
		return nil, fmt.Errorf("experiment URL %q: expected <storage>/<directory>/<ID>", url)
	}
	parent, id := trimmed[:i], trimmed[i+1:]
	if parent == "" {
		parent = "/"
	}
	st, err := Open(parent)
	if err != nil {
		return nil, err
	}
	if !st.Exists("", id) {
		return nil, fmt.Errorf("no experiment at %s (expected an execution.json there)", url)
	}
	return &Experiment{storage: st, ID: id, Path: st.ExperimentPath("", id)}, nil
}

// URL is where other processes find the experiment (see
// OpenExperimentURL); for mem:// storages it only works in this process.
func (e *Experiment) URL() string {
	if e.storage.Object {
		u := e.storage.base + "/" + strings.TrimPrefix(e.Path, "/")
		if e.storage.query != "" {
			u += "?" + e.storage.query
		}
		return u
	}
	if e.storage.Memory {
		return e.storage.Describe(e.Path)
	}
	return e.Path
}

// lostExperiment describes a directory named id that has no
// execution.json, "" when there is none: an experiment whose files the
// storage lost (an object store that restarted empty), or that is being
// prepared right now.
func (s *Storage) lostExperiment(id string) string {
	if CheckExperimentID(id) != nil {
		return ""
	}
	var found string
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		entries, err := afero.ReadDir(s.Fs, dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			if found != "" || !e.IsDir() {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if e.Name() == id {
				found = p
				return
			}
			if _, err := s.Fs.Stat(filepath.Join(p, "execution.json")); err == nil {
				continue // another experiment: its components are not searched
			}
			if depth < maxFindDepth {
				walk(p, depth+1)
			}
		}
	}
	walk(s.Root, 0)
	if found == "" {
		return ""
	}
	exp := &Experiment{storage: s, ID: id, Path: found}
	comps, _ := exp.ComponentDirs()
	var present []string
	for _, name := range []string{ScheduleName, LegacyScheduleName, "host.json", "code.zip"} {
		if exp.HasFile(name) {
			present = append(present, name)
		}
	}
	what := fmt.Sprintf("%d component directories", len(comps))
	if len(present) > 0 {
		what += ", " + strings.Join(present, ", ")
	}
	return fmt.Sprintf("%s has no execution.json (it holds %s): the storage lost the experiment's files, or the experiment is being prepared right now; "+
		"run the same plan with the same seed again to rebuild it", s.Describe(found), what)
}
