package cli

import (
	"io"
	"strings"

	"github.com/machinable-go/machinable/seeding"
	"github.com/machinable-go/machinable/storage"
)

// openExperiment finds an experiment from a command's argument: an ID
// looked up in --storage (default $MACHINABLE_STORAGE, else the project's
// results directory), or
// the experiment's URL/path as workers get it.
func openExperiment(arg, storageURL string, notes io.Writer) (*storage.Experiment, error) {
	if !strings.Contains(arg, "/") {
		if _, err := seeding.DecodeExperimentID(arg); err != nil {
			return nil, err
		}
		if storageURL == "" {
			u, err := defaultStorage(notes)
			if err != nil {
				return nil, err
			}
			storageURL = u
		}
		st, err := storage.Open(storageURL)
		if err != nil {
			return nil, err
		}
		return st.FindExperiment(arg)
	}
	return storage.OpenExperimentURL(arg)
}
