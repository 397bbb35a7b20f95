package cli

import (
	"bytes"
	"fmt"
	"io"

	"github.com/machinable-go/machinable/backup"
	"github.com/spf13/cobra"
)

func newRestoreCommand(stdout io.Writer) *cobra.Command {
	var storageURL, to string
	cmd := &cobra.Command{
		Use:   "restore ID",
		Short: "Unpack the code backup of an experiment",
		Long: `Unpack code.zip of an experiment into a directory, to rerun or inspect
the code that produced the results. The directory must not exist or be
empty. The storage defaults to $MACHINABLE_STORAGE, else the project's
results directory (the first one here or above, up to machinable.yaml).`,
		Example: `  machinable restore 8gWVkz
  machinable restore 8gWVkz --storage ~/results --to /tmp/8gWVkz-code`,
		Args: oneArg("an experiment ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			exp, err := openExperiment(args[0], storageURL, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			id := exp.ID
			data, err := exp.ReadFile("code.zip")
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("experiment %s has no code backup (code.zip): it ran with code_backup disabled or on mem://", id)}
			}
			if to == "" {
				to = "code-" + id
			}
			m, err := backup.Restore(bytes.NewReader(data), int64(len(data)), to)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			fmt.Fprintf(stdout, "restored %d file(s) of experiment %s into %s", m.Files, id, to)
			if v := m.Version; v.Git {
				fmt.Fprintf(stdout, " (commit %s", v.Commit)
				if v.Dirty {
					fmt.Fprintf(stdout, ", with uncommitted changes")
				}
				fmt.Fprint(stdout, ")")
			}
			fmt.Fprintln(stdout)
			return nil
		},
	}
	cmd.Flags().StringVar(&storageURL, "storage", "", storageFlagHelp)
	cmd.Flags().StringVar(&to, "to", "", "directory to restore into (default: ./code-ID)")
	return cmd
}
