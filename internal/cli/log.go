package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/machinable-go/machinable/storage"
	"github.com/spf13/afero"
	"github.com/spf13/cobra"
)

// followEvery is how often log --follow looks for new lines.
const followEvery = 200 * time.Millisecond

func newLogCommand(stdout, stderr io.Writer) *cobra.Command {
	var storageURL string
	var output, follow bool
	cmd := &cobra.Command{
		Use:   "log ID/COMPONENT",
		Short: "Print a component's log (or its printed output)",
		Long: `Print log.txt of a component: the lines it wrote with self.log. --output
prints output.log instead: what it printed. --follow keeps printing new
lines as they are written (looking every 200 ms) until the component is no
longer running (finished, failed, interrupted, or stale: its process is
gone), then exits. A component that has not started yet (queued, or
requeued on Slurm) is waited for; on one that ended it prints what there
is and exits at once.`,
		Example: `  machinable log 8gWVkz/e9DJBHuoiCvn
  machinable log 8gWVkz/e9DJBHuoiCvn --output
  machinable log 8gWVkz/e9DJBHuoiCvn --follow`,
		Args: oneArg("an experiment ID and component, ID/COMPONENT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := parseRef("log", args[0], true)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			e, err := openView(storageURL, r.exp, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("log: %w", err)}
			}
			c, err := quickComponent(e, r.comp)
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("log: %w", err)}
			}
			name := "log.txt"
			if output {
				name = "output.log"
			}
			if !follow {
				text, err := c.File(name)
				if err != nil {
					return &exitError{code: ExitError, err: fmt.Errorf("log %s: %w", args[0], err)}
				}
				_, err = io.WriteString(stdout, text)
				return err
			}
			if err := followLog(cmd.Context(), stdout, stderr, c, name); err != nil && !errors.Is(err, context.Canceled) {
				return &exitError{code: ExitError, err: fmt.Errorf("log %s: %w", args[0], err)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&storageURL, "storage", "", storageFlagHelp)
	cmd.Flags().BoolVar(&output, "output", false, "print output.log (what the component printed) instead of log.txt")
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new lines until the component is no longer running")
	return cmd
}

// followLog copies the file from where it was last read, every
// followEvery, until the component is no longer running or waiting to
// run. The status is read before the copy, so lines written before it
// ended are printed.
func followLog(ctx context.Context, w, notes io.Writer, c *storage.ComponentView, name string) error {
	fsys := c.Experiment.Storage().Fs
	p := filepath.Join(c.Experiment.Path(), c.ID, name)
	var offset int64
	waiting := false
	tick := time.NewTicker(followEvery)
	defer tick.Stop()
	for {
		st, err := c.Status()
		if err != nil {
			return err
		}
		state := st.State(time.Now())
		n, err := copyFrom(fsys, p, offset, w)
		offset += n
		if err != nil {
			return err
		}
		switch state {
		case "running":
		case "queued", storage.StatusRequeued:
			if !waiting {
				fmt.Fprintf(notes, "log: component %s is %s; waiting for it to run (Ctrl-C stops)\n", c.ID, state)
				waiting = true
			}
		default:
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// copyFrom copies the file from offset to its current end; a file not
// written yet copies nothing.
func copyFrom(fsys afero.Fs, p string, offset int64, w io.Writer) (int64, error) {
	f, err := fsys.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return 0, err
	}
	return io.Copy(w, f)
}
