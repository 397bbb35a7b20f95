package engines

import (
	"fmt"
	"os"
)

// workerBinary is the machinable binary that runs `machinable worker`:
// the engine's "binary" option, else $MACHINABLE_BINARY, else this
// executable (right for the CLI; embedders and tests name one).
func workerBinary(spec Spec) (string, error) {
	if v, ok := spec.Options["binary"]; ok {
		s, ok := v.(string)
		if !ok || s == "" {
			return "", fmt.Errorf("engine %s: option \"binary\": expected the path of the machinable binary", spec.Type)
		}
		return s, nil
	}
	if s := os.Getenv("MACHINABLE_BINARY"); s != "" {
		return s, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("engine %s: cannot find the machinable binary (set option \"binary\" or MACHINABLE_BINARY): %w", spec.Type, err)
	}
	return exe, nil
}
