package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/machinable-go/machinable/internal/suggest"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagError adds the nearest flag of the command to pflag's "unknown
// flag" errors: `unknown flag: --engin (did you mean --engine?)`. A long
// flag given with one dash (-engine, which pflag reads as -e -n ...) is
// pointed to its two-dash form. Set on the root, it applies to every
// command.
func flagError(cmd *cobra.Command, err error) error {
	var notExist *pflag.NotExistError
	if !errors.As(err, &notExist) {
		return err
	}
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	if strings.HasPrefix(err.Error(), "unknown flag: --") {
		if n := suggest.Nearest(notExist.GetSpecifiedName(), names); n != "" {
			return fmt.Errorf("%w (did you mean --%s?)", err, n)
		}
		return fmt.Errorf("%w (machinable %s --help lists the flags)", err, cmd.Name())
	}
	if group := notExist.GetSpecifiedShortnames(); len(group) > 1 {
		name, _, _ := strings.Cut(group, "=")
		for _, n := range names {
			if n == name {
				return fmt.Errorf("%w (did you mean --%s? long flags take two dashes)", err, n)
			}
		}
	}
	return err
}
