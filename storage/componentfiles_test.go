package storage

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/internal/s3test"
)

// TestComponentFiles: self.storage's files (SaveFile, LoadFile, HasFile,
// ListFiles, URL) behave the same on a local directory, in memory and
// on S3: refused overwrites leave the first value, machinable's own files
// and escaping names are refused, appended files are found too.
func TestComponentFiles(t *testing.T) {
	srv := s3test.Start(t, "files")
	for _, url := range []string{t.TempDir(), "mem://" + t.Name(), srv.URL("files/p")} {
		t.Run(strings.SplitN(url, ":", 2)[0], func(t *testing.T) {
			s, err := Open(url)
			if err != nil {
				t.Fatal(err)
			}
			exp, err := s.CreateExperiment("", "8gWVkz")
			if err != nil {
				t.Fatal(err)
			}
			c, err := exp.CreateComponent("e9DJBHuoiCvn")
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()

			if ok, err := c.HasFile("data/a.json"); ok || err != nil {
				t.Fatalf("before writing: %v %v", ok, err)
			}
			if _, err := c.LoadFile("data/a.json"); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("missing file: %v", err)
			}
			if names, err := c.ListFiles("data"); err != nil || len(names) != 0 {
				t.Fatalf("empty data/: %v %v", names, err)
			}
			if err := c.SaveFile("data/a.json", map[string]any{"x": []any{int64(1), 2.5}}, false); err != nil {
				t.Fatal(err)
			}
			if err := c.SaveFile("data/notes.txt", "first", false); err != nil {
				t.Fatal(err)
			}
			err = c.SaveFile("data/notes.txt", "second", false)
			if !errors.Is(err, ErrStoreExists) || !strings.Contains(err.Error(), "overwrite=True") {
				t.Errorf("second write: %v", err)
			}
			if v, err := c.LoadFile("data/notes.txt"); v != "first" || err != nil {
				t.Errorf("a refused write changed the file: %v %v", v, err)
			}
			if err := c.SaveFile("data/notes.txt", "second", true); err != nil {
				t.Fatal(err)
			}
			if v, _ := c.LoadFile("data/notes.txt"); v != "second" {
				t.Errorf("overwrite: %v", v)
			}
			v, err := c.LoadFile("data/a.json")
			if want := map[string]any{"x": []any{int64(1), 2.5}}; err != nil || !reflect.DeepEqual(v, want) {
				t.Errorf("json: %#v %v", v, err)
			}
			if names, err := c.ListFiles("data"); err != nil || !reflect.DeepEqual(names, []string{"a.json", "notes.txt"}) {
				t.Errorf("data/: %v %v", names, err)
			}
			// an appended file (on S3 a directory of parts) is a file too,
			// also before its rows are uploaded
			w, err := c.Records("default")
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Append(map[string]any{"a": int64(1)}); err != nil {
				t.Fatal(err)
			}
			if ok, err := c.HasFile("records/default.jsonl"); !ok || err != nil {
				t.Errorf("records: %v %v", ok, err)
			}
			if err := w.Close(); err != nil { // the rows reach S3 now
				t.Fatal(err)
			}
			if names, _ := c.ListFiles("records"); !reflect.DeepEqual(names, []string{"default.jsonl"}) {
				t.Errorf("records/: %v", names)
			}
			for name, want := range map[string]string{
				"status.json":     "status.json is written by machinable",
				"records/x.jsonl": "records is written by machinable",
				"log.txt":         "log.txt is written by machinable",
				"../x.json":       "escapes the component directory",
				"/abs.json":       "must be relative",
				"data/noext":      "expected a name with an extension",
			} {
				if err := c.SaveFile(name, "x", true); err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: %v, want %q", name, err, want)
				}
			}
			u, err := c.URL("data/a.json")
			if err != nil || !strings.HasSuffix(u, "/8gWVkz/e9DJBHuoiCvn/data/a.json") {
				t.Errorf("URL: %s %v", u, err)
			}
			if _, local := c.LocalPath(); local != (url[0] == '/') {
				t.Errorf("LocalPath: local %v for %s", local, url)
			}
		})
	}
}
