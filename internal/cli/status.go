package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/machinable-go/machinable/engines"
	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/storage"
	"github.com/spf13/cobra"
)

func newStatusCommand(stdout io.Writer) *cobra.Command {
	var storageURL string
	cmd := &cobra.Command{
		Use:   "status ID",
		Short: "Show the state of each component of an experiment",
		Long: `Show each component of an experiment: queued (not started), running,
stale (marked running, but its process is gone or its heartbeat stopped:
resume runs it again), finished, failed or interrupted, with start time,
elapsed time and, while marked running, the age of its last heartbeat;
then why each stale component is stale, and the counts. Reads the storage
only; works while the experiment runs.`,
		Example: `  machinable status 8gWVkz
  machinable status 8gWVkz --storage ~/results`,
		Args: oneArg("an experiment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			exp, err := openExperiment(args[0], storageURL, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			// What the journal says ended final is shown from it: its
			// schedule lines need no decoding.
			journal := exp.ReadJournal()
			ex, err := executor.LoadExecutionExcept(exp, func(id string) bool { _, ok := journal[id]; return ok })
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			now := time.Now()
			// Submitted to Slurm: show each task's queue state too.
			var slurm map[string]string
			var info engines.SlurmInfo
			if err := exp.ReadJSON("slurm.json", &info); err == nil {
				slurm, err = engines.SlurmStates(cmd.Context(), info)
				if err != nil {
					fmt.Fprintf(stdout, "slurm: %v\n", err)
				}
			}
			fmt.Fprintf(stdout, "Experiment %s (seed %d), engine %s, started %s, storage %s\n",
				ex.ExperimentID, ex.Seed, ex.Engine, ex.StartedAt.Local().Format("2006-01-02 15:04:05"), exp.Storage().Describe(exp.Path))
			buffered := bufio.NewWriter(stdout) // one write, not one per cell
			tw := tabwriter.NewWriter(buffered, 0, 4, 2, ' ', 0)
			header := "COMPONENT\tNAME\tSTATE\tSTARTED\tELAPSED\tHEARTBEAT\t"
			if slurm != nil {
				header += "SLURM\t"
			}
			fmt.Fprintln(tw, header)
			counts := map[string]int{}
			var staleNotes []string
			for _, sc := range ex.Schedule {
				st, err := journal.ComponentStatus(exp, sc.ID)
				if err != nil {
					return &exitError{code: ExitError, err: err}
				}
				state := st.State(now)
				counts[state]++
				started, elapsed := "-", "-"
				if st.StartedAt != nil {
					started = st.StartedAt.Local().Format("15:04:05")
					end := now
					if st.FinishedAt != nil {
						end = *st.FinishedAt
					} else if state == "stale" && st.HeartbeatAt != nil {
						end = *st.HeartbeatAt
					}
					elapsed = end.Sub(*st.StartedAt).Round(time.Millisecond).String()
				}
				beat := "-"
				if st.Status == storage.StatusRunning {
					live := st.Liveness(now)
					if live.HeartbeatAge >= 0 {
						beat = heartbeatAge(live.HeartbeatAge) + " ago"
					}
					if state == "stale" {
						staleNotes = append(staleNotes, staleNote(sc.ID, st, live))
					}
				}
				row := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t", sc.ID, sc.Name, state, started, elapsed, beat)
				if slurm != nil {
					task := slurm[sc.ID]
					if task == "" {
						task = "-"
					}
					row += task + "\t"
				}
				fmt.Fprintln(tw, row)
			}
			tw.Flush()
			buffered.Flush()
			for _, n := range staleNotes {
				fmt.Fprintln(stdout, n)
			}
			if len(staleNotes) > 0 {
				fmt.Fprintf(stdout, "machinable resume %s runs the stale component(s) again\n", ex.ExperimentID)
			}
			line := fmt.Sprintf("%d finished, %s%d running, %d failed, %d interrupted, %d stale, %d queued",
				counts["finished"], stoppedCount(counts), counts["running"], counts["failed"], counts["interrupted"], counts["stale"], counts["queued"])
			if n := counts[storage.StatusRequeued]; n > 0 {
				line += fmt.Sprintf(", %d requeued", n)
			}
			fmt.Fprintln(stdout, line)
			return nil
		},
	}
	cmd.Flags().StringVar(&storageURL, "storage", "", storageFlagHelp)
	return cmd
}

// stoppedCount is "N stopped, " when tuning trials were stopped early by
// their scheduler, else nothing: listings without tuning stay as they were.
func stoppedCount(counts map[string]int) string {
	if n := counts[storage.StatusStopped]; n > 0 {
		return fmt.Sprintf("%d stopped, ", n)
	}
	return ""
}

// staleNote says why a component marked running is stale: "stale
// XfOWPgKJCcuh: process 4242 is gone (host h); last heartbeat 5m3s ago".
func staleNote(id string, st storage.Status, live storage.Liveness) string {
	note := "stale " + id + ": " + live.Reason
	if st.Host != "" && st.Host != storage.Hostname() {
		note += " (host " + st.Host + ")"
	}
	if live.HeartbeatAge < 0 {
		return note
	}
	if !strings.Contains(live.Reason, "heartbeat") {
		note += "; last heartbeat " + heartbeatAge(live.HeartbeatAge) + " ago"
	}
	return note
}

// heartbeatAge rounds an age for the table: whole seconds above 10 s.
func heartbeatAge(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}
