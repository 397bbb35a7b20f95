package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/machinable-go/machinable/seeding"
	"github.com/machinable-go/machinable/storage"
	"github.com/spf13/cobra"
)

// The read-only commands (ls, show, records, config, log) go through the
// query API of package storage: they never write to a storage.

const storageFlagHelp = "storage URL (default: $MACHINABLE_STORAGE, else the settings' default_storage, else the first results directory here or above, up to the project root)"

// defaultStorage is the storage of the project the working directory is
// in (see storage.FindDefault); notes says which one when it is not
// ./results, so output of the usual case stays as it is.
func defaultStorage(notes io.Writer) (string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	if os.Getenv("MACHINABLE_STORAGE") == "" { // it comes first: FindDefault reads it
		if u := settingsStorage(); u != "" {
			return u, nil
		}
	}
	d, err := storage.FindDefault(cwd)
	if err != nil {
		return "", err
	}
	if d.Note != "" && notes != nil {
		fmt.Fprintln(notes, d.Note)
	}
	return d.URL, nil
}

// inspectStorage opens the storage a reading command looks at: the URL
// given, else $MACHINABLE_STORAGE, else the settings' default_storage,
// else the project's results directory (./results or a parent's). A local storage that does not exist is an
// error rather than an empty listing.
func inspectStorage(url string, notes io.Writer) (*storage.Storage, error) {
	if url == "" {
		u, err := defaultStorage(notes)
		if err != nil {
			return nil, err
		}
		url = u
	}
	st, err := storage.Open(url)
	if err != nil {
		return nil, err
	}
	if !st.Memory && !st.Object { // a bucket prefix exists once something is in it
		fi, err := os.Stat(st.Root)
		if err != nil {
			return nil, fmt.Errorf("storage %s: no such directory (%s)", url, st.Root)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("storage %s: %s is not a directory", url, st.Root)
		}
	}
	return st, nil
}

// openView finds an experiment by ID in the storage.
func openView(storageURL, id string, notes io.Writer) (*storage.ExperimentView, error) {
	if !seeding.IsExperimentID(id) {
		_, err := seeding.DecodeExperimentID(id)
		return nil, err
	}
	st, err := inspectStorage(storageURL, notes)
	if err != nil {
		return nil, err
	}
	return st.Experiment(id)
}

// codeShort is the code version in a few characters (see
// storage.CodeShort).
func codeShort(cv map[string]any) string { return storage.CodeShort(cv) }

func newLsCommand(stdout io.Writer) *cobra.Command {
	var storageURL string
	var where []string // search through the storage's index (index.go)
	var experiments bool
	cmd := &cobra.Command{
		Use:   "ls [STORAGE]",
		Short: "List the experiments of a storage, newest first",
		Long: `List the experiments of a storage, newest first: ID, start time, directory,
number of components and how many finished, failed and are running (and,
when any experiment has tuning trials a scheduler ended early, how many were
stopped), and the code version (short commit, "*" when the work tree was dirty, "-" outside
git). Components marked running whose process is gone (stale) are not
counted as running; a note below the table names them.

Reads execution.json, schedule.json and the status of each component,
never records. The storage is the argument, else --storage, else
$MACHINABLE_STORAGE, else the first results directory in the current
directory or above it, up to the project root (machinable.yaml).

With --where, it lists the components matching every condition instead
(with --experiments, the experiments holding them), found through the
storage's search index (see machinable index).`,
		Example: `  machinable ls
  machinable ls ~/results
  MACHINABLE_STORAGE=/data/results machinable ls
  machinable ls --where 'config.learning_rate > 0.1' --where 'status = finished'
  machinable ls --experiments --where 'name = trainer'`,
		Args: atMostOneArg("a storage URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if storageURL != "" && storageURL != args[0] {
					return &exitError{code: ExitError, err: fmt.Errorf("ls: storage given twice: %q and --storage %q", args[0], storageURL)}
				}
				storageURL = args[0]
			}
			st, err := inspectStorage(storageURL, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("ls: %w", err)}
			}
			if experiments && len(where) == 0 {
				return &exitError{code: ExitError, err: fmt.Errorf("ls: --experiments lists the experiments holding the components --where matches; give --where too")}
			}
			if len(where) > 0 {
				return runSearch(cmd.Context(), stdout, cmd.ErrOrStderr(), st, where, experiments)
			}
			return runLs(stdout, st, time.Now())
		},
	}
	cmd.Flags().StringVar(&storageURL, "storage", "", storageFlagHelp)
	cmd.Flags().StringArrayVar(&where, "where", nil, whereFlagHelp)
	_ = cmd.RegisterFlagCompletionFunc("where", completeWhere)
	cmd.Flags().BoolVar(&experiments, "experiments", false, "with --where: list the experiments holding matching components, and how many match")
	return cmd
}

func runLs(stdout io.Writer, st *storage.Storage, now time.Time) error {
	exps, err := st.Experiments()
	if err != nil {
		return &exitError{code: ExitError, err: fmt.Errorf("ls: %w", err)}
	}
	if len(exps) == 0 {
		fmt.Fprintf(stdout, "No experiments in storage %s\n", st.URL)
		return nil
	}
	// Each experiment's statuses are read in parallel already; a few
	// experiments at once keeps a storage of many small ones fast too.
	counts := make([]map[string]int, len(exps))
	total := make([]int, len(exps))
	errs := make([]error, len(exps))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, e := range exps {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			counts[i], errs[i] = e.Counts(now)
			for _, n := range counts[i] {
				total[i] += n
			}
		}()
	}
	wg.Wait()

	// STOPPED only where tuning stopped trials: other listings stay as
	// they were.
	stopped := false
	for i := range exps {
		stopped = stopped || counts[i][storage.StatusStopped] > 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if stopped {
		fmt.Fprintln(tw, "ID\tSTARTED\tDIRECTORY\tCOMPONENTS\tFINISHED\tSTOPPED\tFAILED\tRUNNING\tCODE")
	} else {
		fmt.Fprintln(tw, "ID\tSTARTED\tDIRECTORY\tCOMPONENTS\tFINISHED\tFAILED\tRUNNING\tCODE")
	}
	var notes []string
	for i, e := range exps {
		dir := e.Directory
		if dir == "" {
			dir = "-"
		}
		started := e.StartedAt.Local().Format("2006-01-02 15:04")
		if errs[i] != nil {
			unknown := "?\t?\t?\t?"
			if stopped {
				unknown += "\t?"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.ID, started, dir, unknown, codeShort(e.CodeVersion))
			notes = append(notes, fmt.Sprintf("%s: %v", e.ID, errs[i]))
			continue
		}
		c := counts[i]
		finished := strconv.Itoa(c["finished"])
		if stopped {
			finished += "\t" + strconv.Itoa(c[storage.StatusStopped])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%d\t%d\t%s\n", e.ID, started, dir, total[i],
			finished, c["failed"], c["running"], codeShort(e.CodeVersion))
		if c["stale"] > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d stale component(s): marked running, but their process is gone (machinable resume %s runs them again)", e.ID, c["stale"], e.ID))
		}
	}
	tw.Flush()
	if len(notes) > 0 {
		fmt.Fprintln(stdout)
		fmt.Fprintln(stdout, strings.Join(notes, "\n"))
	}
	return nil
}
