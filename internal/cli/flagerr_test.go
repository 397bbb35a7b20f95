package cli

import "testing"

// TestFlagDidYouMean: an unknown flag names the command's nearest flag,
// on every command (the error function is set on the root).
func TestFlagDidYouMean(t *testing.T) {
	dir := quickstart(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "experiment.star", "--engin", "dry"}, "error: unknown flag: --engin (did you mean --engine?)\n"},
		{[]string{"run", "experiment.star", "--engin=dry"}, "error: unknown flag: --engin (did you mean --engine?)\n"},
		{[]string{"execute", "optimization", "--repaet", "2"}, "error: unknown flag: --repaet (did you mean --repeat?)\n"},
		{[]string{"ls", "--storag", "x"}, "error: unknown flag: --storag (did you mean --storage?)\n"},
		{[]string{"--verison"}, "error: unknown flag: --verison (did you mean --version?)\n"},
		{[]string{"run", "experiment.star", "--zzzzzzzz"}, "error: unknown flag: --zzzzzzzz (machinable run --help lists the flags)\n"},
		{[]string{"execute", "optimization", "-engine", "dry"}, "error: unknown shorthand flag: 'e' in -engine (did you mean --engine? long flags take two dashes)\n"},
	} {
		stdout, stderr, code := runMain(t, dir, c.args...)
		if code != ExitError || stderr != c.want || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, stdout, stderr, c.want)
		}
	}
}
