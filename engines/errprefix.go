package engines

import (
	"fmt"
	"strings"
)

// RunError is the error of an engine's Run as the executor reports it,
// naming the engine once: most engines' errors start with "engine NAME: "
// already ("engine slurm: engine slurm: sbatch ..." otherwise).
func RunError(engine string, err error) error {
	if strings.HasPrefix(err.Error(), "engine "+engine+": ") {
		return err
	}
	return fmt.Errorf("engine %s: %w", engine, err)
}
