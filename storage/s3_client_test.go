package storage

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/logging"
	"github.com/machinable-go/machinable/internal/s3test"
	"github.com/spf13/afero"
)

// TestS3ClientIsQuiet: the S3 client logs nothing (the SDK's default
// logger prints "SDK ... DEBUG Response has no supported checksum" to
// stderr for every GET from MinIO, Ceph or R2) and computes and validates
// checksums only where S3 requires them; MACHINABLE_S3_DEBUG turns the
// SDK's log (retries only) on.
func TestS3ClientIsQuiet(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAQUIET")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "quiet")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "when_supported")
	t.Setenv("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_supported")
	for _, debug := range []bool{false, true} {
		client, cfg, err := newS3Client(context.Background(), s3ClientOptions{endpoint: "http://127.0.0.1:1", attempts: 1, backoff: time.Second}, debug)
		if err != nil {
			t.Fatal(err)
		}
		o := client.Options()
		if _, nop := cfg.Logger.(logging.Nop); nop == debug {
			t.Errorf("debug=%v: config logger %T", debug, cfg.Logger)
		}
		if _, nop := o.Logger.(logging.Nop); nop == debug {
			t.Errorf("debug=%v: client logger %T", debug, o.Logger)
		}
		if want := map[bool]aws.ClientLogMode{false: 0, true: aws.LogRetries}[debug]; o.ClientLogMode != want {
			t.Errorf("debug=%v: client log mode %b, want %b (never requests or responses: their headers carry credentials)", debug, o.ClientLogMode, want)
		}
		if o.DisableLogOutputChecksumValidationSkipped == debug {
			t.Errorf("debug=%v: DisableLogOutputChecksumValidationSkipped %v", debug, o.DisableLogOutputChecksumValidationSkipped)
		}
		if o.RequestChecksumCalculation != aws.RequestChecksumCalculationWhenRequired || o.ResponseChecksumValidation != aws.ResponseChecksumValidationWhenRequired {
			t.Errorf("checksums: request %v, response %v; want both when required", o.RequestChecksumCalculation, o.ResponseChecksumValidation)
		}
		if !o.UsePathStyle || aws.ToString(o.BaseEndpoint) != "http://127.0.0.1:1" {
			t.Errorf("endpoint %q, path style %v", aws.ToString(o.BaseEndpoint), o.UsePathStyle)
		}
	}
}

// captureOutput runs f with os.Stdout and os.Stderr sent to a pipe and
// returns what was written there.
func captureOutput(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = w, w
	var buf bytes.Buffer
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = io.Copy(&buf, r) })
	func() {
		defer func() { os.Stdout, os.Stderr = stdout, stderr }()
		f()
	}()
	w.Close()
	wg.Wait()
	r.Close()
	return buf.String()
}

// TestS3RequestsPrintNothing: opening an S3 storage, writing, listing and
// reading objects prints nothing on stdout or stderr (it printed an SDK
// line per GET: "SDK ... DEBUG Response has no supported checksum. Not
// validating response payload.").
func TestS3RequestsPrintNothing(t *testing.T) {
	srv := s3test.Start(t, "quiet")
	t.Setenv("MACHINABLE_S3_DEBUG", "")
	out := captureOutput(t, func() {
		st, err := Open(srv.URL("quiet/p"))
		if err != nil {
			t.Error(err)
			return
		}
		if err := afero.WriteFile(st.Fs, "p/exp/a.json", []byte(`{"a": 1}`), 0o644); err != nil {
			t.Error(err)
		}
		st2, err := Open(srv.URL("quiet/p"))
		if err != nil {
			t.Error(err)
			return
		}
		if b, err := afero.ReadFile(st2.Fs, "p/exp/a.json"); err != nil || string(b) != `{"a": 1}` {
			t.Errorf("read back %q, %v", b, err)
		}
		// an object stored without a checksum (as by an older client or
		// another tool): the SDK found none to validate and said so
		if s3test.Endpoint() == "" {
			req, _ := http.NewRequest(http.MethodPut, "http://"+srv.Addr+"/quiet/p/exp/b.json", strings.NewReader(`{"b": 2}`))
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("plain PUT: %v %v", resp, err)
			} else {
				resp.Body.Close()
			}
			if b, err := afero.ReadFile(st2.Fs, "p/exp/b.json"); err != nil || string(b) != `{"b": 2}` {
				t.Errorf("read back %q, %v", b, err)
			}
		}
		if _, err := afero.ReadDir(st2.Fs, "p/exp"); err != nil {
			t.Error(err)
		}
	})
	if out != "" {
		t.Errorf("S3 requests printed:\n%s", out)
	}
	if strings.Contains(out, "SDK") {
		t.Errorf("the AWS SDK's logger is not silenced")
	}
}
