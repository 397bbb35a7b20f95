package executor_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/engines"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
)

// refusing is an engine whose preflight check fails; it records whether
// it was asked to run anyway.
type refusing struct{ ran *bool }

func (refusing) Name() string { return "refusing" }
func (r refusing) Run(context.Context, *engines.Job) ([]runtime.Outcome, error) {
	*r.ran = true
	return nil, nil
}
func (refusing) Preflight(context.Context, *runtime.Execution, *storage.Storage) error {
	return errors.New("engine refusing: the cluster is down; start it first")
}

// nothingStored fails when the storage holds any experiment, or for a
// local storage, any file at all.
func nothingStored(t *testing.T, url string) {
	t.Helper()
	st, err := storage.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	if exps, err := st.Experiments(); err != nil || len(exps) != 0 {
		t.Errorf("storage %s holds %d experiment(s) (%v), want none", url, len(exps), err)
	}
	if !st.Memory {
		if entries, _ := os.ReadDir(st.Root); len(entries) != 0 {
			t.Errorf("storage %s: %d entries written, want none", url, len(entries))
		}
	}
}

// TestPreflightRefusesBeforeAnythingIsStored: an engine whose
// preconditions fail is not run, nothing reaches the storage, and the
// console says nothing (no experiment line for an experiment that never
// existed).
func TestPreflightRefusesBeforeAnythingIsStored(t *testing.T) {
	reg := runtime.NewRegistry()
	reg.Register("steady", runtime.GoComponent{})
	var console bytes.Buffer
	x := executor.New(reg, &console)
	ran := false
	x.Engines.Register("refusing", func(engines.Spec) (engines.Engine, error) { return refusing{&ran}, nil })
	url := filepath.Join(t.TempDir(), "results")
	_, err := x.Execute(context.Background(), runtime.ExecuteRequest{
		Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "steady"}),
		Storage: url, Engine: "refusing", Seed: int64(1), CodeBackup: false,
	})
	if err == nil || err.Error() != "engine refusing: the cluster is down; start it first" {
		t.Errorf("error %v", err)
	}
	if ran || console.Len() != 0 {
		t.Errorf("ran %v, console %q", ran, console.String())
	}
	if _, err := os.Stat(url); !os.IsNotExist(err) {
		t.Errorf("storage directory created: %v", err)
	}
}

// TestBuiltinEnginePreconditions: the built-in engines that run
// components elsewhere refuse a mem:// storage, and ray a dashboard where
// nothing listens, before the experiment is written.
func TestBuiltinEnginePreconditions(t *testing.T) {
	// slurm and remote look for their tools when they are made; stand-ins
	// that are never run do.
	bin := t.TempDir()
	for _, tool := range []string{"sbatch", "ssh", "rsync"} {
		os.WriteFile(filepath.Join(bin, tool), []byte("#!/bin/sh\necho should not run >&2\nexit 1\n"), 0o755)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	reg := runtime.NewRegistry()
	reg.Register("steady", runtime.GoComponent{})
	x := executor.New(reg, nil)
	for _, tc := range []struct {
		engine any
		local  bool // a local storage rather than mem://
		want   []string
	}{
		{"process:2", false, []string{"engine process: workers are separate processes and cannot see a mem:// storage", "--storage ./results"}},
		{"detached", false, []string{"engine detached: the background process cannot see a mem:// storage", "storage= to execute()"}},
		{"slurm", false, []string{"engine slurm: the nodes cannot see a mem:// storage", "--storage ./results"}},
		{map[string]any{"type": "remote", "host": "nowhere", "directory": "~/p"}, false, []string{"engine remote: the host cannot see a mem:// storage"}},
		{map[string]any{"type": "ray", "address": "http://127.0.0.1:1"}, false, []string{"engine ray: the jobs run in other processes"}},
		{map[string]any{"type": "ray", "address": "http://127.0.0.1:1"}, true, []string{"engine ray: nothing listens at http://127.0.0.1:1", "ray start --head"}},
		{map[string]any{"type": "detached", "engine": "process:2"}, true, nil}, // fine: a local storage
		{map[string]any{"type": "remote", "host": "nowhere", "directory": "~/p"}, true, []string{"engine remote: no project directory to copy", "--project"}},
	} {
		url := memURL(t)
		if tc.local {
			url = filepath.Join(t.TempDir(), "results")
		}
		req := runtime.ExecuteRequest{
			Plan:    runtime.NewExperiment().Component(runtime.ComponentSpec{Name: "steady"}),
			Storage: url, Engine: tc.engine, Seed: int64(1), CodeBackup: false, SearchFrom: t.TempDir(),
		}
		if tc.want == nil {
			// Resolve and the preflight pass; running it is another test's
			// business (it would start a background process).
			ex, engine, err := x.Resolve(context.Background(), req)
			if err == nil {
				st, _ := storage.Open(url)
				err = engines.Preflight(context.Background(), engine, ex, st)
			}
			if err != nil {
				t.Errorf("%v: %v", tc.engine, err)
			}
			continue
		}
		_, err := x.Execute(context.Background(), req)
		if err == nil {
			t.Errorf("%v with %s: no error", tc.engine, url)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v with %s: error %q, want %q", tc.engine, url, err, w)
			}
		}
		nothingStored(t, url)
	}
}
