package cli

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFormatVersion(t *testing.T) {
	vcs := func(kv ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{Main: debug.Module{Path: "github.com/machinable-go/machinable", Version: "(devel)"}}
		for i := 0; i < len(kv); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return info
	}
	installed := vcs()
	installed.Main.Version = "v2.0.1"
	for _, c := range []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"clean checkout", vcs("vcs", "git", "vcs.revision", "75de72c97ea1522fb8d2c4c81e9450959882fb31", "vcs.time", "2026-11-30T02:05:01Z", "vcs.modified", "false"),
			"machinable 1.2.3 (commit 75de72c97ea1, 2026-11-30T02:05:01Z, go1.99 linux/amd64)"},
		{"dirty checkout", vcs("vcs.revision", "75de72c97ea1522fb8d2c4c81e9450959882fb31", "vcs.time", "2026-11-30T02:05:01Z", "vcs.modified", "true"),
			"machinable 1.2.3 (commit 75de72c97ea1+dirty, 2026-11-30T02:05:01Z, go1.99 linux/amd64)"},
		{"short revision, no time", vcs("vcs.revision", "abc"), "machinable 1.2.3 (commit abc, go1.99 linux/amd64)"},
		{"go install @version", installed, "machinable 1.2.3 (module v2.0.1, go1.99 linux/amd64)"},
		{"go test or -buildvcs=false", vcs(), "machinable 1.2.3 (go1.99 linux/amd64)"},
		{"no build info", nil, "machinable 1.2.3 (go1.99 linux/amd64)"},
	} {
		if got := formatVersion("1.2.3", c.info, "go1.99", "linux/amd64"); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

// TestVersionFlag: --version prints what `version` prints, and a binary
// built in a git checkout names its commit.
func TestVersionFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := binary(t)
	flag, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("--version: %v", err)
	}
	cmd, err := exec.Command(bin, "version").Output()
	if err != nil || string(cmd) != string(flag) {
		t.Errorf("--version %q and version %q differ (%v)", flag, cmd, err)
	}
	want := `^machinable \S+ \((go\S+ \S+/\S+)\)\n$`
	// go build stamps the commit where the checkout's root holds a .git
	// directory: not in a git worktree, whose .git is a file.
	if top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output(); err == nil && isDir(filepath.Join(strings.TrimSpace(string(top)), ".git")) {
		want = `^machinable \S+ \(commit [0-9a-f]{12}(\+dirty)?, \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, go\S+ \S+/\S+\)\n$`
	}
	if !regexp.MustCompile(want).Match(flag) {
		t.Errorf("--version: %q does not match %s", flag, want)
	}
}
