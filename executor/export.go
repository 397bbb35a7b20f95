package executor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/machinable-go/machinable/backup"
	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
	"go.starlark.net/starlark"
)

// ExportScript is the script Export writes; ExportScriptAlt is used when
// the project has a run.star of its own.
const (
	ExportScript    = "run.star"
	ExportScriptAlt = "run-export.star"
)

// Export writes a folder that runs ex again without the original project
// (2.x's Execution.export): the project's files (from the stored code.zip
// when there is one, else from the project directory, as a code backup
// would take them), a script that executes the plan with the same seed and
// keeps exactly the scheduled components, and a README.md. Running
// `machinable run run.star` in the folder gives the same experiment ID,
// component IDs and configs. path must not exist or be empty.
func Export(ex *runtime.Execution, stored *storage.Experiment, path string) error {
	if ex == nil || ex.Plan == nil {
		return errors.New("export: no execution")
	}
	for _, c := range ex.Plan.Components {
		if c.ResourcesFunc != nil {
			// The plan file cannot hold a function: the export would
			// schedule other resources.
			return fmt.Errorf("export: component %s computes its resources with a function, which an exported plan cannot hold; give resources as a dict", c.Name)
		}
	}
	if err := checkEmptyDir(path); err != nil {
		return err
	}
	zipped, err := projectZip(ex, stored)
	if err != nil {
		return err
	}
	if zipped != nil {
		if _, err := backup.Restore(bytes.NewReader(zipped), int64(len(zipped)), path); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	} else if err := os.MkdirAll(path, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	script := ExportScript
	if _, err := os.Lstat(filepath.Join(path, script)); err == nil {
		script = ExportScriptAlt
	}
	src, err := exportScript(ex)
	if err != nil {
		return err
	}
	if err := storage.CreateLocalFile(filepath.Join(path, script), []byte(src)); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	readme := fmt.Sprintf("# Experiment %s\n\nExported by machinable %s. Run it again with\n\n    machinable run %s\n\nin this folder (add --storage URL to choose where results go).\n",
		ex.ExperimentID, runtime.MachinableVersion, script)
	name := "README.md"
	if _, err := os.Lstat(filepath.Join(path, name)); err == nil {
		name = "README-export.md"
	}
	if err := storage.CreateLocalFile(filepath.Join(path, name), []byte(readme)); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// checkEmptyDir refuses a path holding anything: an export never mixes
// with or replaces other files.
func checkEmptyDir(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("export: %s exists and is not a directory", path)
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if len(ents) > 0 {
		return fmt.Errorf("export: %s is not empty (%d entries); export into a new or empty directory", path, len(ents))
	}
	return nil
}

// projectZip is the stored code.zip, else a backup of the project taken
// now with the execution's code_backup settings; nil without a project.
func projectZip(ex *runtime.Execution, stored *storage.Experiment) ([]byte, error) {
	if stored != nil && stored.HasFile("code.zip") {
		data, err := stored.ReadFile("code.zip")
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		return data, nil
	}
	if ex.Project == "" {
		return nil, nil // Go components only: the program that runs the export registers them
	}
	if _, err := os.Stat(ex.Project); err != nil {
		return nil, fmt.Errorf("export: the project of experiment %s: %w", ex.ExperimentID, err)
	}
	var skip []string
	if st, err := storage.Open(ex.Storage); err == nil && !st.Memory {
		skip = append(skip, st.Root) // results inside the project stay out
	}
	cfg := map[string]any{}
	for k, v := range ex.CodeBackup {
		if k == "max_file_size" || k == "exclude" {
			cfg[k] = v
		}
	}
	opts, err := backupOptions(cfg, skip)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	var buf bytes.Buffer
	if _, err := backup.Write(&buf, ex.Project, opts); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return buf.Bytes(), nil
}

// exportScript is the Starlark script of an export: the plan as JSON,
// the seed, engine and storage, and a filter naming the scheduled
// components, so a filtered execution is reproduced too.
func exportScript(ex *runtime.Execution) (string, error) {
	plan, err := json.MarshalIndent(ex.Plan, "", "  ")
	if err != nil {
		return "", fmt.Errorf("export: plan: %w", err)
	}
	q := func(s string) string { return starlark.String(s).String() }
	ids := make([]string, len(ex.Schedule))
	for i := range ex.Schedule {
		ids[i] = q(ex.Schedule[i].ID)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Experiment %s, exported: `machinable run` this file in its folder.\n", ex.ExperimentID)
	js := q(string(plan))
	if !strings.Contains(string(plan), "'") {
		js = "r'''" + string(plan) + "'''" // readable; raw, so JSON escapes stay as they are
	}
	fmt.Fprintf(&b, "plan = Experiment(json = %s)\n\n", js)
	args := []string{"plan", "seed = " + q(ex.ExperimentID)}
	if ex.Engine != "" {
		args = append(args, "engine = "+q(ex.Engine))
	}
	if ex.Storage != "" && !strings.HasPrefix(ex.Storage, "mem://") {
		args = append(args, "storage = "+q(ex.Storage))
	}
	fmt.Fprintf(&b, "execution = Execution(%s)\n", strings.Join(args, ", "))
	if ex.Directory != "" && ex.Directory != ex.Plan.Directory {
		// strftime placeholders were expanded when it first ran
		fmt.Fprintf(&b, "execution.set_directory(%s)\n", q(ex.Directory))
	}
	b.WriteString("# the components scheduled, by ID (the same when nothing was filtered out)\n")
	fmt.Fprintf(&b, "SCHEDULED = [%s]\n", strings.Join(ids, ", "))
	b.WriteString("execution.filter(lambda index, component_id, component: component_id in SCHEDULED)\n")
	b.WriteString("execution.submit()\n")
	return b.String(), nil
}
