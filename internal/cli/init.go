package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/machinable-go/machinable/storage"
	"github.com/spf13/cobra"
)

// starterFiles is the project `machinable init` writes: one component,
// its module, an experiment that runs it, and a .gitignore for results.
// Kept runnable as is: the init test runs experiment.star.
var starterFiles = []struct{ name, text string }{
	{"machinable.yaml", `# The project: every component and its default config. Scripts and
# "machinable execute" pick components by name and can patch the config.
components:
  - model:
      learning_rate: 0.1
      iterations: 5
      # a named version: Experiment().component("model", "~fast")
      ~fast:
        learning_rate: 0.5
`},
	{"model.star", `# The component "model": machinable calls these events in order
# (on_create, on_execute_iteration until StopIteration, on_after_execute).

def on_create(self):
    # Attributes set on self live for the whole life cycle.
    self.loss = 1.0
    self.log.info("learning rate", self.config.learning_rate)

def on_execute_iteration(self, iteration):
    # random is seeded with this component's SEED: same seed, same numbers.
    self.loss = self.loss * (1.0 - self.config.learning_rate * random.random())
    self.record["loss"] = self.loss  # saved as one row per iteration
    if iteration + 1 >= self.config.iterations:
        return StopIteration

def on_after_execute(self):
    print("final loss", self.loss)
`},
	{"experiment.star", `# Three trials of the model, stored in ./results.
# Run it with: machinable run experiment.star
execute(Experiment().component("model").repeat(3), storage="./results", seed=42)
`},
	{".gitignore", "results/\n"},
}

func newInitCommand(stdout io.Writer) *cobra.Command {
	var noGit bool
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a starter project (machinable.yaml, a component, an experiment)",
		Long: `Write a starter project into DIR (default: the current directory, created
when missing): machinable.yaml with one component "model", its module
model.star, experiment.star that runs it three times into ./results, and
a .gitignore for results/. Nothing is written when any of these files
exists already. Outside a git repository it also starts one (as cargo new
does; --no-git leaves it out), so that code backups follow the .gitignore
and record the commit a result came from.`,
		Example: "  machinable init myproject\n  cd myproject && machinable run experiment.star",
		Args:    atMostOneArg("the directory"),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			if err := writeStarter(dir); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			for _, f := range starterFiles {
				fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(dir, f.name))
			}
			if !noGit {
				started, err := startRepository(dir)
				if err != nil {
					return &exitError{code: ExitError, err: err}
				}
				if started {
					fmt.Fprintf(stdout, "started a git repository in %s (code backups follow its .gitignore)\n", dir)
				}
			}
			run := "machinable run experiment.star"
			if dir != "." {
				run = fmt.Sprintf("cd %s && %s", dir, run)
			}
			fmt.Fprintf(stdout, "next: %s\n", run)
			return nil
		},
	}
	cmd.Flags().BoolVar(&noGit, "no-git", false, "do not start a git repository")
	return cmd
}

// startRepository runs "git init" in dir unless dir already is inside a
// git work tree; it says whether it started one.
func startRepository(dir string) (bool, error) {
	if _, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true}); err == nil {
		return false, nil
	} else if !errors.Is(err, git.ErrRepositoryNotExists) {
		return false, fmt.Errorf("init: %s: %w", dir, err)
	}
	if _, err := git.PlainInit(dir, false); err != nil {
		return false, fmt.Errorf("init: git init %s: %w (the starter files are written; machinable init --no-git leaves git out)", dir, err)
	}
	return true, nil
}

// writeStarter writes the starter files into dir, or none of them when
// any exists: init never overwrites a user's file.
func writeStarter(dir string) error {
	var existing []string
	for _, f := range starterFiles {
		p := filepath.Join(dir, f.name)
		if _, err := os.Lstat(p); err == nil {
			existing = append(existing, p)
		} else if !os.IsNotExist(err) {
			return fmt.Errorf("init: %w", err)
		}
	}
	if len(existing) > 0 {
		verb := "exists"
		if len(existing) > 1 {
			verb = "exist"
		}
		return fmt.Errorf("init: %s already %s; nothing was written (move them away or choose another directory: machinable init DIR)", strings.Join(existing, ", "), verb)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	for _, f := range starterFiles {
		if err := storage.CreateLocalFile(filepath.Join(dir, f.name), []byte(f.text)); err != nil {
			return fmt.Errorf("init: %w", err)
		}
	}
	return nil
}
