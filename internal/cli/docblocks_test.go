package cli

// TestDocBlocks runs the code blocks of README.md and docs/*.md and compares
// what they print with what the page shows, so the docs cannot go stale.
//
// A block runs when an HTML comment (invisible on GitHub) sits on the line
// right before its opening fence:
//
//	<!-- run -->                   the block below runs
//	<!-- run: dir=examples/quickstart exit=1 file=sweep.star fresh -->
//	<!-- file: machinable.yaml -->  the block below is written to that file
//	<!-- from: interp/example_test.go -->  the block is a verbatim excerpt
//	                                        (but for a first line naming the file)
//
// What runs, by the fence's info string:
//   - sh: with "$ " lines it is a transcript: each "$ " line runs in sh and
//     the lines up to the next "$ " are its expected output. Otherwise the
//     whole block is one sh script. `machinable` is the binary built from
//     this checkout.
//   - python (Starlark, highlighted as Python): written to file= (default
//     doc_block.star) and run with `machinable run`.
//   - go: a whole `package main`, built inside the module and run.
//
// The expected output of a script or a .star or Go block is the fenced
// block (info string empty or text) right after it, with only blank lines
// between; without one, only the exit status is checked (0 unless exit=N).
// stdout and stderr are compared together, in the order they were written.
//
// Blocks run in a temporary directory: dir=PATH copies PATH of the
// repository (without results/), and without dir= the directory starts with
// the files of internal/cli/testdata/docs/PAGE/ (the project code a page
// does not show), if there are any; blocks of one page with the same dir
// share that copy in page order, as a reader following the page would, and fresh
// starts a new copy. In output, the copy shows as
// /home/you/machinable/PATH (/home/you/project without dir=), and $HOME as
// /home/you. Before comparing, times and durations are masked on both sides
// (the page keeps realistic values; record rows' _timestamp and
// _time_taken too), so are 7-character commit hashes;
// trailing blanks are dropped and gaps of two or more spaces (between table
// columns, whose width follows the masked values) compare equal. In
// expected output, a line "..." stands for any lines, and a line ending in
// " ..." for any line starting with the same text. The working copies are
// git repositories, as a checkout would be (a copy of dir= has its files
// committed); nogit starts a fresh directory outside any repository
// (without dir=), for what happens there. file: takes dir= and fresh too.
//
// MACHINABLE_UPDATE_DOCS=1 go test -run TestDocBlocks ./internal/cli
// rewrites the expected outputs that differ in place, except those with
// "..." lines, which are updated by hand.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// docPages are the pages whose marked blocks run; a page without marks is
// listed so that marking a block is all it takes.
var docPages = []string{
	"README.md",
	"docs/getting-started.md",
	"docs/experiments.md",
	"docs/components.md",
	"docs/configuration.md",
	"docs/storage.md",
	"docs/reading-results.md",
	"docs/engines.md",
	"docs/gpus.md",
	"docs/tuning.md",
	"docs/slurm.md",
	"docs/ray.md",
	"docs/external.md",
	"docs/repl.md",
	"docs/embedding.md",
	"docs/reproducibility.md",
	"docs/compatibility.md",
	"docs/cli.md",
	"docs/project.md",
}

const (
	docHome    = "/home/you"
	docProject = docHome + "/project"
	docRepo    = docHome + "/machinable"
)

// docBlock is one marked block of a page.
type docBlock struct {
	kind   string // "run", "file" or "from"
	arg    string // file: the path; from: the source file
	opts   map[string]string
	lang   string
	line   int    // line of the opening fence, 1-based
	body   string // the block's text, indentation removed
	indent string
	// bodyStart and bodyEnd are byte offsets of the block's lines in the page.
	bodyStart, bodyEnd int
	// the expected output block, if any
	outStart, outEnd   int
	hasOut             bool
	outLine            int
	outBody, outIndent string
}

var docMark = regexp.MustCompile(`^\s*<!--\s*(run|file|from)(?::\s*(.*?))?\s*-->\s*$`)

// parseDocBlocks finds the fenced blocks of a page and the marked ones among
// them.
func parseDocBlocks(t *testing.T, page string, src []byte) []*docBlock {
	type fence struct {
		info, indent      string
		line              int
		start, end        int // byte range of the body
		body              string
		prevLine, endLine int // line before the fence (1-based), closing fence line
	}
	var fences []fence
	lines := strings.SplitAfter(string(src), "\n")
	off := 0
	offsets := make([]int, len(lines)+1)
	for i, l := range lines {
		offsets[i] = off
		off += len(l)
	}
	offsets[len(lines)] = off
	open := regexp.MustCompile("^(\\s*)(```+)\\s*([^`\\s]*)")
	for i := 0; i < len(lines); i++ {
		m := open.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		indent, ticks := m[1], m[2]
		j := i + 1
		for ; j < len(lines); j++ {
			if strings.TrimSpace(lines[j]) == ticks {
				break
			}
		}
		if j == len(lines) {
			t.Fatalf("%s:%d: fence is never closed", page, i+1)
		}
		var body strings.Builder
		for _, l := range lines[i+1 : j] {
			body.WriteString(strings.TrimPrefix(l, indent))
		}
		fences = append(fences, fence{info: m[3], indent: indent, line: i + 1, start: offsets[i+1], end: offsets[j], body: body.String(), prevLine: i, endLine: j + 1})
		i = j
	}
	var blocks []*docBlock
	for k, f := range fences {
		if f.prevLine < 1 {
			continue
		}
		m := docMark.FindStringSubmatch(lines[f.prevLine-1])
		if m == nil {
			continue
		}
		b := &docBlock{kind: m[1], opts: map[string]string{}, lang: f.info, line: f.line, body: f.body, indent: f.indent, bodyStart: f.start, bodyEnd: f.end}
		fields := strings.Fields(m[2])
		if b.kind != "run" {
			if len(fields) == 0 {
				t.Fatalf("%s:%d: <!-- %s: PATH --> needs a path", page, f.prevLine, b.kind)
			}
			b.arg, fields = fields[0], fields[1:]
		}
		for _, o := range fields {
			k, v, _ := strings.Cut(o, "=")
			switch k {
			case "dir", "exit", "file", "fresh", "nogit":
			default:
				t.Fatalf("%s:%d: unknown option %q (known: dir=, exit=, file=, fresh, nogit)", page, f.prevLine, k)
			}
			b.opts[k] = v
		}
		// the expected output: the next fence, with only blank lines between
		if k+1 < len(fences) && b.kind == "run" {
			n := fences[k+1]
			blank := true
			for _, l := range lines[f.endLine : n.line-1] {
				blank = blank && strings.TrimSpace(l) == ""
			}
			if blank && (n.info == "" || n.info == "text") {
				b.hasOut, b.outStart, b.outEnd, b.outLine, b.outBody, b.outIndent = true, n.start, n.end, n.line, n.body, n.indent
			}
		}
		blocks = append(blocks, b)
	}
	return blocks
}

var (
	docMaskTime  = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?`)
	docMaskClock = regexp.MustCompile(`\b\d{2}:\d{2}:\d{2}\b`)
	docMaskDur   = regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+(\.\d+)?(ns|µs|us|ms|s|m|h)\b`)
	docTrailing  = regexp.MustCompile(`(?m)[ \t]+$`)
	// the gaps between table columns: their width follows the masked values
	docColumnGap = regexp.MustCompile(`(\S)  +`)
	// a short commit hash: the commit of a copy depends on its files
	docMaskCommit = regexp.MustCompile(`\b[0-9a-f]*[0-9][0-9a-f]*\b`)
	// record rows' _timestamp (Unix seconds, as CSV or a Starlark float)
	// and durations in words (_time_taken)
	docMaskStamp = regexp.MustCompile(`\b1\d{9}\.\d+\b|\b1\.\d+e\+09\b`)
	docMaskWords = regexp.MustCompile(`\b\d+(\.\d+)? (micro)?seconds?\b`)
)

// normalizeDocOutput masks what varies between runs, on both sides.
func normalizeDocOutput(s string) string {
	s = docMaskTime.ReplaceAllString(s, "<TIME>")
	s = docMaskClock.ReplaceAllString(s, "<TIME>")
	s = docMaskDur.ReplaceAllString(s, "<DUR>")
	s = docMaskStamp.ReplaceAllString(s, "<STAMP>")
	s = docMaskWords.ReplaceAllString(s, "<DUR>")
	s = docMaskCommit.ReplaceAllStringFunc(s, func(h string) string {
		if len(h) != 7 || !strings.ContainsAny(h, "abcdef") {
			return h
		}
		return "<COMMIT>"
	})
	s = docColumnGap.ReplaceAllString(s, "$1  ")
	s = docTrailing.ReplaceAllString(s, "")
	return strings.TrimRight(s, "\n") + "\n"
}

// docOutputMatches compares normalised output. In the page's output, a
// line "..." stands for any number of lines, and a line ending in " ..."
// for any line that starts with what precedes it.
func docOutputMatches(want, got string) bool {
	w := strings.Split(strings.TrimRight(normalizeDocOutput(want), "\n"), "\n")
	g := strings.Split(strings.TrimRight(normalizeDocOutput(got), "\n"), "\n")
	var match func(i, j int) bool
	match = func(i, j int) bool {
		for ; i < len(w); i, j = i+1, j+1 {
			switch {
			case strings.TrimSpace(w[i]) == "...":
				for k := j; k <= len(g); k++ {
					if match(i+1, k) {
						return true
					}
				}
				return false
			case j == len(g):
				return false
			case strings.HasSuffix(w[i], " ..."):
				if !strings.HasPrefix(g[j], strings.TrimSuffix(w[i], "...")) {
					return false
				}
			case w[i] != g[j]:
				return false
			}
		}
		return j == len(g)
	}
	return match(0, 0)
}

// hasEllipsis says whether an expected output leaves lines out; such a
// block is not rewritten by MACHINABLE_UPDATE_DOCS, which would put the
// lines back.
func hasEllipsis(out string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) == "..." || strings.HasSuffix(l, " ...") {
			return true
		}
	}
	return false
}

// docEnv is where the blocks of one page run.
type docEnv struct {
	t       *testing.T    // the block's subtest
	tempDir func() string // the page's: copies outlive a block
	page    string
	name    string // the page's name: README, getting-started, ...
	bin     string
	home    string
	dirs    map[string]string // dir option -> working copy
	replace []string          // actual path, shown path (strings.Replacer pairs)
}

func (e *docEnv) workdir(b *docBlock) string {
	d := b.opts["dir"]
	_, nogit := b.opts["nogit"]
	if w, ok := e.dirs[d]; ok && !nogit {
		if _, fresh := b.opts["fresh"]; !fresh {
			return w
		}
	}
	root := e.tempDir()
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	// a checkout or a project is usually a git repository; without one,
	// every run would warn that the code backup has no ignore rules
	var repo *git.Repository
	if !nogit {
		var err error
		if repo, err = git.PlainInit(root, false); err != nil {
			e.t.Fatal(err)
		}
	} else if d != "" {
		e.t.Fatalf("%s: nogit is for a new project, not a copy of dir=%s", e.name, d)
	}
	w := filepath.Join(root, "project")
	shown := docProject
	if d != "" {
		w = filepath.Join(root, "machinable", d)
		shown = docRepo + "/" + d
		copyDir(e.t, filepath.Join("../..", d), w)
		commitAll(e.t, repo) // a clone: the code version is a commit
	} else if fixture := filepath.Join("testdata", "docs", e.name); isDir(fixture) {
		copyTree(e.t, fixture, w)
	} else if err := os.MkdirAll(w, 0o755); err != nil {
		e.t.Fatal(err)
	}
	e.replace = append(e.replace, w, shown)
	e.dirs[d] = w
	return w
}

// shown replaces the temporary paths by those the page shows.
func (e *docEnv) shown(s string) string {
	pairs := append([]string{}, e.replace...)
	// longer paths first, so a copy inside the home directory shows right
	type pr struct{ from, to string }
	var ps []pr
	for i := 0; i < len(pairs); i += 2 {
		ps = append(ps, pr{pairs[i], pairs[i+1]})
	}
	ps = append(ps, pr{e.home, docHome})
	sort.Slice(ps, func(i, j int) bool { return len(ps[i].from) > len(ps[j].from) })
	for _, p := range ps {
		s = strings.ReplaceAll(s, p.from, p.to)
	}
	return s
}

// command runs a command line in sh in dir and returns its output (stdout
// and stderr interleaved) and exit status.
func (e *docEnv) command(dir string, name string, args ...string) (string, int) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	env := []string{"PATH=" + filepath.Dir(e.bin) + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + e.home, "LANG=C.UTF-8"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "PATH", k == "HOME", k == "LANG", k == "TERM", strings.HasPrefix(k, "MACHINABLE_"):
		default:
			env = append(env, kv)
		}
	}
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("%s: %v", name, err)
	}
	// trailing blanks (of table columns) are not compared, nor kept when
	// the page is rewritten
	return docTrailing.ReplaceAllString(e.shown(out.String()), ""), code
}

// docEdit replaces src[start:end] when updating the page.
type docEdit struct {
	start, end int
	text       string
}

func TestDocBlocks(t *testing.T) {
	update := os.Getenv("MACHINABLE_UPDATE_DOCS") != ""
	for _, page := range docPages {
		name := strings.TrimSuffix(filepath.Base(page), ".md")
		if page == "README.md" {
			name = "README"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("../..", page)
			src, err := os.ReadFile(path)
			if os.IsNotExist(err) {
				t.Skipf("%s does not exist", page)
			}
			if err != nil {
				t.Fatal(err)
			}
			blocks := parseDocBlocks(t, page, src)
			if len(blocks) == 0 {
				return
			}
			home := t.TempDir()
			if r, err := filepath.EvalSymlinks(home); err == nil {
				home = r
			}
			env := &docEnv{t: t, tempDir: t.TempDir, page: page, name: name, bin: binary(t), home: home, dirs: map[string]string{}}
			var edits []docEdit
			for _, b := range blocks {
				t.Run(fmt.Sprintf("line_%d", b.line), func(t *testing.T) {
					env.t = t
					where := fmt.Sprintf("%s:%d", page, b.line)
					if e, ok := env.runBlock(t, where, b); ok && update {
						edits = append(edits, e...)
					}
				})
			}
			if update && len(edits) > 0 {
				sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
				out := string(src)
				for _, e := range edits {
					out = out[:e.start] + e.text + out[e.end:]
				}
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("%s: rewrote %d block(s)", page, len(edits))
			}
		})
	}
}

// commitAll commits every file of the repository, as a fixed author at a
// fixed time.
func commitAll(t *testing.T, repo *git.Repository) {
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "you", Email: "you@example.com", When: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	if _, err := wt.Commit("the repository", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// indentLines puts indent before every non-empty line of s.
func indentLines(s, indent string) string {
	if indent == "" {
		return s
	}
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = indent + l
		}
	}
	return strings.Join(lines, "")
}

// runBlock runs one block and reports a difference; it returns the edits
// that make the page show what ran, and whether there are any.
func (e *docEnv) runBlock(t *testing.T, where string, b *docBlock) ([]docEdit, bool) {
	switch b.kind {
	case "file":
		p := filepath.Join(e.workdir(b), b.arg)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.body), 0o644); err != nil {
			t.Fatal(err)
		}
		return nil, false
	case "from":
		src, err := os.ReadFile(filepath.Join("../..", b.arg))
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		body := b.body
		// a first line naming the file ("# examples/x/machinable.yaml") is
		// the page's, not the file's
		if first, rest, ok := strings.Cut(body, "\n"); ok && strings.HasSuffix(first, " "+b.arg) {
			body = rest
		}
		if !strings.Contains(string(src), body) {
			t.Errorf("%s: the block is not a verbatim excerpt of %s any more; copy it again", where, b.arg)
		}
		return nil, false
	}
	wantExit := 0
	if s, ok := b.opts["exit"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%s: exit=%q: expected a number", where, s)
		}
		wantExit = n
	}
	dir := e.workdir(b)
	var got string
	var code int
	switch b.lang {
	case "sh", "console", "shell":
		if strings.HasPrefix(b.body, "$ ") {
			return e.transcript(t, where, dir, b)
		}
		got, code = e.command(dir, "sh", "-c", b.body)
	case "python", "star", "starlark":
		file := b.opts["file"]
		if file == "" {
			file = "doc_block.star"
		}
		if err := os.WriteFile(filepath.Join(dir, file), []byte(b.body), 0o644); err != nil {
			t.Fatal(err)
		}
		got, code = e.command(dir, e.bin, "run", file)
	case "go":
		got, code = e.goBlock(t, where, dir, b)
	default:
		t.Fatalf("%s: cannot run a %q block (sh, python or go)", where, b.lang)
	}
	if code != wantExit {
		t.Errorf("%s: exit status %d, want %d; output:\n%s", where, code, wantExit, got)
	}
	if !b.hasOut {
		return nil, false
	}
	if docOutputMatches(b.outBody, got) {
		return nil, false
	}
	if hasEllipsis(b.outBody) {
		t.Errorf("%s: the output differs from the block at line %d (it leaves lines out with \"...\": update it by hand):\n%s", where, b.outLine, lineDiff(normalizeDocOutput(b.outBody), normalizeDocOutput(got)))
		return nil, false
	}
	t.Errorf("%s: the output differs from the block at line %d (MACHINABLE_UPDATE_DOCS=1 rewrites it):\n%s", where, b.outLine, lineDiff(normalizeDocOutput(b.outBody), normalizeDocOutput(got)))
	return []docEdit{{b.outStart, b.outEnd, indentLines(strings.TrimRight(got, "\n")+"\n", b.outIndent)}}, true
}

// transcript runs the "$ " lines of a block one by one.
func (e *docEnv) transcript(t *testing.T, where, dir string, b *docBlock) ([]docEdit, bool) {
	type step struct{ cmd, out string }
	var steps []step
	for _, l := range strings.SplitAfter(b.body, "\n") {
		if c, ok := strings.CutPrefix(l, "$ "); ok {
			steps = append(steps, step{cmd: strings.TrimRight(c, "\n")})
		} else if l != "" {
			steps[len(steps)-1].out += l
		}
	}
	var rebuilt strings.Builder
	same, byHand := true, false
	for _, s := range steps {
		byHand = byHand || hasEllipsis(s.out)
		got, _ := e.command(dir, "sh", "-c", s.cmd)
		rebuilt.WriteString("$ " + s.cmd + "\n" + got)
		if got != "" && !strings.HasSuffix(got, "\n") {
			rebuilt.WriteString("\n")
		}
		if !docOutputMatches(s.out, got) {
			same = false
			t.Errorf("%s: the output of `%s` differs (MACHINABLE_UPDATE_DOCS=1 rewrites it):\n%s", where, s.cmd, lineDiff(normalizeDocOutput(s.out), normalizeDocOutput(got)))
		}
	}
	if same {
		return nil, false
	}
	if byHand {
		t.Errorf("%s: the block leaves lines out with \"...\": update it by hand", where)
		return nil, false
	}
	return []docEdit{{b.bodyStart, b.bodyEnd, indentLines(rebuilt.String(), b.indent)}}, true
}

// goBlock builds a `package main` block inside the module (so it imports
// this checkout's packages) and runs it in dir.
func (e *docEnv) goBlock(t *testing.T, where, dir string, b *docBlock) (string, int) {
	if !regexp.MustCompile(`(?m)^package main$`).MatchString(b.body) {
		t.Fatalf("%s: a Go block that runs is a whole `package main`", where)
	}
	src, err := os.MkdirTemp("../..", ".docblock-") // a dot: ./... leaves it out
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(src)
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(b.body), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(t.TempDir(), "docblock")
	if out, err := exec.Command("go", "build", "-C", src, "-o", exe, "main.go").CombinedOutput(); err != nil {
		t.Fatalf("%s: go build: %v\n%s", where, err, out)
	}
	return e.command(dir, exe)
}

// lineDiff shows want and got line by line: "-" only in the page, "+" only
// in what ran.
func lineDiff(want, got string) string {
	a := strings.Split(strings.TrimRight(want, "\n"), "\n")
	b := strings.Split(strings.TrimRight(got, "\n"), "\n")
	// longest common subsequence
	l := make([][]int, len(a)+1)
	for i := range l {
		l[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out.WriteString("  " + a[i] + "\n")
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || l[i][j+1] >= l[i+1][j]):
			out.WriteString("+ " + b[j] + "\n")
			j++
		default:
			out.WriteString("- " + a[i] + "\n")
			i++
		}
	}
	return out.String()
}

// TestDocBlocksHarness checks the parts of TestDocBlocks that decide what
// runs and what counts as the same output, so that a mistake there cannot
// make every page pass.
func TestDocBlocksHarness(t *testing.T) {
	page := "intro\n\n<!-- run: dir=examples/quickstart exit=1 -->\n```sh\nmachinable run x.star\n```\n\n```\nout\n```\n\n" +
		"<!-- file: a.star -->\n```python\nx = 1\n```\n\n```python\nnot marked\n```\n\n" +
		"- item\n\n  <!-- run -->\n  ```sh\n  $ echo hi\n  hi\n  ```\n\ntext\n\n```\nnot an output: text between\n```\n"
	blocks := parseDocBlocks(t, "page.md", []byte(page))
	if len(blocks) != 3 {
		t.Fatalf("%d marked blocks, want 3", len(blocks))
	}
	if b := blocks[0]; b.kind != "run" || b.opts["dir"] != "examples/quickstart" || b.opts["exit"] != "1" || b.lang != "sh" || b.line != 4 || !b.hasOut || b.outBody != "out\n" || page[b.outStart:b.outEnd] != "out\n" {
		t.Errorf("first block: %+v", b)
	}
	if b := blocks[1]; b.kind != "file" || b.arg != "a.star" || b.body != "x = 1\n" || b.hasOut {
		t.Errorf("file block: %+v", b)
	}
	if b := blocks[2]; b.indent != "  " || b.body != "$ echo hi\nhi\n" || b.hasOut {
		t.Errorf("indented transcript: %+v", b)
	}

	for _, c := range []struct {
		want, got string
		same      bool
	}{
		{"a\nb\n", "a\nb", true},
		{"a\nb\n", "a\nc\n", false},
		{"...\nb\n", "x\ny\nb\n", true},
		{"...\nb\n", "b\n", true},
		{"a\n...\n", "a\n", true},
		{"a\n...\nc\n", "a\nc\nx\n", false},
		{"[1] x ...\n", "[1] x config={}\n", true},
		{"[1] x ...\n", "[2] x config={}\n", false},
		{"done in 1.5ms at 2026-11-27 16:22:22\n", "done in 12s at 2027-01-01 00:00:00\n", true},
		{"e9DJBHuoiCvn  finished\n", "e9DJBHuoiCvn     finished   \n", true},
		{"e9DJBHuoiCvn finished\n", "e9DJBHuoiCvx finished\n", false},
		{"Code 3f1c2ab\n", "Code 0313cbe\n", true},
	} {
		if got := docOutputMatches(c.want, c.got); got != c.same {
			t.Errorf("docOutputMatches(%q, %q) = %v", c.want, c.got, got)
		}
	}
}
