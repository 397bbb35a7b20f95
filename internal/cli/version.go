package cli

import (
	"fmt"
	"io"
	goruntime "runtime"
	"runtime/debug"
	"strings"

	"github.com/machinable-go/machinable/runtime"
	"github.com/spf13/cobra"
)

func newVersionCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit it was built from and the Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(stdout, versionText())
			return nil
		},
	}
}

// versionText is what `machinable version` and `machinable --version`
// print.
func versionText() string {
	info, _ := debug.ReadBuildInfo()
	return formatVersion(runtime.MachinableVersion, info, goruntime.Version(), goruntime.GOOS+"/"+goruntime.GOARCH)
}

// formatVersion says which build this is: the commit and its date when
// `go build` ran in a git checkout (+dirty with uncommitted changes), the
// module version when installed with `go install ...@version`; neither
// for test binaries or -buildvcs=false.
func formatVersion(version string, info *debug.BuildInfo, goVersion, platform string) string {
	var build []string
	if info != nil {
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			commit := "commit " + rev[:min(len(rev), 12)]
			if settings["vcs.modified"] == "true" {
				commit += "+dirty"
			}
			build = append(build, commit)
			if t := settings["vcs.time"]; t != "" {
				build = append(build, t)
			}
		} else if v := info.Main.Version; v != "" && v != "(devel)" {
			build = append(build, "module "+v)
		}
	}
	build = append(build, goVersion+" "+platform)
	return fmt.Sprintf("machinable %s (%s)", version, strings.Join(build, ", "))
}
