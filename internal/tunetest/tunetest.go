// Package tunetest ends components as a tuning trial scheduler does, for
// the tests of what reads them (counts, listings, best()).
package tunetest

import "github.com/machinable-go/machinable/storage"

// MarkStopped rewrites the status of component id of experiment expID
// (stored at the root of the storage at url) to "stopped", keeping its
// times and records, through WriteStatus: journaled as a run writes it.
func MarkStopped(url, expID, id string) error {
	s, err := storage.Open(url)
	if err != nil {
		return err
	}
	exp, err := s.OpenExperiment("", expID)
	if err != nil {
		return err
	}
	c, err := exp.OpenComponent(id)
	if err != nil {
		return err
	}
	st, err := c.ReadStatus()
	if err != nil {
		return err
	}
	st.Status = storage.StatusStopped
	return c.WriteStatus(st)
}
