package dsl

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"github.com/machinable-go/machinable/runtime"
	"github.com/machinable-go/machinable/storage"
	"go.starlark.net/starlark"
)

type role int

const (
	roleScript    role = iota // an experiment script: may call execute()
	roleComponent             // a component module: no execute()
	roleLoaded                // a file loaded with load(): no side effects
)

// Options configure how scripts run.
type Options struct {
	// Executor runs what execute() is given. Required for scripts that
	// execute.
	Executor runtime.Executor
	// Stdout receives the script's print(); nil is discarded.
	Stdout io.Writer
	// Storage, Engine, Seed and Project override what the script passes
	// to execute() (the CLI's --storage, --engine, --seed, --project).
	Storage string
	Engine  any
	Seed    any
	Project string
	// FailFast makes every execute() stop after its first failure.
	FailFast bool
	// DefaultStorage is used when neither Storage nor the script names a
	// storage; "" means mem://.
	DefaultStorage string
	// Predeclared adds names to scripts (and files they load), e.g. an
	// embedder's own builtins or starlarktest's assert module.
	Predeclared starlark.StringDict
	// ThreadHook is called on every thread that runs script code (the
	// script's and those of files it loads) before it starts, e.g. to
	// install starlarktest's reporter.
	ThreadHook func(*starlark.Thread)
}

// state is the per-run context kept on a thread (never in package
// variables): who is running, where, and what execute() produced.
type state struct {
	ctx     context.Context
	role    role
	dir     string // directory of the running file
	root    string // project root for load()
	opts    Options
	results []*runtime.Result
	loader  *moduleLoader
}

const stateKey = "machinable.state"

func setState(thread *starlark.Thread, st *state) { thread.SetLocal(stateKey, st) }

func stateOf(thread *starlark.Thread) *state {
	st, _ := thread.Local(stateKey).(*state)
	return st
}

// watchContext cancels the thread when ctx ends; call the returned func
// when the thread is done. context.AfterFunc costs no goroutine until the
// context actually ends, which matters at one call per event.
func watchContext(ctx context.Context, thread *starlark.Thread) func() {
	if ctx == nil || ctx.Done() == nil {
		return func() {}
	}
	stop := context.AfterFunc(ctx, func() { thread.Cancel(context.Cause(ctx).Error()) })
	return func() { stop() }
}

// storageURL resolves a storage URL written in a file: a relative local
// path is relative to the file's directory (as in Bazel or Tilt), not to
// wherever machinable was started. The REPL and sources without a file
// run in the working directory, so nothing changes for them. A path that
// already means the same from the working directory is kept as written,
// so messages show what the script says.
func (st *state) storageURL(url string) string {
	if st == nil || st.dir == "" {
		return url
	}
	if cwd, err := os.Getwd(); err == nil && filepath.Clean(cwd) == filepath.Clean(st.dir) {
		return url
	}
	return storage.AbsURL(url, st.dir)
}
