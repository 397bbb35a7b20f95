package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadingResultsExample runs the example of docs/reading-results.md
// (examples/quickstart/analyze.star, included verbatim in the page) and
// checks what it prints.
func TestReadingResultsExample(t *testing.T) {
	src, err := os.ReadFile("../../examples/quickstart/analyze.star")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/reading-results.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), string(src)) {
		t.Error("docs/reading-results.md does not include examples/quickstart/analyze.star verbatim")
	}
	dir := quickstart(t)
	stdout, stderr, code := runMain(t, dir, "run", "analyze.star")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		`(?m)^id\s+config\.learning_rate\s+flags\.REPEAT_NUMBER\s+status$`,
		`(?m)^\w{12}\s+0\.5\s+2\s+finished$`,
		`(?m)^lr 0\.1 mean final loss 0\.\d{4} best \w{12}$`,
		`(?m)^lr 0\.5 mean final loss 0\.\d{4} best \w{12}$`,
		`(?m)^\w{12} saved 5 rows; lowest loss 0\.\d{4}$`,
	} {
		if !regexp.MustCompile(want).MatchString(stdout) {
			t.Errorf("output does not match %s:\n%s", want, stdout)
		}
	}
}

// TestReadingResultsScriptBlock runs the first script of
// docs/reading-results.md against the quickstart's results: every
// attribute it names exists.
func TestReadingResultsScriptBlock(t *testing.T) {
	doc, err := os.ReadFile("../../docs/reading-results.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## From a script: `Storage\\(url\\)`\n\n```python\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/reading-results.md: no script block under \"From a script\"")
	}
	dir := ranQuickstart(t)
	os.WriteFile(filepath.Join(dir, "doc_block.star"), append(m[1], []byte("print(exp.id, len(exp.components), exp.code_version != None)\n")...), 0o644)
	stdout, stderr, code := runMain(t, dir, "run", "doc_block.star")
	if code != 0 || stdout != "8gWVkz 3 True\n" {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
}
