package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCLIDocs runs the console samples of docs/cli.md in order, in a
// fresh directory, and compares what each `$ machinable ...` prints with
// the lines the page shows under it. `$ cd DIR && ...` changes directory
// (the run after it is tested elsewhere); samples whose output is
// abbreviated (...) or varies (--version) are checked for their shape.
func TestCLIDocs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ran := 0
	for _, block := range regexp.MustCompile("(?s)```console\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		samples := strings.Split("\n"+block[1], "\n$ ")[1:]
		for _, sample := range samples {
			command, want, _ := strings.Cut(sample, "\n")
			args := strings.Fields(command)
			if args[0] == "cd" {
				dir = filepath.Join(dir, args[1])
				continue
			}
			if args[0] != "machinable" {
				t.Fatalf("docs/cli.md: sample %q is not a machinable command", command)
			}
			stdout, stderr, _ := runMain(t, dir, args[1:]...)
			got := strings.TrimSuffix(stdout+stderr, "\n")
			want = strings.TrimSuffix(want, "\n")
			switch {
			case command == "machinable --version":
				re := regexp.MustCompile(`^machinable \S+ \(commit [0-9a-f]{12}(\+dirty)?, \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, go\S+ \S+/\S+\)\n$`)
				if !re.MatchString(want + "\n") {
					t.Errorf("docs/cli.md: the version sample %q has not the shape of a git build", want)
				}
			case strings.Contains(want, "..."):
				t.Fatalf("docs/cli.md: abbreviated output of %q is not checked", command)
			case got != want:
				t.Errorf("docs/cli.md: $ %s\nprints\n%s\nthe page shows\n%s", command, got, want)
			}
			ran++
		}
	}
	if ran < 6 {
		t.Errorf("only %d samples found in docs/cli.md", ran)
	}
}
