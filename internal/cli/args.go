package cli

import (
	"fmt"
	"strconv"

	"github.com/machinable-go/machinable/seeding"
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

// seedFlagHelp describes --seed wherever it is a flag.
const seedFlagHelp = "seed: an integer, a 6-character experiment ID, or id:ID for an ID of digits (--seed id:123456)"

// parseSeedFlag keeps --seed's meaning identical to execute(seed=...):
// integers are seeds, other 6-character strings experiment IDs. An ID of
// digits only ("123456") reads as an integer, so "id:" in front makes any
// string an experiment ID. IDs below 62**5 (a leading 0) are refused here,
// not after the plan was read.
func parseSeedFlag(s string) (any, error) {
	if id, ok := seeding.CutIDPrefix(s); ok {
		if _, err := seeding.ExperimentSeed(id); err != nil {
			return nil, fmt.Errorf("--seed %q: expected id: followed by a 6-character experiment ID: %w", s, err)
		}
		return id, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if _, err := seeding.ExperimentSeed(s); err != nil {
		return nil, fmt.Errorf("--seed %q: expected an integer or a 6-character experiment ID (id:ID for an ID of digits): %w", s, err)
	}
	return s, nil
}

// checkRepeatFlag refuses a negative --repeat or --split; 0 is allowed and
// means what repeat(0) means in a script: no repetition, the plan runs
// once without the flags.
func checkRepeatFlag(flag string, k int) error {
	if k < 0 {
		return fmt.Errorf("--%s %d: expected a number of trials >= 0 (0 and 1 run the component once)", flag, k)
	}
	return nil
}
