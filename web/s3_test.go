package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/internal/s3test"
	"github.com/machinable-go/machinable/storage"
	"github.com/spf13/afero"
)

// The view of an S3 storage (gofakes3, or the server of
// MACHINABLE_S3_ENDPOINT): the fixture copied into a bucket, records as
// the numbered parts an object store gets; what a page shows is what it
// shows of a local storage, and no credential appears.
func TestUIOnS3(t *testing.T) {
	local := newFixture(t)
	srv := s3test.Start(t, "ui")
	st, err := storage.Open(srv.URL("ui/results"))
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(local.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(local.root, p)
		if strings.HasSuffix(rel, ".jsonl") { // appended: two parts
			lines := strings.SplitAfter(string(data), "\n")
			half := len(lines) / 2
			if err := afero.WriteFile(st.Fs, st.Path(rel+".parts", "00000001"), []byte(strings.Join(lines[:half], "")), 0o644); err != nil {
				return err
			}
			return afero.WriteFile(st.Fs, st.Path(rel+".parts", "00000002"), []byte(strings.Join(lines[half:], "")), 0o644)
		}
		return afero.WriteFile(st.Fs, st.Path(rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	s := New(st)
	f := local
	var exps struct{ Experiments []experimentRow }
	getJSON(t, s, "/api/experiments", &exps)
	if len(exps.Experiments) != 2 || exps.Experiments[0].ID != f.exp || exps.Experiments[0].Components != 6 {
		t.Fatalf("experiments %+v", exps.Experiments)
	}
	var exp struct{ Components []componentRow }
	getJSON(t, s, "/api/experiments/"+f.exp, &exp)
	if c := exp.Components[0]; c.Metrics["loss"] != 0.25 || c.Rows != 21 {
		t.Errorf("first component %+v: want 21 rows read from the parts, last loss 0.25", c)
	}
	var comp struct {
		StoreFiles []string `json:"store_files"`
		Scopes     []scopeInfo
	}
	getJSON(t, s, "/api/experiments/"+f.exp+"/"+f.comps[0], &comp)
	if strings.Join(comp.StoreFiles, ",") != "final.json,plots/curve.txt" || len(comp.Scopes) != 1 || comp.Scopes[0].Rows != 21 {
		t.Errorf("component %+v", comp)
	}
	var series struct{ Rows []int }
	getJSON(t, s, "/api/experiments/"+f.exp+"/series?key=loss&ids="+f.comps[0]+","+f.comps[1], &series)
	if len(series.Rows) != 2 || series.Rows[0] != 21 {
		t.Errorf("series rows %v", series.Rows)
	}
	secrets := []string{s3test.AccessKey, s3test.SecretKey, s3test.SessionToken, srv.Addr, "endpoint"}
	for _, p := range []string{"/", "/e/" + f.exp, "/e/" + f.exp + "/" + f.comps[0], "/api/experiments", "/api/experiments/" + f.exp,
		"/api/experiments/" + f.exp + "/" + f.comps[0], "/api/experiments/AAAAAA", "/api/experiments/" + f.exp + "/" + f.comps[0] + "/store/nothing"} {
		_, body := get(t, s, p)
		for _, secret := range secrets {
			if secret != "" && strings.Contains(body, secret) {
				t.Errorf("GET %s shows %q:\n%s", p, secret, body)
			}
		}
	}
}
