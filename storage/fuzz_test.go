package storage

import (
	"bytes"
	"fmt"
	"github.com/machinable-go/machinable/internal/fuzzguard"
	"io/fs"
	neturl "net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/spf13/afero"
)

// Fuzz targets for what storage parses: storage URLs, store names, record
// files and the schedule.json/status.json a reader finds. Each input runs
// under fuzzguard.Start (bounded time and heap).

const (
	fuzzExpID  = "8gWVkz"
	fuzzCompID = "ABCDEFabcdef"
)

// FuzzOpen opens any storage URL (s3:// only as far as its redaction and
// credential check: the rest needs a network):
//   - Open returns a storage or an error, never panics, and creates
//     nothing;
//   - "" and mem://NAME are in-memory with root "/", the same file system
//     for the same name;
//   - file://P, osfs://P and local paths have an absolute, clean root,
//     filepath.Abs of P (~ expanded);
//   - any other scheme is refused naming it;
//   - Path stays below the root for clean relative elements;
//   - redactURL drops the query and the user:password of any URL;
//   - an s3:// URL with credentials is refused, the password not repeated;
//   - OpenExperimentURL returns an experiment or an error.
func FuzzOpen(f *testing.F) {
	for _, u := range []string{"", "mem://", "mem://named", "mem://a/b", "./results", "results", "/tmp/x/../y", "~", "~/results",
		"~user/x", "file:///tmp/r", "file://rel/r", "osfs:///tmp/r", "file://", "osfs://~/r", "http://host/x", "s3://bucket/prefix?region=eu-west-1",
		"s3://user:secret@bucket/p?token=abc", "s3://b/p?endpoint=http://u:p@h:9000&x=1#frag", "://x", "mem", "C:\\results", "\x00", "/dev/null",
		"results/8gWVkz", "mem://named/8gWVkz", "/", "//", "s3://", "MEM://x", "file:///", ".", "..",
		"s3://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/p", "s3://b/p?Secret_Key=x", "s3://b/p?endpoint=http%3A%2F%2Fu%3Apw12345%40h", "s3://b/p?endpoint=http://h/?token=t",
		"s3://b/p?endpoint=%zz", "s3://b:x@/p"} {
		f.Add(u, "sub/dir")
	}
	home, herr := os.UserHomeDir()
	f.Fuzz(func(t *testing.T, u, elem string) {
		if len(u) > 1024 || len(elem) > 256 {
			return
		}
		defer fuzzguard.Start()()
		defer fuzzDropMem()()

		fuzzCheckRedactURL(t, u)
		if strings.HasPrefix(u, "s3://") {
			fuzzCheckS3(t, u)
			return
		}
		// Open only looks: a local root that is missing stays missing.
		local := ""
		switch {
		case strings.HasPrefix(u, "file://"), strings.HasPrefix(u, "osfs://"):
			local = u[strings.Index(u, "://")+3:]
		case !strings.Contains(u, "://"):
			local = u
		}
		if local != "" && !strings.HasPrefix(local, "~") {
			local, _ = filepath.Abs(local)
		} else {
			local = ""
		}
		_, missing := os.Lstat(local)
		st, err := Open(u)
		if local != "" && missing != nil {
			if _, after := os.Lstat(local); after == nil {
				t.Fatalf("Open(%q) created %s", u, local)
			}
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("Open(%q): empty error", u)
			}
			if i := strings.Index(u, "://"); i >= 0 && !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "osfs://") && !strings.HasPrefix(u, "mem://") {
				if !strings.Contains(err.Error(), "unsupported scheme") {
					t.Fatalf("Open(%q) = %v; want unsupported scheme", u, err)
				}
			}
		} else {
			fuzzCheckOpened(t, u, st, home, herr)
			if elem != "" && filepath.IsLocal(elem) {
				if p := st.Path(elem); !fuzzWithin(st.Root, p) {
					t.Fatalf("Open(%q).Path(%q) = %q, outside the root %q", u, elem, p, st.Root)
				}
			}
			_ = st.Describe(elem)
		}
		if e, err := OpenExperimentURL(u); err == nil {
			if e.ID == "" || !fuzzWithin(e.storage.Root, e.Path) {
				t.Fatalf("OpenExperimentURL(%q) = %+v: no ID, or outside its storage", u, e)
			}
			_ = e.URL()
		}
	})
}

func fuzzCheckOpened(t *testing.T, u string, st *Storage, home string, herr error) {
	if st.Object {
		t.Fatalf("Open(%q) is an object store", u)
	}
	if u == "" || strings.HasPrefix(u, "mem://") {
		if !st.Memory || st.Root != "/" {
			t.Fatalf("Open(%q) = %+v; want an in-memory storage at /", u, st)
		}
		again, err := Open(u)
		if err != nil || again.Fs != st.Fs {
			t.Fatalf("Open(%q) twice: not the same file system (%v)", u, err)
		}
		return
	}
	if st.Memory || !filepath.IsAbs(st.Root) || filepath.Clean(st.Root) != st.Root {
		t.Fatalf("Open(%q).Root = %q: not an absolute clean path on disk", u, st.Root)
	}
	p := u
	if i := strings.Index(u, "://"); i >= 0 {
		p = u[i+3:]
	}
	if p == "~" || strings.HasPrefix(p, "~/") {
		if herr != nil {
			return
		}
		p = filepath.Join(home, p[1:])
	}
	if want, err := filepath.Abs(p); err != nil || want != st.Root {
		t.Fatalf("Open(%q).Root = %q; want %q (%v)", u, st.Root, want, err)
	}
}

// fuzzCheckRedactURL: what redactURL keeps has neither the query nor the
// password of the authority.
func fuzzCheckRedactURL(t *testing.T, u string) {
	r := redactURL(u)
	if i := strings.Index(u, "?"); i >= 0 {
		if j := strings.Index(r, "?"); j < 0 || r[j:] != "?…" {
			t.Fatalf("redactURL(%q) = %q: the query is kept", u, r)
		}
	}
	head := u
	if i := strings.Index(head, "?"); i >= 0 {
		head = head[:i]
	}
	if i := strings.Index(head, "://"); i >= 0 {
		rest := head[i+3:]
		if end := strings.IndexAny(rest, "/?"); end >= 0 {
			rest = rest[:end]
		}
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if want := head[:i+3] + "[redacted]@"; !strings.HasPrefix(r, want) {
				t.Fatalf("redactURL(%q) = %q: the user information %q is not replaced (want %q...)", u, r, rest[:at], want)
			}
		}
	}
}

// fuzzCheckS3: an s3:// URL with credentials (user information, a
// secret-looking query key) is refused before anything is opened, and
// the message does not repeat the password.
func fuzzCheckS3(t *testing.T, u string) {
	err := checkS3Credentials(u)
	pu, perr := neturl.Parse(u)
	if err == nil {
		if perr != nil || pu.User != nil {
			t.Fatalf("checkS3Credentials(%q) accepts a URL with user information (or one url.Parse refuses: %v)", u, perr)
		}
		for k := range pu.Query() {
			if secretKey(k) {
				t.Fatalf("checkS3Credentials(%q) accepts the query key %q", u, k)
			}
		}
		return
	}
	if perr == nil && pu.User != nil {
		if pw, ok := pu.User.Password(); ok && len(pw) >= 6 && strings.Count(u, pw) == 1 && strings.Contains(err.Error(), pw) {
			t.Fatalf("checkS3Credentials(%q): the message %q repeats the password", u, err)
		}
	}
}

// fuzzDropMem forgets the mem:// storages an input opened, so that a
// long run does not keep one per input.
func fuzzDropMem() func() {
	memMu.Lock()
	before := make(map[string]bool, len(memFs))
	for k := range memFs {
		before[k] = true
	}
	memMu.Unlock()
	return func() {
		memMu.Lock()
		defer memMu.Unlock()
		for k := range memFs {
			if !before[k] {
				delete(memFs, k)
			}
		}
	}
}

// FuzzStoreName writes and reads a stored value under any name, on disk:
//   - a name is accepted or refused before anything is written;
//   - an accepted name writes only below the component's directory
//     (store.json or store/...), never elsewhere in the storage;
//   - StoreRead returns what StoreWrite wrote (a bare name or .json: the
//     string as JSON gives it back, invalid UTF-8 replaced; any other
//     extension: the bytes);
//   - writing again without overwrite fails with ErrStoreExists, with
//     overwrite it replaces the value.
func FuzzStoreName(f *testing.F) {
	for _, n := range []string{"x", "best", "model.json", "weights.bin", "a/b/c.txt", "sub/../x.json", "./x.txt", "..", "../x",
		"a/../../x.txt", "/etc/passwd", `a\b.txt`, "", ".", "a/", "x.json/", ".json", "store.json", "../store.json",
		"a/./b.txt", "a//b.txt", "\x00.txt", "\xff.txt", "C:x.txt", "...", ".../x.txt", "x.", "x.JSON", "records/default.jsonl"} {
		f.Add(n, "value")
	}
	root := f.TempDir()
	st, err := Open(root)
	if err != nil {
		f.Fatal(err)
	}
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, name, value string) {
		if len(name) > 512 || len(value) > 4096 {
			return
		}
		defer fuzzguard.Start()()
		dir := fmt.Sprintf("d%d", n.Add(1))
		defer os.RemoveAll(filepath.Join(root, dir))
		exp, err := st.CreateExperiment(dir, fuzzExpID)
		if err != nil {
			t.Fatal(err)
		}
		c, err := exp.CreateComponent(fuzzCompID)
		if err != nil {
			t.Fatal(err)
		}
		valid := checkStoreName(name) == nil
		err = c.StoreWrite(name, value, false)
		if !valid && err == nil {
			t.Fatalf("StoreWrite(%q) accepted a name checkStoreName refuses", name)
		}
		// Nothing may appear outside the component's directory.
		fuzzFence(t, root, c.Path, "StoreWrite("+fmt.Sprintf("%q", name)+")")
		if err != nil {
			if valid {
				// A valid name may still fail on disk (a file in the way,
				// a name too long): then it fails again on read.
				if _, rerr := c.StoreRead(name); rerr == nil {
					t.Fatalf("StoreWrite(%q) failed (%v) but StoreRead finds a value", name, err)
				}
			}
			return
		}
		got, err := c.StoreRead(name)
		if err != nil {
			t.Fatalf("StoreRead(%q) after a write: %v", name, err)
		}
		want := any(value)
		if path.Ext(name) == ".json" || path.Ext(name) == "" {
			want = fuzzJSONRoundTrip(t, value)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("StoreRead(%q) = %#v; wrote %#v", name, got, want)
		}
		if err := c.StoreWrite(name, value+"!", false); err == nil || !strings.Contains(err.Error(), ErrStoreExists.Error()) {
			t.Fatalf("StoreWrite(%q) a second time without overwrite: %v; want %v", name, err, ErrStoreExists)
		}
		if err := c.StoreWrite(name, value+"!", true); err != nil {
			t.Fatalf("StoreWrite(%q, overwrite=True): %v", name, err)
		}
		fuzzFence(t, root, c.Path, "StoreWrite("+fmt.Sprintf("%q", name)+", overwrite)")
		want = any(value + "!")
		if path.Ext(name) == ".json" || path.Ext(name) == "" {
			want = fuzzJSONRoundTrip(t, value+"!")
		}
		if got, err := c.StoreRead(name); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("StoreRead(%q) after overwrite = %#v, %v; want %#v", name, got, err, want)
		}
	})
}

// fuzzJSONRoundTrip is a string as it reads back from a JSON file.
func fuzzJSONRoundTrip(t *testing.T, s string) any {
	data, err := marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonvalue.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// fuzzFence fails when anything below root exists outside allowed (other
// than allowed's parents).
func fuzzFence(t *testing.T, root, allowed, what string) {
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if fuzzWithin(allowed, p) || fuzzWithin(p, allowed) {
			return nil
		}
		if strings.HasPrefix(filepath.Base(p), "d") && filepath.Dir(p) == root {
			return filepath.SkipDir // an earlier input's directory, being removed
		}
		t.Fatalf("%s wrote %s, outside the component directory %s", what, p, allowed)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fuzzWithin reports whether p is dir or below it.
func fuzzWithin(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && filepath.IsLocal(rel) || rel == "."
}

// FuzzRecords writes rows and reads records/<scope>.jsonl back:
//   - a scope is accepted or refused the same way by the writer and the
//     readers;
//   - a row (any JSON object) appended reads back equal, by
//     Component.ReadRecords and by ComponentView.AllRecords, and its
//     scope is listed by Scopes;
//   - any file content reads as rows or an error, never a panic; every
//     row is an object (not null); when the file ends with a newline
//     both readers agree.
func FuzzRecords(f *testing.F) {
	rows := []string{`{"loss": 0.5, "step": 1}`, `{"a": {"b": [1, 2.0, "x", null, true]}}`, `{}`, `{"big": 12345678901234567890}`,
		`{"f": 1e400}`, `{"neg": -0.0}`, `{"s": "\u00e9\ud800"}`, `null`, `[1]`, `{"a":1} trailing`, `{"a": 1, "a": 2}`}
	files := []string{"", "{\"a\": 1}\n", "{\"a\": 1}\n{\"a\": 2}", "\n\n  \n", "{\"a\": 1}\nnot json\n", "[1,2]\n",
		"{\"a\": 1}{\"b\": 2}\n", "{\"a\": 1}\r\n", "\xff\xfe\n", strings.Repeat("{\"x\": 1}\n", 50)}
	for i, r := range rows {
		f.Add("default", []byte(files[i%len(files)]), []byte(r))
	}
	for _, s := range []string{"validation", "", ".", "..", "a/b", `a\b`, "a\x00b", "\xff", "default.jsonl", "x.parts", "records"} {
		f.Add(s, []byte("{\"a\": 1}\n"), []byte(`{"a": 1}`))
	}
	f.Fuzz(func(t *testing.T, scope string, file, row []byte) {
		if len(scope) > 128 || len(file) > 1<<16 || len(row) > 1<<14 {
			return
		}
		defer fuzzguard.Start()()
		st := &Storage{URL: "mem://fuzz", Fs: afero.NewMemMapFs(), Root: "/", Memory: true}
		exp, err := st.CreateExperiment("", fuzzExpID)
		if err != nil {
			t.Fatal(err)
		}
		if err := exp.WriteJSON("execution.json", map[string]any{"experiment_id": fuzzExpID, "seed": 7957417341}); err != nil {
			t.Fatal(err)
		}
		if err := exp.WriteJSON("schedule.json", map[string]any{"components": []any{map[string]any{"id": fuzzCompID, "name": "c"}}}); err != nil {
			t.Fatal(err)
		}
		c, err := exp.CreateComponent(fuzzCompID)
		if err != nil {
			t.Fatal(err)
		}
		view, err := exp.View()
		if err != nil {
			t.Fatal(err)
		}
		cv, err := view.Component(fuzzCompID)
		if err != nil {
			t.Fatal(err)
		}
		valid := checkScope(scope) == nil
		w, werr := c.Records(scope)
		_, rerr := c.ReadRecords(scope)
		verr := cv.Records(scope, func(map[string]any) bool { return true })
		if (werr == nil) != valid || (rerr == nil) != valid || (verr == nil) != valid {
			t.Fatalf("scope %q (valid: %v): writer %v, ReadRecords %v, Records %v", scope, valid, werr, rerr, verr)
		}
		if !valid {
			return
		}

		// Round trip of one row.
		if v, err := jsonvalue.Decode(row); err == nil {
			if m, ok := v.(map[string]any); ok {
				if err := w.Append(m); err == nil {
					if err := w.Close(); err != nil {
						t.Fatal(err)
					}
					want := []map[string]any{m}
					got, err := c.ReadRecords(scope)
					if err != nil || !reflect.DeepEqual(got, want) {
						t.Fatalf("ReadRecords(%q) after appending %s = %#v, %v; want %#v", scope, row, got, err, want)
					}
					got, err = cv.AllRecords(scope)
					if err != nil || !reflect.DeepEqual(got, want) {
						t.Fatalf("AllRecords(%q) after appending %s = %#v, %v; want %#v", scope, row, got, err, want)
					}
					if !slices.Contains(cv.Scopes(), scope) {
						t.Fatalf("Scopes() = %q after a row in %q", cv.Scopes(), scope)
					}
				}
			}
		}

		// Any content.
		p := filepath.Join(c.Path, "records", scope+".jsonl")
		if err := st.Fs.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := afero.WriteFile(st.Fs, p, file, 0o644); err != nil {
			t.Fatal(err)
		}
		all, rerr := c.ReadRecords(scope)
		streamed, serr := cv.AllRecords(scope)
		for _, rows := range [][]map[string]any{all, streamed} {
			for i, r := range rows {
				if r == nil {
					t.Fatalf("records %q row %d of %q is nil, not an object", scope, i+1, file)
				}
			}
		}
		if len(file) == 0 || bytes.HasSuffix(file, []byte("\n")) {
			if (rerr == nil) != (serr == nil) || rerr == nil && !reflect.DeepEqual(all, streamed) {
				t.Fatalf("records %q of %q: ReadRecords = %#v, %v; AllRecords = %#v, %v", scope, file, all, rerr, streamed, serr)
			}
		}
	})
}

// FuzzSchedule reads an experiment whose execution.json, schedule.json and
// status.json (of every component listed) are the input, in memory
// through a file system that records every path used:
//   - listing, components, statuses, counts, scopes, records, stored
//     values and files give values or errors, never a panic;
//   - every path read lies below the storage root, and once the
//     experiment is found, below the experiment's directory: an ID in
//     schedule.json cannot send a reader elsewhere;
//   - components are non-nil with their directory directly in the
//     experiment's; the counts add up to the components.
func FuzzSchedule(f *testing.F) {
	exec := `{"experiment_id": "8gWVkz", "seed": 7957417341, "engine": "native", "project": "/p", "started_at": "2024-01-02T03:04:05Z"}`
	sched := `{"components": [{"id": "ABCDEFabcdef", "name": "optimization", "config": {"lr": 0.1}, "flags": {"SEED": 1}}]}`
	status := `{"status": "finished", "started_at": "2024-01-02T03:04:05Z", "finished_at": "2024-01-02T03:04:06Z"}`
	f.Add([]byte(exec), []byte(sched), []byte(status))
	for _, s := range []string{`{"components": []}`, `{}`, `null`, `{"components": [null]}`, `{"components": [{"id": "../../etc"}]}`,
		`{"components": [{"id": ""}]}`, `{"components": [{"id": "ABCDEFabcdef"}, {"id": "ABCDEFabcdef"}]}`, `{"components": [{"id": "/abs"}]}`,
		`{"components": [{"id": "..", "config": null, "flags": [1]}]}`, `{"components": 3}`, `[`, `{"components": [{"id": "a/b"}]}`} {
		f.Add([]byte(exec), []byte(s), []byte(status))
	}
	for _, s := range []string{`{"status": "running", "heartbeat_at": "2024-01-02T03:04:05Z", "host": "h", "pid": 1}`, `{"status": "banana"}`,
		`{}`, `null`, `{"status": "running", "pid": -1}`, `{"started_at": "not a time"}`, `{"status": "running", "heartbeat_every": 1e308}`, `"x"`} {
		f.Add([]byte(exec), []byte(sched), []byte(s))
	}
	for _, e := range []string{`{}`, `null`, `{"experiment_id": "../x"}`, `{"directory": "../../x"}`, `{"seed": "x"}`, `{"code_version": {"a": [1]}}`} {
		f.Add([]byte(e), []byte(sched), []byte(status))
	}
	now := time.Date(2024, 1, 2, 3, 5, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, execution, schedule, status []byte) {
		if len(execution)+len(schedule)+len(status) > 1<<16 {
			return
		}
		defer fuzzguard.Start()()
		mem := afero.NewMemMapFs()
		const root = "/st"
		expDir := filepath.Join(root, fuzzExpID)
		write := func(p string, data []byte) {
			if err := mem.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := afero.WriteFile(mem, p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write(filepath.Join(expDir, "execution.json"), execution)
		write(filepath.Join(expDir, "schedule.json"), schedule)
		write(filepath.Join(expDir, fuzzCompID, "status.json"), status)
		write(filepath.Join(expDir, fuzzCompID, "records", "default.jsonl"), []byte("{\"a\": 1}\n"))
		// Bait outside the experiment, where a crafted ID would lead.
		for _, p := range []string{"/etc/status.json", "/st/status.json", "/status.json"} {
			write(p, status)
		}
		rec := &fuzzRecordFs{Fs: mem}
		st := &Storage{URL: "mem://fuzz", Fs: rec, Root: root, Memory: true}

		views, err := st.Experiments()
		rec.check(t, root, "Experiments")
		if err == nil {
			for _, v := range views {
				if v == nil || !fuzzWithin(root, v.Path()) {
					t.Fatalf("Experiments() lists %+v outside %s", v, root)
				}
			}
		}
		view, err := st.Experiment(fuzzExpID)
		rec.check(t, root, "Experiment")
		if err != nil {
			return
		}
		rec.reset()
		comps, err := view.Components()
		rec.check(t, expDir, "Components")
		if err != nil {
			return
		}
		for i, c := range comps {
			if c == nil {
				t.Fatalf("Components()[%d] is nil (schedule %s)", i, schedule)
			}
			if filepath.Dir(c.dir()) != expDir {
				t.Fatalf("component %q has its directory at %s, not in the experiment's %s", c.ID, c.dir(), expDir)
			}
			for _, id := range []string{c.ID} {
				if _, err := view.Component(id); err != nil {
					t.Fatalf("Component(%q) of a listed component: %v", id, err)
				}
			}
			_, _ = c.Status()
			_ = c.Scopes()
			_, _ = c.AllRecords("default")
			_, _ = c.File("output.log")
			_, _ = c.Read("x")
			_, _ = c.Read("x.json")
			rec.check(t, expDir, fmt.Sprintf("component %q", c.ID))
		}
		if counts, err := view.Counts(now); err == nil {
			sum := 0
			for _, n := range counts {
				sum += n
			}
			if sum != len(comps) {
				t.Fatalf("Counts() = %v for %d components", counts, len(comps))
			}
		}
		_, _ = view.Statuses()
		rec.check(t, expDir, "Statuses")
	})
}

// fuzzRecordFs records every path a reader uses.
type fuzzRecordFs struct {
	afero.Fs
	mu    sync.Mutex
	paths []string
}

func (r *fuzzRecordFs) use(p string) {
	r.mu.Lock()
	r.paths = append(r.paths, p)
	r.mu.Unlock()
}

func (r *fuzzRecordFs) reset() { r.mu.Lock(); r.paths = nil; r.mu.Unlock() }

// check fails when a path used since the last reset lies outside dir.
func (r *fuzzRecordFs) check(t *testing.T, dir, what string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.paths {
		if !fuzzWithin(dir, filepath.Clean(p)) {
			t.Fatalf("%s used %s, outside %s", what, p, dir)
		}
	}
}

func (r *fuzzRecordFs) Open(name string) (afero.File, error) { r.use(name); return r.Fs.Open(name) }
func (r *fuzzRecordFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	r.use(name)
	return r.Fs.OpenFile(name, flag, perm)
}
func (r *fuzzRecordFs) Stat(name string) (os.FileInfo, error)  { r.use(name); return r.Fs.Stat(name) }
func (r *fuzzRecordFs) Create(name string) (afero.File, error) { r.use(name); return r.Fs.Create(name) }
func (r *fuzzRecordFs) Mkdir(name string, perm os.FileMode) error {
	r.use(name)
	return r.Fs.Mkdir(name, perm)
}
func (r *fuzzRecordFs) MkdirAll(name string, perm os.FileMode) error {
	r.use(name)
	return r.Fs.MkdirAll(name, perm)
}
func (r *fuzzRecordFs) Remove(name string) error    { r.use(name); return r.Fs.Remove(name) }
func (r *fuzzRecordFs) RemoveAll(name string) error { r.use(name); return r.Fs.RemoveAll(name) }
func (r *fuzzRecordFs) Rename(o, n string) error    { r.use(o); r.use(n); return r.Fs.Rename(o, n) }
