package runtime

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// Output redirection modes of the flag OUTPUT_REDIRECTION (machinable
// 2.14): where a component's print() output goes.
const (
	OutputSysAndFile = "SYS_AND_FILE" // the console and output.log (the default)
	OutputFileOnly   = "FILE_ONLY"    // output.log only
	OutputDiscard    = "DISCARD"      // nowhere
	OutputDisabled   = "DISABLED"     // the console only: no output.log
)

// checkRunFlags refuses flags the run could not honour, when the plan is
// resolved rather than when the component starts: OUTPUT_REDIRECTION
// must name a mode, ENVIRON be a dict of names to strings or numbers,
// HEARTBEAT be a number of seconds > 0.
func checkRunFlags(name string, flags map[string]any) error {
	if v, ok := flags["OUTPUT_REDIRECTION"]; ok {
		switch v {
		case OutputSysAndFile, OutputFileOnly, OutputDiscard, OutputDisabled:
		default:
			return fmt.Errorf("component %q: flag OUTPUT_REDIRECTION %v: expected %s, %s, %s or %s",
				name, v, OutputSysAndFile, OutputFileOnly, OutputDiscard, OutputDisabled)
		}
	}
	if v, ok := flags["ENVIRON"]; ok {
		// 2.x hands it to os.environ.update: a mapping of names to values
		env, isMap := v.(map[string]any)
		if !isMap {
			return fmt.Errorf("component %q: flag ENVIRON %v: expected a dict of environment variables, e.g. {\"OMP_NUM_THREADS\": \"4\"}", name, v)
		}
		for k, e := range env {
			switch e.(type) {
			case map[string]any, []any, nil:
				return fmt.Errorf("component %q: flag ENVIRON: %s: expected a string or number, got %v", name, k, e)
			}
			if k == "" || strings.ContainsAny(k, "=\x00") {
				return fmt.Errorf("component %q: flag ENVIRON: %q is not a valid environment variable name", name, k)
			}
		}
	}
	if v, ok := flags["HEARTBEAT"]; ok {
		if s, ok := jsonvalue.Float(v); !ok || s <= 0 {
			return fmt.Errorf("component %q: flag HEARTBEAT %v: expected a number of seconds > 0", name, v)
		}
	}
	return nil
}

// flagHeartbeat is the HEARTBEAT flag as a duration, 0 when unset.
func flagHeartbeat(flags map[string]any) time.Duration {
	s, ok := jsonvalue.Float(flags["HEARTBEAT"])
	if !ok || s <= 0 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

// outputWriter is where print() goes under the flag OUTPUT_REDIRECTION:
// output.log (file) and the console (nil when there is none).
func outputWriter(mode any, file, console io.Writer) io.Writer {
	switch mode {
	case OutputFileOnly:
		return file
	case OutputDiscard:
		return io.Discard
	case OutputDisabled:
		if console == nil {
			return io.Discard
		}
		return console
	}
	if console == nil {
		return file
	}
	return io.MultiWriter(file, console)
}
