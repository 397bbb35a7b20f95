package interp

import "github.com/machinable-go/machinable/settings"

// WithSettings applies machinable settings (see package settings) below
// the other options: default_storage, default_engine and default_project
// when neither those options nor execute() name one, default_code_backup,
// engines.native.processes and schema_validation. An Interpreter never
// reads the user's settings file by itself; pass settings.Load()'s result
// to use it.
func WithSettings(s *settings.Settings) Option {
	return func(c *config) { c.settings = s }
}
