package interp_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/interp"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/settings"
)

func TestWithSettings(t *testing.T) {
	plan := runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "worker", Version: runtime.Patch(map[string]any{"scael": 3})})
	s := &settings.Settings{DefaultEngine: "dry", SchemaValidation: true}
	it := interp.New(interp.WithQuiet(), interp.WithProject(filepath.Join("testdata", "project")), interp.WithSettings(s))
	_, err := it.Execute(context.Background(), plan)
	if err == nil || !strings.Contains(err.Error(), `the plan sets "scael"`) || !strings.Contains(err.Error(), `did you mean "scale"?`) {
		t.Fatalf("schema_validation: %v", err)
	}
	s.SchemaValidation = false
	res, err := it.Execute(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Dry || res.Execution.Engine != "dry" {
		t.Errorf("default_engine: dry=%v engine %s", res.Dry, res.Execution.Engine)
	}
}
