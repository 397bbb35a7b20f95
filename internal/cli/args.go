package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// oneArg accepts exactly one argument, and says what it should be when
// it is missing or there are more ("accepts 1 arg(s), received 0" says
// neither what nor how).
func oneArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 1 {
			return nil
		}
		return fmt.Errorf("%s: expected %s, got %d argument(s); usage: machinable %s", cmd.Name(), what, len(args), cmd.Use)
	}
}

// atMostOneArg accepts zero or one argument.
func atMostOneArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) <= 1 {
			return nil
		}
		return fmt.Errorf("%s: expected at most one argument, %s, got %d; usage: machinable %s", cmd.Name(), what, len(args), cmd.Use)
	}
}
