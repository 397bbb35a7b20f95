package executor

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/machinable-go/machinable/backup"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/runtime/project"
	"github.com/machinable-go/machinable/storage"
)

// codeBackupConfig merges the code_backup section of machinable.yaml and
// execute()'s code_backup argument (False, True or a dict; the argument
// wins key by key) into the effective settings stored in execution.json.
func codeBackupConfig(proj *project.Project, arg any, st *storage.Storage, settingsDefault any) (map[string]any, error) {
	cfg := map[string]any{"enabled": true}
	merge := func(what string, v any) error {
		switch x := v.(type) {
		case nil:
		case bool:
			cfg["enabled"] = x
		case map[string]any:
			for k, val := range x {
				switch k {
				case "enabled", "max_file_size", "exclude":
					cfg[k] = val
				default:
					return fmt.Errorf("%s: unknown key %q (known: enabled, max_file_size, exclude)", what, k)
				}
			}
		default:
			return fmt.Errorf("%s: expected False, True or a dict, got %T", what, v)
		}
		return nil
	}
	if err := merge("settings default_code_backup", settingsDefault); err != nil {
		return nil, err
	}
	if proj != nil {
		if v, ok := proj.Section("code_backup"); ok {
			if err := merge(proj.File+": code_backup", v); err != nil {
				return nil, err
			}
		}
	}
	if err := merge("execute(code_backup=...)", arg); err != nil {
		return nil, err
	}
	if _, err := backupOptions(cfg, nil); err != nil {
		return nil, err
	}
	switch {
	case proj == nil:
		cfg["enabled"], cfg["reason"] = false, "no project directory"
	case st.Memory:
		cfg["enabled"], cfg["reason"] = false, "mem:// storage"
	}
	return cfg, nil
}

// backupOptions reads the effective settings; skip lists directories never
// to back up (the storage, when it lies inside the project).
func backupOptions(cfg map[string]any, skip []string) (backup.Options, error) {
	opts := backup.Options{SkipDirs: skip}
	if v, ok := cfg["enabled"]; ok {
		if _, isBool := v.(bool); !isBool {
			return opts, fmt.Errorf("code_backup.enabled: expected true or false, got %v", v)
		}
	}
	if v, ok := cfg["max_file_size"]; ok {
		n, err := parseSize(v)
		if err != nil {
			return opts, fmt.Errorf("code_backup.max_file_size: %w", err)
		}
		opts.MaxFileSize = n
	}
	if v, ok := cfg["exclude"]; ok {
		list, ok := v.([]any)
		if !ok {
			return opts, fmt.Errorf("code_backup.exclude: expected a list of gitignore patterns, got %v", v)
		}
		for _, p := range list {
			s, ok := p.(string)
			if !ok {
				return opts, fmt.Errorf("code_backup.exclude: expected strings, got %v", p)
			}
			opts.Exclude = append(opts.Exclude, s)
		}
	}
	return opts, nil
}

// parseSize reads a byte count: an integer, or a string like "500KB",
// "10MB", "1GB" (powers of 1024).
func parseSize(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		if x > 0 {
			return x, nil
		}
	case int:
		if x > 0 {
			return int64(x), nil
		}
	case string:
		s := strings.ToUpper(strings.TrimSpace(x))
		mult := int64(1)
		for _, u := range []struct {
			suffix string
			mult   int64
		}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
			if strings.HasSuffix(s, u.suffix) {
				s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
				break
			}
		}
		if n, err := strconv.ParseFloat(s, 64); err == nil && n > 0 {
			return int64(n * float64(mult)), nil
		}
	}
	return 0, fmt.Errorf("expected a positive size such as 10485760 or \"10MB\", got %v", v)
}

// stageCodeBackup writes code.zip of the project, staged (see
// storage.StagedFile: nothing is visible until it is committed), and puts
// what it holds into ex; the code version goes into execution.json
// either way. It returns nil when no backup is taken.
func stageCodeBackup(exp *storage.Experiment, ex *runtime.Execution, console func(string, ...any)) (*storage.StagedFile, error) {
	if ex.Project == "" {
		return nil, nil
	}
	if enabled, _ := ex.CodeBackup["enabled"].(bool); !enabled {
		v, err := backup.Inspect(ex.Project)
		if err == nil {
			ex.CodeVersion = &v
		}
		return nil, nil
	}
	var skip []string
	if st := exp.Storage(); !st.Memory {
		skip = append(skip, st.Root)
	}
	opts, err := backupOptions(ex.CodeBackup, skip)
	if err != nil {
		return nil, err
	}
	f, err := exp.StageFile("code.zip")
	if err != nil {
		return nil, err
	}
	manifest, err := backup.Write(f, ex.Project, opts)
	if err != nil {
		f.Discard()
		return nil, fmt.Errorf("code backup of %s: %w", ex.Project, err)
	}
	ex.CodeVersion = &manifest.Version
	ex.CodeBackup["files"] = int64(manifest.Files)
	ex.CodeBackup["bytes"] = manifest.Bytes
	ex.CodeBackup["skipped"] = int64(len(manifest.Skipped))
	for _, w := range manifest.Warnings {
		console("warning: code backup: %s\n", w)
	}
	return f, nil
}

// warnCodeChanged tells, before a resume runs components, when the
// project's code differs from the backup taken when the experiment
// started: the components left would run other code than those that
// finished. Without a backup (mem://, code_backup=False) it says nothing.
func warnCodeChanged(w io.Writer, exp *storage.Experiment, ex *runtime.Execution) {
	if w == nil || ex.Project == "" {
		return
	}
	data, err := exp.ReadFile("code.zip")
	if err != nil {
		return
	}
	opts, err := backupOptions(ex.CodeBackup, []string{exp.Storage().Root})
	if err != nil {
		return
	}
	changes, err := backup.Diff(bytes.NewReader(data), int64(len(data)), ex.Project, opts)
	if err != nil || len(changes) == 0 {
		return
	}
	shown := changes
	if len(shown) > 5 {
		shown = append(shown[:5:5], "...")
	}
	fmt.Fprintf(w, "warning: the code in %s changed since experiment %s started (%d file(s): %s); the components left run today's code. "+
		"For the code they started with: machinable restore %s --to DIR, then machinable resume %s --project DIR\n",
		ex.Project, ex.ExperimentID, len(changes), strings.Join(shown, ", "), ex.ExperimentID, ex.ExperimentID)
}
