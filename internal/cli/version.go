package cli

import (
	"fmt"
	"io"
	goruntime "runtime"

	"github.com/machinable-go/machinable/runtime"
	"github.com/spf13/cobra"
)

func newVersionCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(stdout, "machinable %s (%s %s/%s)\n", runtime.MachinableVersion, goruntime.Version(), goruntime.GOOS, goruntime.GOARCH)
			return nil
		},
	}
}
