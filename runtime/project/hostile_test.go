package project

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// laughs is a "billion laughs" YAML: each of levels anchors holds nine
// aliases to the one before, so the last expands to 9**levels values.
func laughs(levels int) string {
	var b strings.Builder
	b.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < levels; i++ {
		a := fmt.Sprintf("*l%d", i-1)
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.Repeat(a+", ", 8)+a)
	}
	return b.String()
}

// quick fails the test when f takes long: a refusal must come early.
func quick(t *testing.T, what string, f func() error) error {
	t.Helper()
	start := time.Now()
	err := f()
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("%s took %v", what, d)
	}
	return err
}

const expandsTooMuch = "expand to more than 20000 values"

// smallExpansionLimit lowers the limit for one test, so that the inputs
// that exceed it stay small (the race detector makes a million values
// take a minute).
func smallExpansionLimit(t *testing.T) {
	old := expansionLimit
	expansionLimit = 20000
	t.Cleanup(func() { expansionLimit = old })
}

// TestExpansionLimitDefault: the limit is a million values; a version
// string of 9**7 values is refused.
func TestExpansionLimitDefault(t *testing.T) {
	if raceEnabled {
		t.Skip("a million values take a minute under the race detector")
	}
	err := quick(t, "ParseYAMLPatch", func() error { _, err := ParseYAMLPatch(laughs(7)); return err })
	assertError(t, err, "version YAML, line ", "expand to more than 1000000 values")
}

// TestExpansionLimit: aliases, includes, references and inheritance that
// multiply a few lines into millions of values are refused, wherever they
// are (a version string, a section no component uses, an included file),
// naming the file and line; ordinary use of each still works.
func TestExpansionLimit(t *testing.T) {
	smallExpansionLimit(t)
	big := laughs(6) // 9**6 = 531,441 values
	t.Run("version string", func(t *testing.T) {
		err := quick(t, "ParseYAMLPatch", func() error { _, err := ParseYAMLPatch(big); return err })
		assertError(t, err, "version YAML, line ", expandsTooMuch)
	})
	t.Run("unused top-level key", func(t *testing.T) {
		dir := writeProject(t, map[string]string{FileName: big + "components:\n  - a:\n      x: 1\n"})
		err := quick(t, "Load", func() error { _, err := Load(dir); return err })
		assertError(t, err, filepath.Join(dir, FileName)+":", expandsTooMuch)
	})
	t.Run("include", func(t *testing.T) {
		files := map[string]string{FileName: "components:\n  - a:\n      x: $/f6.yaml\n", "f0.yaml": "[x, x, x, x, x, x, x, x, x, x]\n"}
		for i := 1; i <= 6; i++ {
			ref := fmt.Sprintf("$/f%d.yaml", i-1)
			files[fmt.Sprintf("f%d.yaml", i)] = "[" + strings.Repeat(ref+", ", 9) + ref + "]\n"
		}
		dir := writeProject(t, files)
		err := quick(t, "Load", func() error { _, err := Load(dir); return err })
		assertError(t, err, filepath.Join(dir, FileName)+":3: component \"a\": key \"x\": include \"$/f6.yaml\"", expandsTooMuch)
	})
	t.Run("json include", func(t *testing.T) {
		files := map[string]string{FileName: "components:\n  - a:\n      x: $/f6.json\n", "f0.json": `[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]`}
		for i := 1; i <= 6; i++ {
			ref := fmt.Sprintf(`"$/f%d.json"`, i-1)
			files[fmt.Sprintf("f%d.json", i)] = "[" + strings.Repeat(ref+", ", 9) + ref + "]\n"
		}
		dir := writeProject(t, files)
		err := quick(t, "Load", func() error { _, err := Load(dir); return err })
		assertError(t, err, expandsTooMuch)
	})
	t.Run("references", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("r0: [x, x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i <= 6; i++ {
			ref := fmt.Sprintf("$.r%d", i-1)
			fmt.Fprintf(&b, "r%d: [%s]\n", i, strings.Repeat(ref+", ", 9)+ref)
		}
		b.WriteString("components:\n  - c:\n      v: $.r6\n")
		dir := writeProject(t, map[string]string{FileName: b.String()})
		err := quick(t, "Load", func() error { _, err := Load(dir); return err })
		assertError(t, err, filepath.Join(dir, FileName)+":10: component \"c\": key \"v\": ", expandsTooMuch)
	})
	t.Run("inheritance", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(laughs(3)) // 729 values
		b.WriteString("components:\n  - p:\n      x: *l2\n")
		for i := range 100 {
			fmt.Fprintf(&b, "  - c%d^p:\n", i)
		}
		dir := writeProject(t, map[string]string{FileName: b.String()})
		err := quick(t, "Load", func() error { _, err := Load(dir); return err })
		assertError(t, err, filepath.Join(dir, FileName)+":", `component "c`, expandsTooMuch)
	})
	t.Run("ordinary use", func(t *testing.T) {
		dir := writeProject(t, map[string]string{
			FileName: laughs(3) + "base: &b {lr: 1, layers: [1, 2]}\nlist: [1, 2, 3]\ncomponents:\n  - a:\n      <<: *b\n      x: *l2\n      data: $/d.yaml\n      l: $.list\n  - b^a:\n",
			"d.yaml": "n: &n 1\nm: [*n, *n]\n",
		})
		p, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		c, err := p.Config("b", nil)
		if err != nil {
			t.Fatal(err)
		}
		if n := valuesIn(c); n < 729 {
			t.Errorf("config of b has %d values, want the 729 of *l2 and more", n)
		}
	})
}

// TestDepthLimit: YAML nested deeper than MaxDepth (and deeper than the
// parser's own 10,000 levels) is refused at once, with the limit; the
// error position is not searched with the second parser, which took
// gigabytes for such a document.
func TestDepthLimit(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"flow 50,000", "a: " + strings.Repeat("[", 50000) + strings.Repeat("]", 50000), "version YAML: nested deeper than 10000 levels: expected at most 1000 levels"},
		{"block 50,000", "a:\n" + strings.Repeat("- ", 50000) + "1\n", "version YAML, line 2: nested deeper than 10000 levels: expected at most 1000 levels"},
		{"flow 2,000", "a: " + strings.Repeat("[", 2000) + strings.Repeat("]", 2000), "version YAML, line 1: key \"a.0.0.0.0"},
		{"mappings 2,000", strings.Repeat("{a: ", 2000) + "1" + strings.Repeat("}", 2000), "nested deeper than 1000 levels: expected at most 1000 levels of mappings and lists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := quick(t, "ParseYAMLPatch", func() error { _, err := ParseYAMLPatch(tc.src); return err })
			assertError(t, err, tc.want)
			if len(err.Error()) > 400 {
				t.Errorf("error of %d characters: %.400s", len(err.Error()), err)
			}
		})
	}
	dir := writeProject(t, map[string]string{
		FileName:    "components:\n  - a:\n      x: " + strings.Repeat("[", 1500) + strings.Repeat("]", 1500) + "\n  - b:\n      y: $/deep.json\n",
		"deep.json": strings.Repeat("[", 1500) + strings.Repeat("]", 1500),
	})
	_, err := Load(dir)
	assertError(t, err, filepath.Join(dir, FileName)+":3: ", "nested deeper than 1000 levels")
	os.WriteFile(filepath.Join(dir, FileName), []byte("components:\n  - b:\n      y: $/deep.json\n"), 0o644)
	_, err = Load(dir)
	assertError(t, err, filepath.Join(dir, FileName)+":3: component \"b\": key \"y\": include \"$/deep.json\"", "nested deeper than 1000 levels")
	// 1000 levels are fine.
	if _, err := ParseYAMLPatch("a: " + strings.Repeat("[", 999) + strings.Repeat("]", 999)); err != nil {
		t.Errorf("999 levels: %v", err)
	}
}

// TestIncludeStaysInProject: $/ includes are read only from inside the
// project: a path with .. that leaves it, a symbolic link to a file or
// directory outside, and a chain of links that ends outside are refused,
// naming the place of the include; a link that stays inside is fine.
func TestIncludeStaysInProject(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("token: s3cr3t\n"), 0o644)
	os.MkdirAll(filepath.Join(outside, "dir"), 0o755)
	os.WriteFile(filepath.Join(outside, "dir", "secret.yaml"), []byte("token: s3cr3t\n"), 0o644)
	dir := writeProject(t, map[string]string{"configs/real.yaml": "lr: 0.5\n"})
	for link, target := range map[string]string{
		"evil.yaml":         filepath.Join(outside, "secret.yaml"),
		"linked":            filepath.Join(outside, "dir"),
		"configs/hop.yaml":  "../evil.yaml", // link -> link -> outside
		"alias.yaml":        "configs/real.yaml",
		"configs/same.yaml": "real.yaml",
		"configsdir":        "configs",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	rel, err := filepath.Rel(dir, filepath.Join(outside, "secret.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ ref, want string }{
		{"$/evil.yaml", "is a symbolic link to " + filepath.Join(outside, "secret.yaml") + ", outside the project " + dir},
		{"$/linked/secret.yaml", "outside the project " + dir},
		{"$/configs/hop.yaml", "configs/hop.yaml is a symbolic link to " + filepath.Join(outside, "secret.yaml")},
		{"$/" + filepath.ToSlash(rel), "is outside the project " + dir + ": expected a path inside it"},
	} {
		os.WriteFile(filepath.Join(dir, FileName), []byte("components:\n  - a:\n      x: "+tc.ref+"\n"), 0o644)
		_, err := Load(dir)
		assertError(t, err, filepath.Join(dir, FileName)+`:3: component "a": key "x": include "`+tc.ref+`"`, tc.want)
		if err != nil && strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("the secret leaked: %v", err)
		}
	}
	for _, ref := range []string{"$/alias.yaml", "$/configs/same.yaml", "$/configsdir/real.yaml", "$/configs/../configs/real.yaml"} {
		os.WriteFile(filepath.Join(dir, FileName), []byte("components:\n  - a:\n      x: "+ref+"\n"), 0o644)
		p, err := Load(dir)
		if err != nil {
			t.Errorf("%s: %v", ref, err)
			continue
		}
		c, _ := p.Config("a", nil)
		assertEqual(t, c["x"], m{"lr": 0.5})
	}
}

// valuesIn counts the values in v, nested ones included.
func valuesIn(v any) int {
	n := 1
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			n += valuesIn(e)
		}
	case []any:
		for _, e := range x {
			n += valuesIn(e)
		}
	}
	return n
}
