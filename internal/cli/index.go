package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/machinable-go/machinable/index"
	"github.com/machinable-go/machinable/storage"
	"github.com/spf13/cobra"
)

// Searching a storage through its index (package index): ls --where and
// machinable index rebuild.

const whereFlagHelp = "list the components matching FIELD OP VALUE (repeatable: all must match), e.g. 'config.lr > 0.1', 'status = finished'; fields config.<key>, flags.<key>, name, status, experiment, id, directory, seed, started_at, finished_at; operators = != < <= > >= ~ (glob)"

// openIndex opens the index of a storage, making it when it has none.
func openIndex(st *storage.Storage, warn io.Writer) (*index.Index, error) {
	ix, err := index.Open(st, warn)
	if err != nil {
		return nil, err
	}
	return ix, nil
}

// runSearch is ls --where: the matching components, or with experiments
// set the experiments holding them.
func runSearch(ctx context.Context, stdout, stderr io.Writer, st *storage.Storage, where []string, experiments bool) error {
	conds, err := index.ParseAll(where)
	if err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("ls: %w", err)}
	}
	ix, err := openIndex(st, stderr)
	if err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("ls: %w", err)}
	}
	ms, err := ix.Search(ctx, conds, index.SearchOptions{})
	if err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("ls: %w", err)}
	}
	if len(ms) == 0 {
		fmt.Fprintf(stdout, "No component of storage %s matches %s\n", st.URL, strings.Join(quoteAll(where), " and "))
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if experiments {
		type row struct {
			x     storage.IndexedExperiment
			count int
		}
		var order []string
		rows := map[string]*row{}
		for _, m := range ms {
			r, ok := rows[m.Rel]
			if !ok {
				r = &row{x: m.Experiment}
				rows[m.Rel] = r
				order = append(order, m.Rel)
			}
			r.count++
		}
		fmt.Fprintln(tw, "ID\tSTARTED\tDIRECTORY\tMATCHING\tCODE")
		for _, rel := range order {
			r := rows[rel]
			dir := r.x.Directory
			if dir == "" {
				dir = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", r.x.ID, r.x.StartedAt.Local().Format("2006-01-02 15:04"), dir, r.count, codeShort(r.x.CodeVersion))
		}
		return tw.Flush()
	}
	// One column per config or flags field the conditions name, so the
	// listing shows why each component matched.
	var cols []string
	seen := map[string]bool{}
	for _, c := range conds {
		if (strings.HasPrefix(c.Field, "config.") || strings.HasPrefix(c.Field, "flags.")) && !seen[c.Field] {
			seen[c.Field] = true
			cols = append(cols, c.Field)
		}
	}
	fmt.Fprint(tw, "COMPONENT\tEXPERIMENT\tNAME\tSTATUS\tSTARTED")
	for _, c := range cols {
		fmt.Fprint(tw, "\t"+c)
	}
	fmt.Fprintln(tw)
	for _, m := range ms {
		started := "-"
		if m.Status.StartedAt != nil {
			started = m.Status.StartedAt.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s", m.ID, m.Experiment.ID, m.Name, m.State, started)
		if len(cols) > 0 {
			var cfg, flags map[string]any // decoded once per row, only when shown
			for _, c := range cols {
				if cfg == nil && strings.HasPrefix(c, "config.") {
					cfg = m.Config()
				}
				if flags == nil && strings.HasPrefix(c, "flags.") {
					flags = m.Flags()
				}
				src, key := cfg, strings.TrimPrefix(c, "config.")
				if strings.HasPrefix(c, "flags.") {
					src, key = flags, strings.TrimPrefix(c, "flags.")
				}
				fmt.Fprint(tw, "\t"+formatValue(lookup(src, key)))
			}
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// completeWhere offers the fields a condition starts with.
func completeWhere(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return append([]string{"config.", "flags."}, index.Fields...), cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "'" + s + "'"
	}
	return out
}

// lookup follows a dotted key into nested maps; missing is nil.
func lookup(m map[string]any, dotted string) any {
	var v any = m
	for _, k := range strings.Split(dotted, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

func newIndexCommand(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "index",
		Short: "The search index of a storage (ls --where)",
		Long: `A storage keeps a search index, ` + index.FileName + ` in its root, which
machinable ls --where and Storage(url).search() use to find components
among many experiments at once. It is made on the first search, kept up to
date as experiments run, and brought up to date with the storage before
each search; the experiments' own files stay the source of truth.

machinable index rebuild makes it again from the storage.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	var storageURL string
	rebuild := &cobra.Command{
		Use:   "rebuild [STORAGE]",
		Short: "Make the search index of a storage again from its experiments",
		Long: `Make the search index of a storage again from the experiments it holds.
Searches rebuild a missing, damaged or outdated index on their own; this
command is for when one wants it done now (after copying experiments in,
say).`,
		Example: `  machinable index rebuild
  machinable index rebuild ~/results`,
		Args: atMostOneArg("a storage URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if storageURL != "" && storageURL != args[0] {
					return &exitError{code: ExitError, err: fmt.Errorf("index rebuild: storage given twice: %q and --storage %q", args[0], storageURL)}
				}
				storageURL = args[0]
			}
			st, err := inspectStorage(storageURL, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("index rebuild: %w", err)}
			}
			start := time.Now()
			ix, err := openIndex(st, cmd.ErrOrStderr())
			if err == nil {
				err = ix.Rebuild(cmd.Context())
			}
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("index rebuild: %w", err)}
			}
			exps, comps, err := ix.Count(cmd.Context())
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("index rebuild: %w", err)}
			}
			where := ix.Path()
			if where == "" {
				where = st.URL + " (in memory)"
			}
			fmt.Fprintf(stdout, "Indexed %d experiment%s, %d component%s in %s (%.1fs)\n", exps, pluralS(exps), comps, pluralS(comps), where, time.Since(start).Seconds())
			return nil
		},
	}
	rebuild.Flags().StringVar(&storageURL, "storage", "", storageFlagHelp)
	rebuild.ValidArgsFunction = firstArg(completeDirs) // a subcommand: addCompletions sees only the top level
	_ = rebuild.RegisterFlagCompletionFunc("storage", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	})
	cmd.AddCommand(rebuild)
	return cmd
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
