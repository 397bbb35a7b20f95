package cli

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/machinable-go/machinable/internal/s3test"
)

// TestS3RunPrintsNoSDKLines: the binary's run, ls, records and show on an
// S3 storage print nothing of the AWS SDK's own (against MinIO every GET
// printed "SDK ... DEBUG Response has no supported checksum. Not
// validating response payload."). The binary runs as a child process so
// its real stdout and stderr are what is checked. Against gofakes3 the
// SDK found checksums and stayed silent anyway; run it against MinIO
// (MACHINABLE_S3_ENDPOINT, scripts/minio-up.sh) for the real thing.
func TestS3RunPrintsNoSDKLines(t *testing.T) {
	srv := s3test.Start(t, "results")
	bin := binary(t)
	url := srv.URL("results/quiet")
	dir := quickstart(t)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("machinable %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
		}
		for _, line := range strings.Split(stdout.String()+stderr.String(), "\n") {
			if strings.HasPrefix(line, "SDK ") || strings.Contains(line, "Response has no supported checksum") {
				t.Errorf("machinable %s printed the AWS SDK's log: %q", strings.Join(args, " "), line)
			}
		}
		// stdout is not a terminal, so a run repeats its summary line and
		// its warnings on stderr; anything else there is the SDK's.
		if rest := regexp.MustCompile(`(?m)^(Experiment 8gWVkz|warning): .*\n`).ReplaceAllString(stderr.String(), ""); rest != "" {
			t.Errorf("machinable %s wrote to stderr:\n%s", strings.Join(args, " "), stderr.String())
		}
		return stdout.String()
	}
	run("run", "experiment.star", "--storage", url)
	if out := run("ls", url); !strings.Contains(out, "8gWVkz") {
		t.Errorf("ls:\n%s", out)
	}
	if out := run("records", "8gWVkz/e9DJBHuoiCvn", "--storage", url, "--format", "csv"); strings.Count(out, "\n") != 6 {
		t.Errorf("records:\n%s", out)
	}
	run("show", "8gWVkz", "--storage", url)
	run("run", "experiment.star", "--storage", url) // resume: reads everything back
}
