package backup

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5/plumbing/format/config"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// parsePatterns parses the content of a gitignore-style file whose patterns
// are relative to domain (the path of its directory from the walk root).
func parsePatterns(data []byte, domain []string) []gitignore.Pattern {
	var ps []gitignore.Pattern
	for _, line := range bytes.Split(data, []byte("\n")) {
		s := strings.TrimSuffix(string(line), "\r")
		if strings.HasPrefix(s, "#") || strings.TrimSpace(s) == "" {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(gitBrackets(s), domain))
	}
	return ps
}

// gitBrackets rewrites git's negated bracket "[!...]" into the "[^...]"
// that Go's filepath.Match (used by go-git's matcher) understands.
func gitBrackets(s string) string {
	if !strings.Contains(s, "[!") {
		return s
	}
	b := []byte(s)
	for i := 0; i+1 < len(b); i++ {
		switch {
		case b[i] == '\\':
			i++ // an escaped character is literal
		case b[i] == '[' && b[i+1] == '!':
			b[i+1] = '^'
		}
	}
	return string(b)
}

// readPatternFile reads a gitignore-style file; a missing or unreadable
// file contributes no patterns, as with git.
func readPatternFile(path string, domain []string) []gitignore.Pattern {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return parsePatterns(data, domain)
}

// baseIgnorePatterns returns the repository-wide patterns in ascending
// priority, as git orders them: the global excludes file, then
// $GIT_DIR/info/exclude. Per-directory .gitignore files are added during
// the walk, on top of these.
func baseIgnorePatterns(dotgit billy.Filesystem, localConfig []byte) []gitignore.Pattern {
	var ps []gitignore.Pattern
	if f := globalExcludesFile(localConfig); f != "" {
		ps = append(ps, readPatternFile(f, nil)...)
	}
	if dotgit != nil {
		if f, err := dotgit.Open("info/exclude"); err == nil {
			data, _ := io.ReadAll(f)
			f.Close()
			ps = append(ps, parsePatterns(data, nil)...)
		}
	}
	return ps
}

// globalExcludesFile finds core.excludesfile the way git does: the
// repository config wins over the global configs (~/.gitconfig, then the
// XDG one), which win over /etc/gitconfig; unset means the XDG default
// ~/.config/git/ignore. go-git's LoadGlobalPatterns reads only
// ~/.gitconfig and has no XDG default, hence this function.
func globalExcludesFile(localConfig []byte) string {
	home, _ := os.UserHomeDir()
	xdg := os.Getenv("XDG_CONFIG_HOME")
	if xdg == "" && home != "" {
		xdg = filepath.Join(home, ".config")
	}
	var configs [][]byte
	configs = append(configs, localConfig)
	if g := os.Getenv("GIT_CONFIG_GLOBAL"); g != "" {
		configs = append(configs, readOptional(g))
	} else {
		if home != "" {
			configs = append(configs, readOptional(filepath.Join(home, ".gitconfig")))
		}
		if xdg != "" {
			configs = append(configs, readOptional(filepath.Join(xdg, "git", "config")))
		}
	}
	if os.Getenv("GIT_CONFIG_NOSYSTEM") == "" {
		configs = append(configs, readOptional("/etc/gitconfig"))
	}
	for _, data := range configs {
		if f := excludesFileOption(data); f != "" {
			return expandHome(f, home)
		}
	}
	if xdg == "" {
		return ""
	}
	return filepath.Join(xdg, "git", "ignore")
}

func readOptional(path string) []byte {
	data, _ := os.ReadFile(path)
	return data
}

// excludesFileOption returns core.excludesfile of a git config file; a
// config that does not parse is treated as not setting it.
func excludesFileOption(data []byte) string {
	if len(data) == 0 {
		return ""
	}
	raw := config.New()
	if err := config.NewDecoder(bytes.NewReader(data)).Decode(raw); err != nil {
		return ""
	}
	return raw.Section("core").Options.Get("excludesfile")
}

func expandHome(p, home string) string {
	if home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		return filepath.Join(home, p[1:])
	}
	return p
}

// ignored reports whether the last matching pattern excludes path.
// Patterns are in ascending priority, so the search runs backwards.
func ignored(ps []gitignore.Pattern, path []string, isDir bool) bool {
	for i := len(ps) - 1; i >= 0; i-- {
		if m := ps[i].Match(path, isDir); m != gitignore.NoMatch {
			return m == gitignore.Exclude
		}
	}
	return false
}
