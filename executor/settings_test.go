package executor

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/runtime/project"
	"github.com/machinable-go/machinable/settings"
	"github.com/machinable-go/machinable/storage"
)

func TestApplySettings(t *testing.T) {
	s := &settings.Settings{DefaultStorage: "/data/results", DefaultEngine: "process:2", DefaultProject: "/p", NativeProcesses: 4}
	x := &Executor{Settings: s}
	got := x.applySettings(runtime.ExecuteRequest{})
	if got.Storage != "/data/results" || got.Engine != "process:2" || got.Project != "/p" {
		t.Errorf("defaults: %+v", got)
	}
	// What the request says wins.
	got = x.applySettings(runtime.ExecuteRequest{Storage: "mem://", Engine: "dry", Project: "/q"})
	if got.Storage != "mem://" || got.Engine != "dry" || got.Project != "/q" {
		t.Errorf("request: %+v", got)
	}
	// engines.native.processes: a bare native, or no engine at all.
	x.Settings = &settings.Settings{NativeProcesses: 4}
	for _, e := range []any{nil, "native"} {
		if got := x.applySettings(runtime.ExecuteRequest{Engine: e}); got.Engine != "native:4" {
			t.Errorf("engine %v: %v", e, got.Engine)
		}
	}
	if got := x.applySettings(runtime.ExecuteRequest{Engine: "native:2"}); got.Engine != "native:2" {
		t.Errorf("native:2 became %v", got.Engine)
	}
	// No settings: the request as it is.
	x.Settings = nil
	if got := x.applySettings(runtime.ExecuteRequest{}); !reflect.DeepEqual(got, runtime.ExecuteRequest{}) {
		t.Errorf("nil settings: %+v", got)
	}
}

// default_code_backup comes below the project's code_backup: and
// execute(code_backup=...).
func TestSettingsCodeBackupDefault(t *testing.T) {
	st, err := storage.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	def := map[string]any{"enabled": false, "exclude": []any{"data/"}}
	cfg, err := codeBackupConfig(nil, nil, st, def)
	if err != nil {
		t.Fatal(err)
	}
	if cfg["exclude"] == nil {
		t.Errorf("settings default not merged: %v", cfg)
	}
	cfg, err = codeBackupConfig(nil, map[string]any{"exclude": []any{"x/"}}, st, def)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg["exclude"], []any{"x/"}) {
		t.Errorf("execute(code_backup=...) did not win: %v", cfg)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "machinable.yaml"), []byte("code_backup:\n  exclude: [y/]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	proj, err := project.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err = codeBackupConfig(proj, nil, st, def)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg["exclude"], []any{"y/"}) || cfg["enabled"] != false {
		t.Errorf("the project's code_backup: over the settings: %v", cfg)
	}
	if _, err := codeBackupConfig(nil, nil, st, map[string]any{"bogus": 1}); err == nil {
		t.Error("an unknown key of default_code_backup was accepted")
	}
}
