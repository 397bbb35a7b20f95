package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/machinable-go/machinable/runtime/project"
	"github.com/spf13/cobra"
)

func newVendorCommand(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vendor",
		Short: "Manage the vendor projects listed under + in machinable.yaml",
		Args:  cobra.NoArgs,
	}
	var dir string
	fetch := &cobra.Command{
		Use:   "fetch",
		Short: "Fetch the vendor projects into vendor/",
		Long: `Fetch the vendor projects listed under + in machinable.yaml into
vendor/NAME: a git URL (git+https://..., https://....git, file://...,
ssh://...) is cloned, a local directory is linked. The imports: of
~/.machinable/settings.yaml (or the file $MACHINABLE_SETTINGS names) give
local directories that win over the sources in machinable.yaml. The vendor
projects' own + sections are fetched in turn, into their vendor/.

A vendor/NAME that is already there is kept when it is a clone of the
same URL or a link to the same directory (it is not updated); anything
else there is refused, never replaced.`,
		Example: `  machinable vendor fetch
  machinable vendor fetch --project ~/projects/mnist`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				cwd, err := os.Getwd()
				if err != nil {
					return err
				}
				if dir, err = project.Find(cwd); err != nil {
					return &exitError{code: ExitError, err: err}
				}
			} else if err := checkProjectFlag(dir); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			s, err := userSettings(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if err := fetchVendors(stdout, dir, s.Imports, 0); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			return nil
		},
	}
	fetch.Flags().StringVar(&dir, "project", "", "project directory (default: nearest machinable.yaml above the current directory)")
	cmd.AddCommand(fetch)
	return cmd
}

// fetchVendors fetches the + imports of the project in dir, then theirs.
func fetchVendors(out io.Writer, dir string, local map[string]string, depth int) error {
	if depth > 16 {
		return fmt.Errorf("%s: more than 16 levels of vendor projects", dir)
	}
	imps, err := project.ReadImports(dir)
	if err != nil {
		return err
	}
	file := filepath.Join(dir, project.FileName)
	for _, imp := range imps {
		source := imp.Source
		if l, ok := local[imp.Name]; ok {
			source = l
		}
		target := filepath.Join(dir, project.VendorDir, imp.Name)
		rel := relPath(target)
		if err := fetchVendor(source, target); err != nil {
			return fmt.Errorf("%s:%d: +.%s: %w", file, imp.Line, imp.Name, err)
		}
		fmt.Fprintf(out, "+.%s: %s\n", imp.Name, rel)
		if err := fetchVendors(out, target, local, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// fetchVendor puts source at target: a clone for a git URL, a link for
// a directory. An existing target is kept when it is that already and
// refused otherwise.
func fetchVendor(source, target string) error {
	url, isGit := gitURL(source)
	fi, err := os.Lstat(target)
	exists := err == nil
	switch {
	case source == "" && exists:
		return nil // placed there by hand
	case source == "":
		return fmt.Errorf("no source to fetch from: give one (+: [{NAME: URL}]) or an imports: directory in the settings, or place the project in %s", target)
	case exists && isGit:
		repo, err := git.PlainOpen(target)
		if err != nil {
			return fmt.Errorf("%s is there and is not a git clone of %s: remove it to fetch, or leave it out of +", target, url)
		}
		remote, err := repo.Remote("origin")
		if err != nil || len(remote.Config().URLs) == 0 || remote.Config().URLs[0] != url {
			have := "no origin"
			if err == nil && len(remote.Config().URLs) > 0 {
				have = "origin " + remote.Config().URLs[0]
			}
			return fmt.Errorf("%s is a clone of another repository (%s, not %s): remove it to fetch, or change +", target, have, url)
		}
		return nil
	case exists:
		want, err := filepath.Abs(source)
		if err != nil {
			return err
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			if link, err := os.Readlink(target); err == nil && filepath.Clean(link) == want {
				return nil
			}
		}
		return fmt.Errorf("%s is there and is not a link to %s: remove it to fetch, or change the source", target, want)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	if !isGit {
		src, err := filepath.Abs(source)
		if err != nil {
			return err
		}
		if fi, err := os.Stat(src); err != nil || !fi.IsDir() {
			return fmt.Errorf("source %s: no such directory", src)
		}
		if _, err := os.Stat(filepath.Join(src, project.FileName)); err != nil {
			return fmt.Errorf("source %s: no %s there", src, project.FileName)
		}
		// A link, as 2.x: the project stays where it is and is shared.
		return os.Symlink(src, target)
	}
	// Clone next to the target, then rename: an interrupted clone never
	// leaves a half-made vendor/NAME that the next fetch would keep.
	tmp, err := os.MkdirTemp(filepath.Dir(target), "."+filepath.Base(target)+".fetch-")
	if err != nil {
		return err
	}
	if _, err := git.PlainClone(tmp, false, &git.CloneOptions{URL: url, Depth: depthFor(url)}); err != nil {
		os.RemoveAll(tmp) // made by this process alone, just now
		return fmt.Errorf("clone %s: %w", url, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		os.RemoveAll(tmp)
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s appeared while fetching: fetch again", target)
		}
		return err
	}
	return nil
}

// depthFor clones remote repositories shallowly (only the files are
// needed); a local file:// clone is cheap in full.
func depthFor(url string) int {
	if strings.HasPrefix(url, "file://") {
		return 0
	}
	return 1
}

// gitURL says whether source names a git repository and the URL to clone:
// git+URL (2.x's form), a URL ending in .git, file://, ssh:// or
// user@host:path.
func gitURL(source string) (string, bool) {
	if rest, ok := strings.CutPrefix(source, "git+"); ok {
		return rest, true
	}
	switch {
	case strings.HasPrefix(source, "file://"), strings.HasPrefix(source, "ssh://"), strings.HasPrefix(source, "git://"):
		return source, true
	case strings.Contains(source, "://") && strings.HasSuffix(source, ".git"):
		return source, true
	case strings.Contains(source, "@") && strings.Contains(source, ":") && !strings.Contains(source, "/.."):
		return source, true // git@host:org/repo
	}
	return source, false
}

// relPath is p relative to the working directory when it is below it.
func relPath(p string) string {
	cwd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(cwd, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}
