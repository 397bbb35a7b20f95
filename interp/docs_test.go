package interp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmbeddingDocSnippets keeps docs/embedding.md true: the code it shows
// is copied from examples/embed and from the godoc examples of this
// package, which are compiled and run, so a change there must be copied.
func TestEmbeddingDocSnippets(t *testing.T) {
	doc := read(t, "../docs/embedding.md")
	main := read(t, "../examples/embed/main.go")
	examples := read(t, "example_test.go")
	snippets := []struct{ file, src, start string }{
		{"examples/embed/main.go", main, "// goCounter is"},
		{"examples/embed/main.go", main, "// run executes"},
		{"interp/example_test.go", examples, "// reverse is a tiny engine"},
		{"interp/example_test.go", examples, "func (reverse) Run"},
		{"interp/example_test.go", examples, "func ExampleInterpreter_Execute()"},
		{"interp/example_test.go", examples, "func ExampleOpenStorage()"},
		{"interp/example_test.go", examples, "func ExampleWithPredeclared()"},
		{"interp/example_test.go", examples, "func Example_mixins()"},
	}
	for _, s := range snippets {
		i := strings.Index(s.src, s.start)
		if i < 0 {
			t.Errorf("%s no longer has %q", s.file, s.start)
			continue
		}
		end := strings.Index(s.src[i:], "\n}\n")
		block := s.src[i : i+end+2]
		if !strings.Contains(doc, block) {
			t.Errorf("docs/embedding.md does not include the block of %s starting %q verbatim", s.file, s.start)
		}
	}
	if i := strings.Index(examples, "func ExampleOpenStorage()"); i >= 0 {
		block := examples[i : i+strings.Index(examples[i:], "\n}\n")+2]
		if !strings.Contains(read(t, "../docs/reading-results.md"), block) {
			t.Error("docs/reading-results.md does not include ExampleOpenStorage verbatim")
		}
	}
	for _, f := range []string{"plan.star", "starlark_worker.star", "machinable.yaml"} {
		if !strings.Contains(doc, strings.TrimRight(read(t, filepath.Join("../examples/embed", f)), "\n")) {
			t.Errorf("docs/embedding.md does not include examples/embed/%s verbatim", f)
		}
	}
}

func read(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
