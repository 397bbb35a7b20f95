package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/machinable-go/machinable/executor"
	"github.com/machinable-go/machinable/settings"
)

// userSettings reads the user's settings file (~/.machinable/settings.yaml
// or $MACHINABLE_SETTINGS) and writes its warnings to stderr. Only the
// command line reads it; the Go API takes settings explicitly.
func userSettings(stderr io.Writer) (*settings.Settings, error) {
	s, err := settings.Load()
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	if stderr != nil {
		for _, w := range s.Warnings {
			fmt.Fprintln(stderr, "warning:", w)
		}
	}
	return s, nil
}

// settingsExecutor is runExecutor with the user's settings applied.
func settingsExecutor(stdout, stderr io.Writer) (*executor.Executor, error) {
	s, err := userSettings(stderr)
	if err != nil {
		return nil, err
	}
	x := runExecutor(stdout, stderr)
	x.Settings = s
	return x, nil
}

// settingsStorage is default_storage of the user's settings as the
// default of the reading commands (after --storage and
// $MACHINABLE_STORAGE, before the project's results directory); "" when
// unset, unreadable or mem://, which holds nothing to read.
func settingsStorage() string {
	s, err := settings.Load()
	if err != nil || strings.HasPrefix(s.DefaultStorage, "mem://") {
		return ""
	}
	return s.DefaultStorage
}
