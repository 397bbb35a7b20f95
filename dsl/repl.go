package dsl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"

	"github.com/chzyer/readline"
	"github.com/machinable-go/machinable/runtime/project"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// REPLOptions configure an interactive session: the script options plus
// where it reads and writes.
type REPLOptions struct {
	// Options are those of scripts: executor, storage, engine, seed, ...
	Options
	In          io.Reader // statements, a line at a time
	Out, Err    io.Writer // results and output; errors with their backtrace
	Interactive bool      // a terminal: prompts, line editing, history, completion
	HistoryFile string    // interactive history ("" keeps none)
	Dir         string    // directory of the session (project lookup, load()); "" is the working directory
}

// REPL runs a read-eval-print loop with the builtins of scripts. Each
// statement runs on a fresh thread whose context Ctrl-C cancels, so an
// interrupted statement leaves the session usable; globals persist.
// Expression results are printed; errors are shown with their backtrace
// and the session goes on. It returns when input ends (Ctrl-D), with the
// number of statements that failed.
func REPL(ctx context.Context, opts REPLOptions) (failed int, err error) {
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Err == nil {
		opts.Err = opts.Out
	}
	dir := opts.Dir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	root := dir
	if opts.Project != "" {
		root = opts.Project
	} else if found, err := project.Find(dir); err == nil {
		root = found
	}
	if opts.Stdout == nil {
		opts.Stdout = opts.Out
	}
	predeclared := ScriptPredeclared()
	for k, v := range opts.Predeclared {
		predeclared[k] = v
	}
	print := func(_ *starlark.Thread, msg string) { fmt.Fprintln(opts.Stdout, msg) }
	session := &state{role: roleScript, dir: dir, root: root, opts: opts.Options}
	session.loader = newModuleLoader(root, predeclared, print, session)
	globals := starlark.StringDict{}
	for k, v := range predeclared {
		globals[k] = v
	}
	r := &repl{opts: opts, session: session, globals: globals, print: print}

	var read func(prompt string) (string, error)
	if opts.Interactive {
		rl, err := readline.NewEx(&readline.Config{
			Prompt:          ">>> ",
			HistoryFile:     opts.HistoryFile,
			AutoComplete:    completer{globals: globals},
			InterruptPrompt: "^C",
			EOFPrompt:       "",
			Stdin:           io.NopCloser(opts.In),
			Stdout:          opts.Out,
			Stderr:          opts.Err,
		})
		if err != nil {
			return 0, err
		}
		defer rl.Close()
		read = func(prompt string) (string, error) {
			rl.SetPrompt(prompt)
			return rl.Readline()
		}
	} else {
		in := bufio.NewReader(opts.In)
		read = func(string) (string, error) {
			line, err := in.ReadString('\n')
			if err == io.EOF && line != "" {
				return line, nil
			}
			return strings.TrimSuffix(line, "\n"), err
		}
	}
	for {
		if ctx.Err() != nil {
			return r.failed, ctx.Err()
		}
		done, err := r.step(ctx, read)
		if err != nil {
			return r.failed, err
		}
		if done {
			return r.failed, nil
		}
	}
}

type repl struct {
	opts    REPLOptions
	session *state
	globals starlark.StringDict
	print   func(*starlark.Thread, string)
	failed  int
}

// step reads, evaluates and prints one statement; done at end of input.
func (r *repl) step(ctx context.Context, read func(string) (string, error)) (done bool, err error) {
	prompt, eof, interrupted := ">>> ", false, false
	var src []byte // the statement's text, for the hints of syntax errors
	lines := func() ([]byte, error) {
		line, err := read(prompt)
		prompt = "... "
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			interrupted = true
			return nil, err
		case err == io.EOF:
			eof = true
			return nil, err
		case err != nil:
			return nil, err
		}
		src = append(src, line+"\n"...)
		return []byte(line + "\n"), nil
	}
	opts := *fileOptions
	opts.LoadBindsGlobally = true // load() in a REPL binds for the session
	f, perr := opts.ParseCompoundStmt("<stdin>", lines)
	switch {
	case interrupted:
		return false, nil // Ctrl-C at the prompt drops the input
	case eof && (perr == nil || f == nil):
		return true, nil
	case perr != nil:
		r.failed++
		fmt.Fprintln(r.opts.Err, withSourceHint(perr, src))
		return eof, nil
	}

	// A fresh thread per statement: a cancelled thread cannot run again.
	stmtCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if r.opts.Interactive {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
		defer signal.Stop(sig)
		go func() {
			select {
			case <-sig:
				cancel(errors.New("interrupted (Ctrl-C)"))
			case <-stmtCtx.Done():
			}
		}()
	}
	thread := &starlark.Thread{Name: "repl", Print: r.print, Load: r.session.loader.load}
	st := *r.session
	st.ctx = stmtCtx
	setState(thread, &st)
	if r.opts.ThreadHook != nil {
		r.opts.ThreadHook(thread)
	}
	stop := watchContext(stmtCtx, thread)
	defer stop()

	if expr := soleExpr(f); expr != nil {
		v, err := starlark.EvalExprOptions(f.Options, thread, expr, r.globals)
		if err != nil {
			r.report(err)
			return false, nil
		}
		r.globals["_"] = v
		if v != starlark.None {
			fmt.Fprintln(r.opts.Out, v)
		}
	} else if err := starlark.ExecREPLChunk(f, thread, r.globals); err != nil {
		r.report(err)
	}
	r.session.results = append(r.session.results, st.results...)
	return false, nil
}

func (r *repl) report(err error) {
	r.failed++
	fmt.Fprintln(r.opts.Err, ErrorText(err))
}

// soleExpr returns the expression of a chunk that is just one expression.
func soleExpr(f *syntax.File) syntax.Expr {
	if len(f.Stmts) == 1 {
		if stmt, ok := f.Stmts[0].(*syntax.ExprStmt); ok {
			return stmt.X
		}
	}
	return nil
}

// completer completes global names, and attributes after a dot
// (experiment.com<TAB> → experiment.component, .components).
type completer struct{ globals starlark.StringDict }

func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	start := pos
	for start > 0 && isIdentRune(line[start-1]) {
		start--
	}
	word := string(line[start:pos])
	var names []string
	prefix := word
	if i := strings.LastIndex(word, "."); i >= 0 {
		prefix = word[i+1:]
		v, ok := c.resolve(word[:i])
		if !ok {
			return nil, 0
		}
		if ha, ok := v.(starlark.HasAttrs); ok {
			names = ha.AttrNames()
		}
	} else {
		for k := range c.globals {
			names = append(names, k)
		}
		for k := range starlark.Universe {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var out [][]rune
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && !strings.HasPrefix(n, "\x00") {
			out = append(out, []rune(n[len(prefix):]))
		}
	}
	return out, len(prefix)
}

// resolve follows a dotted chain of names through globals and attributes
// without calling anything.
func (c completer) resolve(chain string) (starlark.Value, bool) {
	parts := strings.Split(chain, ".")
	v, ok := c.globals[parts[0]]
	if !ok {
		return nil, false
	}
	for _, p := range parts[1:] {
		ha, ok := v.(starlark.HasAttrs)
		if !ok {
			return nil, false
		}
		next, err := ha.Attr(p)
		if err != nil || next == nil {
			return nil, false
		}
		v = next
	}
	return v, true
}

func isIdentRune(r rune) bool {
	return r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// DefaultHistoryFile is where the interactive history is kept:
// $MACHINABLE_HISTORY, else ~/.machinable_history.
func DefaultHistoryFile() string {
	if f := os.Getenv("MACHINABLE_HISTORY"); f != "" {
		return f
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".machinable_history")
}
