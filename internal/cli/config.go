package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/spf13/cobra"
)

func newConfigCommand(stdout io.Writer) *cobra.Command {
	var storageURL string
	var flags bool
	cmd := &cobra.Command{
		Use:   "config ID/COMPONENT",
		Short: "Print a component's config (or flags) as JSON",
		Long: `Print the config a component ran with, as resolved into schedule.json
(defaults from machinable.yaml, versions and overrides applied), as
indented JSON. --flags prints its flags instead (SEED, COMPONENT_ID,
REPEAT_NUMBER and the user's own).`,
		Example: `  machinable config 8gWVkz/e9DJBHuoiCvn
  machinable config 8gWVkz/e9DJBHuoiCvn --flags
  machinable config 8gWVkz/e9DJBHuoiCvn | jq .learning_rate`,
		Args: oneArg("an experiment ID and component, ID/COMPONENT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := parseRef("config", args[0], true)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			e, err := openView(storageURL, r.exp, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("config: %w", err)}
			}
			c, err := findComponent(e, r.comp)
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("config: %w", err)}
			}
			v := c.Config
			if flags {
				v = c.Flags
			}
			if v == nil {
				v = map[string]any{}
			}
			enc := json.NewEncoder(stdout)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			return enc.Encode(jsonvalue.KeepFloatsMap(v))
		},
	}
	cmd.Flags().StringVar(&storageURL, "storage", "", storageFlagHelp)
	cmd.Flags().BoolVar(&flags, "flags", false, "print the component's flags instead of its config")
	return cmd
}
