package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/storage"
	"github.com/spf13/cobra"
)

func newShowCommand(stdout io.Writer) *cobra.Command {
	var storageURL, sortKey string
	var desc bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Summarize an experiment and its components",
		Long: `Summarize an experiment: ID, seed, start time, engine, where it is stored,
the project, the code version and how many components are in each state;
then one line per component with its state and its key config values: the
top-level config keys whose values differ between the components (when
none differ, the first three plain values), as key=value. Keys starting
with "_" are hidden. Reads the storage only; works while the experiment
runs.

With --sort KEY, the components are ranked by the last value of KEY in
their records (self.record; the last row that has KEY), smallest first, or
largest first with --desc; a column shows that value. Components without
KEY come last. Tuning trials a scheduler stopped early show the state
"stopped".`,
		Example: `  machinable show 8gWVkz
  machinable show 8gWVkz --storage ~/results
  machinable show 8gWVkz --sort loss
  machinable show 8gWVkz --sort accuracy --desc`,
		Args: oneArg("an experiment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.Contains(args[0], "/") {
				return &exitError{code: ExitError, err: fmt.Errorf("show: expected an experiment ID, got %q (for one component try machinable config or records ID/COMPONENT)", args[0])}
			}
			e, err := openView(storageURL, args[0], cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("show: %w", err)}
			}
			if desc && sortKey == "" {
				return &exitError{code: ExitError, err: fmt.Errorf("show: --desc reverses the order of --sort KEY; give --sort too")}
			}
			return runShow(stdout, e, time.Now(), showSort{key: sortKey, desc: desc})
		},
	}
	cmd.Flags().StringVar(&storageURL, "storage", "", storageFlagHelp)
	cmd.Flags().StringVar(&sortKey, "sort", "", "rank the components by the last value of this key in their records (smallest first)")
	cmd.Flags().BoolVar(&desc, "desc", false, "with --sort: largest first")
	return cmd
}

// showSort is show's --sort KEY and --desc.
type showSort struct {
	key  string
	desc bool
}

func runShow(stdout io.Writer, e *storage.ExperimentView, now time.Time, by showSort) error {
	comps, err := e.Components()
	if err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("show: %w", err)}
	}
	sts, err := e.Statuses()
	if err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("show: %w", err)}
	}
	states := make([]string, len(sts))
	counts := map[string]int{}
	for i, st := range sts {
		states[i] = st.State(now)
		counts[states[i]]++
	}

	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Experiment\t%s\n", e.ID)
	fmt.Fprintf(tw, "Seed\t%d\n", e.Seed)
	fmt.Fprintf(tw, "Started\t%s\n", e.StartedAt.Local().Format("2006-01-02 15:04:05"))
	fmt.Fprintf(tw, "Engine\t%s\n", orDash(e.Engine))
	if e.Directory != "" {
		fmt.Fprintf(tw, "Directory\t%s\n", e.Directory)
	}
	fmt.Fprintf(tw, "Storage\t%s\n", e.Storage().Describe(e.Path()))
	fmt.Fprintf(tw, "Project\t%s\n", orDash(e.Project))
	fmt.Fprintf(tw, "Code\t%s\n", codeLong(e.CodeVersion))
	fmt.Fprintf(tw, "Components\t%d: %d finished, %s%d running, %d failed, %d interrupted, %d stale, %d queued\n",
		len(comps), counts["finished"], stoppedCount(counts), counts["running"], counts["failed"], counts["interrupted"], counts["stale"], counts["queued"])
	tw.Flush()
	if len(comps) == 0 {
		return nil
	}

	keys := keyConfig(comps)
	order := make([]int, len(comps))
	for i := range order {
		order[i] = i
	}
	var sortVals []any
	var sortHas []bool
	if by.key != "" {
		if sortVals, sortHas, err = lastValues(comps, by.key); err != nil {
			return &exitError{code: ExitError, err: fmt.Errorf("show --sort %s: %w", by.key, err)}
		}
		sort.SliceStable(order, func(a, b int) bool {
			return rankBefore(sortVals[order[a]], sortHas[order[a]], sortVals[order[b]], sortHas[order[b]], by.desc)
		})
	}
	fmt.Fprintln(stdout)
	tw = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	header := "COMPONENT\tNAME\tSTATE"
	if by.key != "" {
		header += "\t" + strings.ToUpper(by.key)
	}
	if len(keys) > 0 {
		header += "\tCONFIG"
	}
	fmt.Fprintln(tw, header)
	var line []byte
	for _, i := range order {
		c := comps[i]
		line = append(line[:0], c.ID...)
		line = append(line, '\t')
		line = append(line, c.Name...)
		line = append(line, '\t')
		line = append(line, states[i]...)
		if by.key != "" {
			line = append(line, '\t')
			if sortHas[i] {
				line = append(line, formatValue(sortVals[i])...)
			} else {
				line = append(line, '-')
			}
		}
		for _, k := range keys {
			line = append(line, '\t')
			line = append(line, k...)
			line = append(line, '=')
			if v, ok := c.Config[k]; ok {
				line = append(line, formatValue(v)...)
			} else {
				line = append(line, '-')
			}
		}
		line = append(line, '\n')
		tw.Write(line)
	}
	return tw.Flush()
}

// lastValues reads, in parallel, each component's last value of key in
// its default records; has is false for those without it.
func lastValues(comps []*storage.ComponentView, key string) (vals []any, has []bool, err error) {
	vals, has = make([]any, len(comps)), make([]bool, len(comps))
	errs := make([]error, len(comps))
	storage.Parallel(len(comps), func(i int) { vals[i], has[i], errs[i] = comps[i].LastRecordValue("default", key) })
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	return vals, has, nil
}

// rankBefore orders show --sort's values: numbers by value, then other
// values by their text, ascending or (desc) descending; components
// without the key last either way.
func rankBefore(a any, hasA bool, b any, hasB bool, desc bool) bool {
	if !hasA || !hasB {
		return hasA && !hasB
	}
	fa, numA := jsonvalue.Float(a)
	fb, numB := jsonvalue.Float(b)
	switch {
	case numA && numB:
		if desc {
			return fa > fb
		}
		return fa < fb
	case numA != numB:
		return numA // numbers before text, in either order
	}
	if desc {
		return formatValue(a) > formatValue(b)
	}
	return formatValue(a) < formatValue(b)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// codeLong describes the code version: commit, branch, dirty, remote.
func codeLong(cv map[string]any) string {
	if git, _ := cv["git"].(bool); !git {
		return "- (not in git)"
	}
	s := codeShort(cv)
	var more []string
	if b, _ := cv["branch"].(string); b != "" {
		more = append(more, "branch "+b)
	}
	if dirty, _ := cv["dirty"].(bool); dirty {
		more = append(more, "uncommitted changes")
	}
	if r, _ := cv["remote"].(string); r != "" {
		more = append(more, r)
	}
	if len(more) > 0 {
		s += " (" + strings.Join(more, ", ") + ")"
	}
	return s
}

// keyConfig picks the config keys worth a column: the visible top-level
// keys whose values differ between the components, else the first three
// visible keys with plain (not list or map) values.
func keyConfig(comps []*storage.ComponentView) []string {
	all := map[string]bool{}
	for _, c := range comps {
		for k := range c.Config {
			if !strings.HasPrefix(k, "_") {
				all[k] = true
			}
		}
	}
	var keys []string
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var differ []string
	for _, k := range keys {
		var first string
		for i, c := range comps {
			v := "\x00missing"
			if x, ok := c.Config[k]; ok {
				v = formatValue(x)
			}
			if i == 0 {
				first = v
			} else if v != first {
				differ = append(differ, k)
				break
			}
		}
	}
	if len(differ) > 0 {
		return differ
	}
	var plain []string
	for _, k := range keys {
		switch comps[0].Config[k].(type) {
		case map[string]any, []any:
			continue
		}
		if plain = append(plain, k); len(plain) == 3 {
			break
		}
	}
	return plain
}
