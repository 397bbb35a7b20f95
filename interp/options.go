package interp

import (
	"io"

	"github.com/machinable-go/machinable/settings"

	"go.starlark.net/starlark"
)

// config is what the Options of New set.
type config struct {
	project        string
	stdout         io.Writer // nil: quiet
	stderr         io.Writer // nil: quiet
	predeclared    starlark.StringDict
	defaultStorage string
	engine         any
	seed           any
	quiet          bool
	settings       *settings.Settings
}

// Option configures an Interpreter; pass options to New.
type Option func(*config)

// WithProject sets the project directory (the one holding machinable.yaml)
// for scripts and plans: Starlark components and load() paths are found
// there. Without it, a script's project is the nearest machinable.yaml at
// or above the script's directory, and a Go plan's the nearest at or above
// the working directory; no machinable.yaml at all is fine when only Go
// components are used. A script's execute(project=...) still wins.
func WithProject(dir string) Option {
	return func(c *config) { c.project = dir }
}

// WithStdout sets where the output of scripts and executions goes: the
// print() of scripts and components, component log lines, and the
// progress console (the experiment ID, one line per finished component,
// a summary). The default is os.Stdout; nil discards it.
func WithStdout(w io.Writer) Option {
	return func(c *config) { c.stdout = w }
}

// WithStderr sets where the full error of every failed component (with
// its Starlark backtrace) is written when an execution ends; the progress
// console on stdout shows only the first line of it. The default is
// os.Stderr; nil discards it.
func WithStderr(w io.Writer) Option {
	return func(c *config) { c.stderr = w }
}

// WithPredeclared adds names to every script (and the files it loads),
// e.g. the embedder's own builtins made with starlark.NewBuiltin or a
// starlarkstruct module. They are added to machinable's builtins
// (Experiment, execute, Storage, random, json, math, time, struct, module)
// and replace those of the same name. Several calls accumulate.
func WithPredeclared(d starlark.StringDict) Option {
	return func(c *config) {
		if c.predeclared == nil {
			c.predeclared = starlark.StringDict{}
		}
		for k, v := range d {
			c.predeclared[k] = v
		}
	}
}

// WithDefaultStorage sets the storage URL used when a script's execute()
// or a Go plan names none; the default is mem://, an in-memory storage
// shared within the process. Local paths, file://, and s3:// URLs are
// accepted (see the storage package).
func WithDefaultStorage(url string) Option {
	return func(c *config) { c.defaultStorage = url }
}

// WithEngine sets the engine used when a script's execute() or a Go plan
// names none: a string such as "native", "native:4", "process:2" or the
// name given to RegisterEngine, or a map[string]any with a "type" key and
// the engine's options. The default is "native" (sequential, in this
// process).
func WithEngine(engine any) Option {
	return func(c *config) { c.engine = engine }
}

// WithSeed sets the seed used when a script's execute() or a Go plan names
// none: an int or int64 (the same seed gives the same experiment ID,
// component IDs and seeds as machinable 2.x) or a 6-character experiment
// ID such as "8gWVkz". The default draws a fresh seed for every execution.
func WithSeed(seed any) Option {
	return func(c *config) { c.seed = seed }
}

// WithQuiet discards all console output: script print(), progress and
// failure reports. Results still go to the storage and into the returned
// Report or Result.
func WithQuiet() Option {
	return func(c *config) { c.quiet = true }
}

// ExecuteOption configures one Interpreter.Execute call; the options of
// New fill in what is not given.
type ExecuteOption func(*executeConfig)

type executeConfig struct {
	storage  string
	engine   any
	seed     any
	failFast bool
}

// Storage sets the storage URL of one execution (see WithDefaultStorage).
func Storage(url string) ExecuteOption {
	return func(c *executeConfig) { c.storage = url }
}

// Engine sets the engine of one execution (see WithEngine).
func Engine(engine any) ExecuteOption {
	return func(c *executeConfig) { c.engine = engine }
}

// Seed sets the seed of one execution (see WithSeed).
func Seed(seed any) ExecuteOption {
	return func(c *executeConfig) { c.seed = seed }
}

// FailFast stops starting components after the first one failed; those
// not started are reported as not run and run on Resume.
func FailFast() ExecuteOption {
	return func(c *executeConfig) { c.failFast = true }
}
