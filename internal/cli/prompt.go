package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// promptWait is how long a question waits for an answer before the
// default is taken: a run interrupted by SIGTERM on a terminal nobody
// watches must still end.
const promptWait = 60 * time.Second

// terminalPrompt returns an executor.Ask that reads answers, one per
// line, from in (the terminal). The reader starts at the first question,
// so standard input is left alone until then.
func terminalPrompt(in io.Reader, wait time.Duration) func(io.Writer, string, []string) string {
	var once sync.Once
	lines := make(chan string)
	return func(out io.Writer, question string, choices []string) string {
		once.Do(func() {
			go func() {
				sc := bufio.NewScanner(in)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
		})
		keys := make([]string, len(choices))
		for i, c := range choices {
			keys[i] = fmt.Sprintf("%c (%s)", c[0], c)
		}
		fmt.Fprintf(out, "%s\nType %s and Enter; Enter alone: %s. Ctrl-C again exits and leaves them as they are.\n",
			question, strings.Join(keys, " or "), choices[0])
		timeout := time.After(wait)
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					return choices[0]
				}
				if pick, ok := pickChoice(strings.TrimSpace(line), choices); ok {
					return pick
				}
				fmt.Fprintf(out, "%q is none of %s; type one of them (or its first letter):\n", strings.TrimSpace(line), strings.Join(choices, ", "))
			case <-timeout:
				fmt.Fprintf(out, "no answer within %s: %s\n", wait, choices[0])
				return choices[0]
			}
		}
	}
}

// pickChoice matches an answer: empty is the default, otherwise a
// choice or its unambiguous prefix, in any case.
func pickChoice(answer string, choices []string) (string, bool) {
	if answer == "" {
		return choices[0], true
	}
	answer = strings.ToLower(answer)
	found := ""
	for _, c := range choices {
		if strings.HasPrefix(c, answer) {
			if found != "" {
				return "", false
			}
			found = c
		}
	}
	return found, found != ""
}

// askOnTerminal returns terminalPrompt on standard input when both it and
// the console are terminals, else nil (no one to ask: the default holds).
func askOnTerminal(console io.Writer) func(io.Writer, string, []string) string {
	f, ok := console.(*os.File)
	if !ok || !isTerminal(f) || !isTerminal(os.Stdin) {
		return nil
	}
	return terminalPrompt(os.Stdin, promptWait)
}
