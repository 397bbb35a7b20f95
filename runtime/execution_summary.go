package runtime

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/machinable-go/machinable/backup"
)

// derivedFlags are flags every component gets from the seed or its
// name; the summary leaves them out (the ID and name are shown).
var derivedFlags = []string{"GLOBAL_SEED", "EXPERIMENT_ID", "SUBMISSION_ID", "COMPONENT_ID", "NAME", "MODULE"}

// quietFlag says whether a flag holds the value every component gets
// unless told otherwise: empty, false, or the default output redirection.
func quietFlag(k string, v any) bool {
	switch x := v.(type) {
	case bool:
		return !x
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	case []string:
		return len(x) == 0
	case string:
		return k == "OUTPUT_REDIRECTION" && x == "SYS_AND_FILE"
	}
	return false
}

// Summary describes an execution without running it: experiment ID and
// seed, storage, engine, project, code version, then each component with
// its ID, name, flags and config (2.x's Execution.summary()).
func (ex *Execution) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Execution %s (seed %d)\n", ex.ExperimentID, ex.Seed)
	where := ex.Storage
	if ex.Directory != "" {
		where = strings.TrimSuffix(where, "/") + "/" + ex.Directory
	}
	fmt.Fprintf(&b, "  storage: %s\n", where)
	fmt.Fprintf(&b, "  engine:  %s\n", ex.Engine)
	project := ex.Project
	if project == "" {
		project = "-"
	}
	fmt.Fprintf(&b, "  project: %s\n", project)
	fmt.Fprintf(&b, "  code:    %s\n", codeVersionLine(ex))
	fmt.Fprintf(&b, "%d %s\n", len(ex.Schedule), plural(len(ex.Schedule), "component"))
	for i := range ex.Schedule {
		sc := &ex.Schedule[i]
		fmt.Fprintf(&b, "  %d/%d %s %s\n", i+1, len(ex.Schedule), sc.ID, sc.Name)
		if fl := summaryFlags(sc.Flags); fl != "" {
			fmt.Fprintf(&b, "      flags:  %s\n", fl)
		}
		fmt.Fprintf(&b, "      config: %s\n", summaryJSON(shownConfig(sc.Config)))
		if sc.Checkpoint != "" {
			fmt.Fprintf(&b, "      checkpoint: %s\n", sc.Checkpoint)
		}
		for _, sub := range sc.Components {
			fmt.Fprintf(&b, "      sub-component %s: %s\n", sub.Name, summaryJSON(shownConfig(sub.Config)))
		}
	}
	return b.String()
}

// codeVersionLine is the stored code version, or the project's git state
// now for an execution not stored yet.
func codeVersionLine(ex *Execution) string {
	v := ex.CodeVersion
	if v == nil && ex.Project != "" {
		if got, err := backup.Inspect(ex.Project); err == nil {
			v = &got
		}
	}
	switch {
	case v == nil:
		return "-"
	case !v.Git:
		return "not in a git repository"
	}
	s := "git"
	if v.Branch != "" {
		s += " " + v.Branch
	}
	if v.Commit != "" {
		s += " " + v.Commit[:min(len(v.Commit), 7)]
	} else {
		s += " (no commits)"
	}
	if v.Dirty {
		s += fmt.Sprintf(" with %d uncommitted %s", len(v.Modified), plural(len(v.Modified), "change"))
	}
	return s
}

func summaryFlags(flags map[string]any) string {
	keys := make([]string, 0, len(flags))
	for k := range flags {
		if !slices.Contains(derivedFlags, k) && !quietFlag(k, flags[k]) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + summaryJSON(flags[k])
	}
	return strings.Join(parts, " ")
}

// shownConfig leaves out hidden keys (_name: often secrets) and the
// ~version sections; the versions applied are in the flag VERSIONING.
func shownConfig(c map[string]any) map[string]any {
	out := make(map[string]any, len(c))
	for k, v := range c {
		if !strings.HasPrefix(k, "_") && !strings.HasPrefix(k, "~") {
			out[k] = v
		}
	}
	return out
}

func summaryJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
