package storage

import (
	"path/filepath"
	"strconv"

	"github.com/spf13/afero"
)

// CarryCheckpoint copies the newest checkpoint the component's last
// archived attempt saved (attempts/<n>/store/checkpoints/<t>, the newest
// by modification time, then by timestep) to the same place in its
// store, and returns the checkpoint's path as save_checkpoint gave it
// ("checkpoints/<t>"); "" when that attempt saved none. A resumed tuning
// trial continues from it. The archive is only read: it stays as it was.
func (c *Component) CarryCheckpoint() (string, error) {
	attempts, err := afero.ReadDir(c.fs, filepath.Join(c.Path, "attempts"))
	if err != nil {
		return "", nil // nothing archived
	}
	last := 0
	for _, a := range attempts {
		if n, err := strconv.Atoi(a.Name()); err == nil && a.IsDir() && n > last {
			last = n
		}
	}
	if last == 0 {
		return "", nil
	}
	dir := filepath.Join(c.Path, "attempts", strconv.Itoa(last), "store", "checkpoints")
	entries, err := afero.ReadDir(c.fs, dir)
	if err != nil || len(entries) == 0 {
		return "", nil
	}
	best := entries[0]
	for _, e := range entries[1:] {
		bt, et := best.ModTime(), e.ModTime()
		if et.After(bt) || (et.Equal(bt) && newerStep(e.Name(), best.Name())) {
			best = e
		}
	}
	to := filepath.Join(c.Path, "store", "checkpoints", best.Name())
	if err := copyTree(c.fs, filepath.Join(dir, best.Name()), to); err != nil {
		return "", err
	}
	return "checkpoints/" + best.Name(), nil
}

// newerStep orders timesteps: numbers by value, before any name.
func newerStep(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	switch {
	case errA == nil && errB == nil:
		return x > y
	case errA != nil && errB != nil:
		return a > b
	}
	return errA != nil // "latest" after numbers
}

// copyTree copies a file or directory, each file written atomically.
func copyTree(fs afero.Fs, from, to string) error {
	fi, err := fs.Stat(from)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		data, err := afero.ReadFile(fs, from)
		if err != nil {
			return err
		}
		if err := mkdirAll(fs, filepath.Dir(to)); err != nil {
			return err
		}
		return writeAtomic(fs, to, data, false)
	}
	entries, err := afero.ReadDir(fs, from)
	if err != nil {
		return err
	}
	if err := mkdirAll(fs, to); err != nil {
		return err
	}
	for _, e := range entries {
		if err := copyTree(fs, filepath.Join(from, e.Name()), filepath.Join(to, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
