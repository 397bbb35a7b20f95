package dsl

import (
	"sync"
	"sync/atomic"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// A call that is a statement of its own (`self.record.save()`) throws its
// result away, and no one can ever see it. A built-in whose result costs
// more than its work (save() returns the row as a dict, 2.x's contract,
// and a loop saves a million rows) asks resultDiscarded and skips making
// it. The compiler gives a call's instruction the position of its "(",
// so the files a component's code comes from note the "(" of each such
// call when they are compiled.

// discardedCalls maps a file name to the *callSites of its discarded
// calls. A file compiled again under the same name (changed on disk, say)
// keeps only the sites discarded in every version: a site in the set is
// then a discarded call whichever version's code runs.
var (
	discardedCalls sync.Map // string -> *callSites
	discardedMu    sync.Mutex
	discardedGen   atomic.Int64 // counts files compiled again
)

// callSites are line and column of the "(" of discarded calls.
type callSites map[[2]int32]struct{}

// noteDiscardedCalls records the discarded calls of a compiled file.
func noteDiscardedCalls(f *syntax.File) {
	sites := callSites{}
	syntax.Walk(f, func(n syntax.Node) bool {
		if s, ok := n.(*syntax.ExprStmt); ok {
			if call, ok := s.X.(*syntax.CallExpr); ok {
				sites[[2]int32{call.Lparen.Line, call.Lparen.Col}] = struct{}{}
			}
		}
		return true
	})
	discardedMu.Lock()
	defer discardedMu.Unlock()
	if old, ok := discardedCalls.Load(f.Path); ok {
		discardedGen.Add(1) // answers kept for the old set may be wrong now
		for site := range sites {
			if _, ok := (*old.(*callSites))[site]; !ok {
				delete(sites, site)
			}
		}
	}
	discardedCalls.Store(f.Path, &sites)
}

// resultDiscarded reports whether the built-in running on thread was
// called by Starlark code as a statement of its own, so that its result
// is dropped unseen. False whenever that is not certain: called from Go,
// or from a file not compiled by this package (the REPL's input).
// last, if not nil, keeps the answer for the caller's previous call
// site: a loop asks about the same one again and again.
func resultDiscarded(thread *starlark.Thread, last *atomic.Pointer[callSite]) bool {
	if thread == nil || thread.CallStackDepth() < 2 {
		return false
	}
	caller := thread.DebugFrame(1)
	if _, ok := caller.Callable().(*starlark.Function); !ok {
		return false
	}
	pos := caller.Position()
	file, gen := pos.Filename(), discardedGen.Load()
	if last != nil {
		if l := last.Load(); l != nil && l.file == file && l.line == pos.Line && l.col == pos.Col && l.gen == gen {
			return l.discarded
		}
	}
	site := &callSite{file: file, line: pos.Line, col: pos.Col, gen: gen}
	if sites, ok := discardedCalls.Load(site.file); ok {
		_, site.discarded = (*sites.(*callSites))[[2]int32{pos.Line, pos.Col}]
	}
	if last != nil {
		last.Store(site)
	}
	return site.discarded
}

// callSite is a call's position and whether its result is discarded,
// as known while discardedGen was gen: a file compiled again may take
// the site out of its set.
type callSite struct {
	file      string
	line, col int32
	gen       int64
	discarded bool
}

// compileFile parses and compiles a file of the dialect, noting its
// discarded calls.
func compileFile(file string, src []byte, isPredeclared func(string) bool) (*syntax.File, *starlark.Program, error) {
	f, prog, err := starlark.SourceProgramOptions(fileOptions, file, src, isPredeclared)
	if err == nil {
		noteDiscardedCalls(f)
	}
	return f, prog, err
}

// execFile is starlark.ExecFileOptions in the dialect, noting the file's
// discarded calls.
func execFile(thread *starlark.Thread, file string, src []byte, predeclared starlark.StringDict) (starlark.StringDict, error) {
	_, prog, err := compileFile(file, src, predeclared.Has)
	if err != nil {
		return nil, err
	}
	g, err := prog.Init(thread, predeclared)
	g.Freeze()
	return g, err
}
