package settings

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func write(t *testing.T, dir, body string) string {
	t.Helper()
	f := filepath.Join(dir, "settings.yaml")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParseAllKeys(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	cwd, _ := os.Getwd()
	f := write(t, t.TempDir(), `
default_storage: ~/results
default_engine: native:4
default_project: ../proj
default_code_backup:
  enabled: false
  exclude: [data/]
imports:
  baselines: /opt/baselines
schema_validation: true
engines:
  native:
    processes: 3
cache:
  imports: true
database: {default: sqlite}
tmp_directory: userdata://x
default_index:
`)
	s, err := LoadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if s.DefaultStorage != filepath.Join(home, "results") {
		t.Errorf("default_storage = %q", s.DefaultStorage)
	}
	if s.DefaultEngine != "native:4" {
		t.Errorf("default_engine = %v", s.DefaultEngine)
	}
	if s.DefaultProject != filepath.Join(filepath.Dir(cwd), "proj") {
		t.Errorf("default_project = %q (relative to the working directory)", s.DefaultProject)
	}
	want := map[string]any{"enabled": false, "exclude": []any{"data/"}}
	if !reflect.DeepEqual(s.DefaultCodeBackup, want) {
		t.Errorf("default_code_backup = %#v", s.DefaultCodeBackup)
	}
	if s.Imports["baselines"] != "/opt/baselines" || !s.SchemaValidation || s.NativeProcesses != 3 {
		t.Errorf("imports %v, schema_validation %v, processes %d", s.Imports, s.SchemaValidation, s.NativeProcesses)
	}
	if len(s.Warnings) != 0 {
		t.Errorf("2.x keys without effect warned: %v", s.Warnings)
	}
}

func TestStorageURLFormsAndEngineMapping(t *testing.T) {
	f := write(t, t.TempDir(), "default_storage:\n  url: s3://bucket/x\ndefault_engine:\n  type: slurm\n  partition: gpu\n")
	s, err := LoadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if s.DefaultStorage != "s3://bucket/x" {
		t.Errorf("default_storage = %q", s.DefaultStorage)
	}
	if m, _ := s.DefaultEngine.(map[string]any); m["type"] != "slurm" || m["partition"] != "gpu" {
		t.Errorf("default_engine = %#v", s.DefaultEngine)
	}
}

func TestUnknownKeysWarnWithNearest(t *testing.T) {
	f := write(t, t.TempDir(), "default_storge: ./r\nengines:\n  native:\n    procesess: 2\n")
	s, err := LoadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 2 {
		t.Fatalf("warnings: %q", s.Warnings)
	}
	for i, want := range []string{
		f + `:1: unknown setting "default_storge" has no effect (did you mean "default_storage"?)`,
		f + `:4: unknown setting "procesess" in engines.native has no effect (did you mean "processes"?)`,
	} {
		if s.Warnings[i] != want {
			t.Errorf("warning %d:\n got %s\nwant %s", i, s.Warnings[i], want)
		}
	}
	if s.DefaultStorage != "" {
		t.Errorf("a misspelt key took effect: %q", s.DefaultStorage)
	}
}

func TestWrongTypesNameFileLine(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"default_storage: 3\n", `:1: default_storage: expected a string, got the number 3`},
		{"a: 1\nschema_validation: yes please\n", `:2: schema_validation: expected true or false, got the string "yes please"`},
		{"engines:\n  native:\n    processes: 0\n", `:3: engines.native.processes: expected a number of processes >= 1, got the number 0`},
		{"default_engine: [a]\n", `:1: default_engine: expected an engine ("native:4") or a mapping with type: and options, got a list`},
		{"default_engine: {partition: gpu}\n", `:1: default_engine: a mapping needs type: ENGINE`},
		{"imports: [a]\n", `:1: imports: expected a mapping of project name: directory, got a list`},
		{"default_code_backup: {exclude: x}\n", `:1: default_code_backup.exclude: expected a list of patterns, got the string "x"`},
		{"- a\n", `:1: expected a mapping of settings`},
		{"a: [\n", `: invalid YAML`},
		{"a: 1\na: 2\n", `:2: duplicate key "a" (first at line 1)`},
	} {
		f := write(t, t.TempDir(), c.body)
		_, err := LoadFile(f)
		if err == nil || !strings.HasPrefix(err.Error(), f) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %s...%s", c.body, err, f, c.want)
		}
	}
}

func TestLoadFindsTheFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(EnvVar, "")
	s, err := Load()
	if err != nil || s.File != "" || s.DefaultStorage != "" {
		t.Fatalf("no file: %+v, %v", s, err)
	}
	if err := os.MkdirAll(filepath.Join(home, ".machinable"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(home, ".machinable"), "default_storage: mem://home\n")
	if s, err = Load(); err != nil || s.DefaultStorage != "mem://home" {
		t.Fatalf("home file: %+v, %v", s, err)
	}
	other := write(t, t.TempDir(), "default_storage: mem://other\n")
	t.Setenv(EnvVar, other)
	if s, err = Load(); err != nil || s.DefaultStorage != "mem://other" || s.File != other {
		t.Fatalf("$MACHINABLE_SETTINGS: %+v, %v", s, err)
	}
	t.Setenv(EnvVar, filepath.Join(home, "missing.yaml"))
	if _, err = Load(); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a missing file $MACHINABLE_SETTINGS names: %v", err)
	}
}

func TestEmptyFile(t *testing.T) {
	s, err := LoadFile(write(t, t.TempDir(), "# nothing\n"))
	if err != nil || s.DefaultStorage != "" || len(s.Warnings) != 0 {
		t.Fatalf("%+v %v", s, err)
	}
}
