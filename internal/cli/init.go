package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

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
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a starter project (machinable.yaml, a component, an experiment)",
		Long: `Write a starter project into DIR (default: the current directory, created
when missing): machinable.yaml with one component "model", its module
model.star, experiment.star that runs it three times into ./results, and
a .gitignore for results/. Nothing is written when any of these files
exists already.`,
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
			run := "machinable run experiment.star"
			if dir != "." {
				run = fmt.Sprintf("cd %s && %s", dir, run)
			}
			fmt.Fprintf(stdout, "next: %s\n", run)
			return nil
		},
	}
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
		// O_EXCL: a file created since the check above is not overwritten.
		h, err := os.OpenFile(filepath.Join(dir, f.name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("init: %w", err)
		}
		_, err = h.WriteString(f.text)
		if cerr := h.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("init: %w", err)
		}
	}
	return nil
}
