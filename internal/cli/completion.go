package cli

import (
	"io"
	"sort"
	"strings"

	"github.com/machinable-go/machinable/runtime/project"
	"github.com/machinable-go/machinable/storage"
	"github.com/spf13/cobra"
)

// Dynamic shell completion (cobra's `completion` command writes the
// scripts; the shells call `machinable __complete ARGS...`). Registered
// here, after the commands are built, so the commands' files stay about
// running them. Completion never writes and never fails loudly: anything
// it cannot read completes nothing.

// Commands whose argument is an experiment ID; withComponent: ID/COMPONENT
// (required: the ID is completed with its slash; optional: without).
var idCommands = map[string]struct{ withComponent, required bool }{
	"show":    {},
	"status":  {},
	"resume":  {},
	"restore": {},
	"records": {withComponent: true},
	"log":     {withComponent: true, required: true},
	"config":  {withComponent: true, required: true},
}

func addCompletions(root *cobra.Command, stdout io.Writer) {
	for _, cmd := range root.Commands() {
		switch name := cmd.Name(); name {
		case "run":
			cmd.ValidArgsFunction = firstArg(func(*cobra.Command, string) ([]string, cobra.ShellCompDirective) {
				return []string{"star"}, cobra.ShellCompDirectiveFilterFileExt
			})
		case "execute":
			cmd.ValidArgsFunction = firstArg(completeComponents)
			registerFlag(cmd, "version", completeVersions)
		case "init":
			cmd.ValidArgsFunction = firstArg(completeDirs)
		case "ls":
			cmd.ValidArgsFunction = firstArg(completeDirs)
		default:
			if id, ok := idCommands[name]; ok {
				cmd.ValidArgsFunction = firstArg(func(c *cobra.Command, toComplete string) ([]string, cobra.ShellCompDirective) {
					return completeIDs(c, toComplete, id.withComponent, id.required)
				})
			}
		}
		registerFlag(cmd, "engine", func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return append(engineNames(stdout), directiveCompletions(c, true)...), cobra.ShellCompDirectiveNoFileComp
		})
		registerFlag(cmd, "storage", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveFilterDirs
		})
		registerFlag(cmd, "project", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveFilterDirs
		})
	}
}

// registerFlag sets the completion of a flag the command has.
func registerFlag(cmd *cobra.Command, flag string, f cobra.CompletionFunc) {
	if cmd.Flags().Lookup(flag) != nil {
		_ = cmd.RegisterFlagCompletionFunc(flag, f)
	}
}

// firstArg completes the first argument with f and nothing after it.
func firstArg(f func(*cobra.Command, string) ([]string, cobra.ShellCompDirective)) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return f(cmd, toComplete)
	}
}

func completeDirs(*cobra.Command, string) ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveFilterDirs
}

// completionProject is the project of `execute`: --project, else the
// nearest machinable.yaml at or above the working directory.
func completionProject(cmd *cobra.Command) *project.Project {
	dir, _ := cmd.Flags().GetString("project")
	if dir == "" {
		found, err := project.Find(".")
		if err != nil {
			return nil
		}
		dir = found
	}
	p, err := project.Load(dir)
	if err != nil {
		return nil
	}
	return p
}

// completeComponents: the names of the project's components.
func completeComponents(cmd *cobra.Command, toComplete string) ([]string, cobra.ShellCompDirective) {
	p := completionProject(cmd)
	if p == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	names := append(p.Names(), directiveCompletions(cmd, false)...) // @experiments (directive.go)
	return withPrefix(names, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeVersions: the ~versions of the component given as argument.
func completeVersions(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	p := completionProject(cmd)
	if p == nil || len(args) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	versions, err := p.Versions(args[0])
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return withPrefix(versions, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeIDs: the experiment IDs of --storage or the default storage,
// described by start time and directory; after "ID/", the IDs of that
// experiment's components with their names.
func completeIDs(cmd *cobra.Command, toComplete string, withComponent, required bool) ([]string, cobra.ShellCompDirective) {
	none := cobra.ShellCompDirectiveNoFileComp
	url, _ := cmd.Flags().GetString("storage")
	if url == "" {
		var err error
		if url, err = defaultStorage(nil); err != nil {
			return nil, none
		}
	}
	st, err := storage.Open(url)
	if err != nil {
		return nil, none
	}
	if id, comp, ok := strings.Cut(toComplete, "/"); ok && withComponent {
		exp, err := st.Experiment(id)
		if err != nil {
			return nil, none
		}
		comps, err := exp.Components()
		if err != nil {
			return nil, none
		}
		var out []string
		for _, c := range comps {
			if strings.HasPrefix(c.ID, comp) {
				out = append(out, id+"/"+c.ID+"\t"+c.Name)
			}
		}
		return out, none
	}
	exps, err := st.Experiments()
	if err != nil {
		return nil, none
	}
	suffix, directive := "", none
	if required {
		suffix, directive = "/", none|cobra.ShellCompDirectiveNoSpace
	}
	var out []string
	for _, e := range exps {
		if !strings.HasPrefix(e.ID, toComplete) {
			continue
		}
		desc := e.StartedAt.Local().Format("2006-01-02 15:04")
		if e.Directory != "" {
			desc += " " + e.Directory
		}
		out = append(out, e.ID+suffix+"\t"+desc)
	}
	return out, directive
}

// engineNames are the engines the executor knows.
func engineNames(stdout io.Writer) []string {
	names := NewExecutor(stdout).Engines.Types()
	sort.Strings(names)
	return names
}

func withPrefix(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}
