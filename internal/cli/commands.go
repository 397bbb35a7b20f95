package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/machinable-go/machinable/internal/suggest"
	"github.com/spf13/cobra"
)

// commandNames are the commands `machinable --help` lists, sorted.
func commandNames(root *cobra.Command) []string {
	var names []string
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() || c.Name() == "help" {
			names = append(names, c.Name())
		}
	}
	sort.Strings(names)
	return names
}

// nearestCommand says which command a misspelt name probably meant: the
// ones it is a prefix of, else the nearest by edit distance; a .star file
// is meant for run. "" when nothing is plausible.
func nearestCommand(root *cobra.Command, name string) string {
	if strings.HasSuffix(name, ".star") {
		return `"machinable run ` + name + `"`
	}
	names := commandNames(root)
	var prefixed []string
	for _, n := range names {
		if name != "" && strings.HasPrefix(n, name) {
			prefixed = append(prefixed, `"machinable `+n+`"`)
		}
	}
	if len(prefixed) > 0 {
		return strings.Join(prefixed, " or ")
	}
	if n := suggest.Nearest(name, names); n != "" {
		return `"machinable ` + n + `"`
	}
	return ""
}

// unknownCommand is the error for `machinable NAME` when NAME is no
// command: with the nearest one, or the list of all.
func unknownCommand(root *cobra.Command, what, name string) error {
	if n := nearestCommand(root, name); n != "" {
		return fmt.Errorf("unknown %s %q (did you mean %s?)", what, name, n)
	}
	return fmt.Errorf("unknown %s %q; the commands are %s (machinable --help describes them)", what, name, strings.Join(commandNames(root), ", "))
}

// rootArgs lets the root command take its arguments itself: cobra's own
// unknown-command error suggests only names within two edits and, for
// `help`, prints the usage and exits 0.
func rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return unknownCommand(cmd, "command", args[0])
	}
	return nil
}

// strictHelp makes `machinable help TOPIC` fail (exit 2) for a TOPIC that
// is no command, naming the nearest; cobra prints the usage and exits 0.
func strictHelp(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	for _, help := range root.Commands() {
		if help.Name() != "help" {
			continue
		}
		show := help.Run
		help.Run = nil
		help.RunE = func(c *cobra.Command, args []string) error {
			found, _, err := root.Find(args)
			if len(args) > 0 && (err != nil || found == root) {
				return unknownCommand(root, "help topic", args[0])
			}
			show(c, args)
			return nil
		}
	}
}
