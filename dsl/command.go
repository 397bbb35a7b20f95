package dsl

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/machinable-go/machinable/runtime"
	"go.starlark.net/starlark"
)

// commandValue is command(args, config=None, name=None): an external
// program as a component, for Experiment().component(command(...)) or
// execute(command(...)).
type commandValue struct {
	spec runtime.ComponentSpec
}

func (c *commandValue) String() string        { return fmt.Sprintf("command(%v)", c.spec.Command) }
func (c *commandValue) Type() string          { return "command" }
func (c *commandValue) Freeze()               {}
func (c *commandValue) Truth() starlark.Bool  { return true }
func (c *commandValue) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: command") }

func builtinCommand(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var argv, config starlark.Value
	var name string
	if err := unpackArgs(b.Name(), args, kwargs, "args", &argv, "config?", &config, "name?", &name); err != nil {
		return nil, err
	}
	var cmd any
	switch a := argv.(type) {
	case starlark.String:
		cmd = string(a)
		if name == "" {
			name = shellCommandName(string(a))
		}
	case *starlark.List, starlark.Tuple:
		list, err := fromStarlark(a)
		if err != nil {
			return nil, fmt.Errorf("%s: args: %w", b.Name(), err)
		}
		items := list.([]any)
		if len(items) == 0 {
			return nil, fmt.Errorf("%s: args: expected at least the program", b.Name())
		}
		for i, it := range items {
			if _, ok := it.(string); !ok {
				items[i] = fmt.Sprint(it)
			}
		}
		cmd = items
		if name == "" {
			argv := make([]string, len(items))
			for i, it := range items {
				argv[i] = it.(string)
			}
			name = commandName(argv)
		}
	default:
		return nil, fmt.Errorf("%s: args: expected a list of arguments or a shell command string, got %s", b.Name(), argv.Type())
	}
	spec := runtime.ComponentSpec{Name: name, Command: cmd}
	if config != nil && config != starlark.None {
		m, err := fromStarlarkMap("config", config)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		spec.Version = runtime.Patch(m)
	}
	return &commandValue{spec: spec}, nil
}

// The default name of a command: the script an interpreter runs, else the
// program itself.
//
//	["python3", "train.py", "--lr={lr}"]      train.py
//	["python3", "-u", "src/train.py"]         train.py
//	["./bench", "--out", "results.json"]      bench
//	["sh", "-c", "python3 train.py"]          train.py
//	["python3", "-c", "print(1)"]             python3
//	"python3 train.py --lr {lr}"              train.py
//	"cd src && OMP_NUM_THREADS=1 make bench"  make
//
// An interpreter is python, python3, python3.12, pypy3, sh, bash, zsh,
// node, ruby, perl, Rscript, julia, ... or a program given as a template
// or variable ({python}, $PYTHON); env is skipped with its options and
// VAR=value assignments. After an interpreter the name is the base name
// of the first argument that is not an option (-u) and holds no template
// ({lr}), '$', '=' or newline. Inline code names a shell by its script
// (-c, -ec, ...) and other interpreters by themselves (-c, -e), as does an
// interpreter with no such argument ("command" for {python}). A shell
// string is named by its first command, skipping cd and VAR=value
// assignments and dropping redirections; "command" if nothing is left.
var (
	interpreterName = regexp.MustCompile(`^(python|pypy|node|nodejs|deno|bun|ruby|perl|php|lua|luajit|julia|Rscript|sh|bash|dash|zsh|ksh|tclsh)[0-9.]*$`)
	shellName       = regexp.MustCompile(`^(sh|bash|dash|zsh|ksh)$`)
)

func commandName(argv []string) string {
	for len(argv) > 0 && filepath.Base(argv[0]) == "env" { // env [-i] [VAR=value]... program
		argv = argv[1:]
		for len(argv) > 0 && (strings.HasPrefix(argv[0], "-") || isAssignment(argv[0])) {
			argv = argv[1:]
		}
	}
	if len(argv) == 0 || argv[0] == "" {
		return "command"
	}
	prog := filepath.Base(argv[0])
	if strings.ContainsAny(argv[0], "{$") {
		prog = "command"
	} else if !interpreterName.MatchString(prog) {
		return prog
	}
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		if shellName.MatchString(prog) { // sh -c script, sh -ec script
			if len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.ContainsRune(a, 'c') {
				if i+1 < len(argv) {
					return shellCommandName(argv[i+1])
				}
				return prog
			}
		} else if a == "-c" || a == "-e" { // inline code, no file
			return prog
		}
		if (a == "-W" || a == "-X") && strings.HasPrefix(prog, "py") {
			i++ // python's options with a value
			continue
		}
		if a == "" || strings.HasPrefix(a, "-") || strings.ContainsAny(a, "{$=\n") {
			continue
		}
		return filepath.Base(a)
	}
	return prog
}

// shellCommandName names a shell string by its first command.
func shellCommandName(script string) string {
	for _, cmd := range shellCommands(script) {
		for len(cmd) > 0 && isAssignment(cmd[0]) {
			cmd = cmd[1:]
		}
		if len(cmd) == 0 || cmd[0] == "cd" {
			continue
		}
		return commandName(cmd)
	}
	return "command"
}

// shellCommands splits a shell string into simple commands at ; & | and
// newlines, and each into words; quotes group, backslashes escape,
// redirections (> out, 2>&1) are dropped. Enough for naming, not a shell
// parser.
func shellCommands(s string) [][]string {
	var cmds [][]string
	var words []string
	var word strings.Builder
	inWord, redirect := false, false
	endWord := func() {
		if inWord && !redirect {
			words = append(words, word.String())
		}
		if inWord {
			redirect = false // the redirection's target is dropped
		}
		word.Reset()
		inWord = false
	}
	endCmd := func() {
		endWord()
		redirect = false
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words = nil
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			word.WriteByte(s[i])
			inWord = true
		case c == '\'' || c == '"':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				end = len(s) - i - 1
			}
			word.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '<' || c == '>':
			if w := word.String(); inWord && strings.Trim(w, "0123456789") == "" {
				word.Reset() // the 2 of 2>
				inWord = false
			}
			endWord()
			for i+1 < len(s) && (s[i+1] == '>' || s[i+1] == '&') {
				i++
			}
			redirect = true
		case c == ';' || c == '&' || c == '|' || c == '\n' || c == '(' || c == ')':
			endCmd()
		case c == ' ' || c == '\t':
			endWord()
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	endCmd()
	return cmds
}

// isAssignment reports whether a word is a shell VAR=value assignment.
func isAssignment(w string) bool {
	i := strings.IndexByte(w, '=')
	if i <= 0 {
		return false
	}
	for j, r := range w[:i] {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || j > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
