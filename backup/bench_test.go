package backup

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The 10k-file repository is built once per test binary: creating and
// committing it takes longer than backing it up.
var (
	bigRepoOnce sync.Once
	bigRepoDir  string
	bigRepoErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bigRepoDir != "" {
		os.RemoveAll(bigRepoDir)
	}
	os.Exit(code)
}

// codeCorpus returns text that compresses like source code: indented lines
// of identifiers, keywords and punctuation.
func codeCorpus(r *rand.Rand, n int) []byte {
	words := []string{"func", "return", "if", "err", "!=", "nil", "for", "range", "var", "const",
		"type", "struct", "string", "int", "error", "ctx", "config", "value", "result", "index",
		"len(", ")", "{", "}", ":=", "=", "fmt.Errorf(", "\"%w\"", "append(", "make(", "map[string]"}
	var sb strings.Builder
	for sb.Len() < n {
		sb.WriteString(strings.Repeat("\t", r.IntN(4)))
		for k := 2 + r.IntN(8); k > 0; k-- {
			sb.WriteString(words[r.IntN(len(words))])
			if r.IntN(4) == 0 {
				fmt.Fprintf(&sb, "%d", r.IntN(1000))
			}
			sb.WriteByte(' ')
		}
		sb.WriteByte('\n')
	}
	return []byte(sb.String()[:n])
}

func bigRepo(b *testing.B) string {
	bigRepoOnce.Do(func() {
		bigRepoDir, bigRepoErr = os.MkdirTemp("", "backup-bench-")
		if bigRepoErr != nil {
			return
		}
		r := rand.New(rand.NewPCG(1, 2))
		corpus := codeCorpus(r, 4<<20)
		const files, total = 10000, 50 << 20
		sizes := make([]int, files)
		sum := 0
		for i := range sizes {
			switch p := r.IntN(100); {
			case p < 70:
				sizes[i] = 500 + r.IntN(3500)
			case p < 95:
				sizes[i] = 4000 + r.IntN(16000)
			default:
				sizes[i] = 20000 + r.IntN(80000)
			}
			sum += sizes[i]
		}
		for i := range sizes {
			sizes[i] = sizes[i] * total / sum
			dir := filepath.Join(bigRepoDir, fmt.Sprintf("pkg%03d", i/100))
			if i%100 == 0 {
				if bigRepoErr = os.MkdirAll(dir, 0o755); bigRepoErr != nil {
					return
				}
			}
			off := r.IntN(len(corpus) - sizes[i])
			name := filepath.Join(dir, fmt.Sprintf("file%04d.go", i))
			if bigRepoErr = os.WriteFile(name, corpus[off:off+sizes[i]], 0o644); bigRepoErr != nil {
				return
			}
		}
		runGit(b, bigRepoDir, "init", "-q")
		runGit(b, bigRepoDir, "add", ".")
		runGit(b, bigRepoDir, "commit", "-q", "-m", "big")
	})
	if bigRepoErr != nil {
		b.Fatal(bigRepoErr)
	}
	return bigRepoDir
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

// BenchmarkWrite10k: 10,000 committed files, 50 MB of code-like text.
func BenchmarkWrite10k(b *testing.B) {
	isolateGit(b)
	dir := bigRepo(b)
	b.ResetTimer()
	var zipBytes int64
	for i := 0; i < b.N; i++ {
		var cw countingWriter
		m, err := Write(&cw, dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if m.Files != 10000 || m.Version.Dirty || len(m.Skipped) != 0 {
			b.Fatalf("files %d, dirty %v, skipped %d", m.Files, m.Version.Dirty, len(m.Skipped))
		}
		zipBytes = cw.n
		b.SetBytes(m.Bytes)
	}
	b.ReportMetric(float64(zipBytes), "zip-bytes")
}

// BenchmarkInspect10k is the version alone: walk, index and HEAD compare.
func BenchmarkInspect10k(b *testing.B) {
	isolateGit(b)
	dir := bigRepo(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, err := Inspect(dir)
		if err != nil || v.Dirty {
			b.Fatalf("%+v %v", v, err)
		}
	}
}

// BenchmarkDiff10k compares the 10,000-file repository with its backup
// (what a resume does before it runs anything): nothing changed, so every
// file is read for its CRC-32.
func BenchmarkDiff10k(b *testing.B) {
	isolateGit(b)
	dir := bigRepo(b)
	var buf bytes.Buffer
	if _, err := Write(&buf, dir, Options{}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := Diff(bytes.NewReader(data), int64(len(data)), dir, Options{})
		if err != nil || len(d) != 0 {
			b.Fatalf("%v %v", d, err)
		}
	}
}
