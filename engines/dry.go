package engines

import (
	"context"

	"github.com/machinable-go/machinable/runtime"
)

// dry resolves and shows the schedule; it runs and writes nothing.
type dry struct{}

func newDry(spec Spec) (Engine, error) {
	if err := checkOptions(spec); err != nil {
		return nil, err
	}
	return dry{}, nil
}

func (dry) Name() string  { return "dry" }
func (dry) Dry() bool     { return true }
func (dry) Streams() bool { return true }

func (dry) Run(ctx context.Context, job *Job) ([]runtime.Outcome, error) { return nil, nil }
