package storage

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"
	s3fs "github.com/fclairamb/afero-s3"
)

// S3 storages: s3://bucket[/prefix][?endpoint=...&region=...]. Endpoint,
// region and credentials come from the standard AWS environment and shared
// config; the URL query may override endpoint and region (never
// credentials: the URL is written to execution.json). Transient errors
// (connection refused, 5xx, timeouts) are retried by the SDK with
// exponential backoff for about the retry window.
//
// Query options:
//
//	endpoint=http://127.0.0.1:9000   S3-compatible server (implies path-style addressing)
//	region=us-east-1                 default: AWS_REGION, else us-east-1
//	path_style=true|false            force the addressing style
//	max_attempts=10                  attempts per request (1 = no retry)
//	max_backoff=5s                   longest wait between attempts
//	flush=2s                         how often appended files (records, logs) are flushed

// defaultFlush is how often records and logs reach an object store: a
// crash loses at most this much of them.
const defaultFlush = 2 * time.Second

// secretParams are query keys refused because the URL is stored.
var secretParams = []string{"access", "secret", "token", "session", "password", "credential", "key"}

func openS3(raw string) (*Storage, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("storage %q: %w", redactURL(raw), err)
	}
	bucket := u.Host
	if bucket == "" {
		return nil, fmt.Errorf("storage %q: expected s3://BUCKET[/PREFIX]", redactURL(raw))
	}
	if u.User != nil {
		return nil, fmt.Errorf("storage %q: credentials do not belong in the storage URL (it is written to execution.json); use AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or a shared AWS profile", redactURL(raw))
	}
	q := u.Query()
	for k := range q {
		lk := strings.ToLower(k)
		for _, s := range secretParams {
			if strings.Contains(lk, s) {
				return nil, fmt.Errorf("storage %q: credentials do not belong in the storage URL (it is written to execution.json); use AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or a shared AWS profile", redactURL(raw))
			}
		}
	}
	opts := struct {
		endpoint, region string
		pathStyle        *bool
		attempts         int
		backoff, flush   time.Duration
	}{attempts: 10, backoff: 5 * time.Second, flush: defaultFlush}
	for k, vs := range q {
		v := vs[0]
		switch k {
		case "endpoint":
			opts.endpoint = v
		case "region":
			opts.region = v
		case "path_style":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("storage %q: path_style: expected true or false", raw)
			}
			opts.pathStyle = &b
		case "max_attempts":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("storage %q: max_attempts: expected a positive integer", raw)
			}
			opts.attempts = n
		case "max_backoff", "flush":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("storage %q: %s: expected a duration such as 2s", raw, k)
			}
			if k == "flush" {
				opts.flush = d
			} else {
				opts.backoff = d
			}
		default:
			return nil, fmt.Errorf("storage %q: unknown option %q (known: endpoint, region, path_style, max_attempts, max_backoff, flush)", raw, k)
		}
	}
	ctx := context.Background()
	client, cfg, err := newS3Client(ctx, s3ClientOptions{
		endpoint: opts.endpoint, region: opts.region, pathStyle: opts.pathStyle,
		attempts: opts.attempts, backoff: opts.backoff,
	}, os.Getenv("MACHINABLE_S3_DEBUG") != "")
	if err != nil {
		return nil, fmt.Errorf("storage %s: AWS configuration: %w", raw, err)
	}
	st := &Storage{
		URL: raw,
		Fs:  &objectFs{Fs: s3fs.NewFsFromClient(bucket, client), client: client, bucket: bucket},
		// Keys carry no leading slash: afero-s3 lists prefixes without one.
		Root:   strings.Trim(path.Clean("/"+u.Path), "/"),
		Object: true,
		Flush:  opts.flush,
		bucket: bucket,
		base:   "s3://" + bucket,
		query:  u.RawQuery,
	}
	if creds, err := cfg.Credentials.Retrieve(ctx); err == nil {
		st.secrets = []string{creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken}
	}
	// Fail early, with the bucket's name, when it cannot be reached at all.
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}, func(o *s3.Options) {
		o.Retryer = retry.AddWithMaxAttempts(o.Retryer, min(opts.attempts, 3))
	}); err != nil {
		where := "AWS"
		if opts.endpoint != "" {
			where = opts.endpoint
		}
		return nil, st.redact(fmt.Errorf("storage %s: cannot reach bucket %q at %s: %w", raw, bucket, where, err))
	}
	return st, nil
}

// s3ClientOptions are the URL options that shape the S3 client.
type s3ClientOptions struct {
	endpoint, region string
	pathStyle        *bool
	attempts         int
	backoff          time.Duration
}

// newS3Client builds the S3 client of a storage from the AWS environment
// and the URL options.
//
// The SDK's own logger is silenced: by default it prints to stderr, e.g.
// "SDK ... DEBUG Response has no supported checksum. Not validating
// response payload." for every GET from an S3-compatible server (MinIO,
// Ceph, R2) that returns no checksum headers. With debug (the
// MACHINABLE_S3_DEBUG environment variable) it logs to stderr, retries
// included — never requests or responses, whose headers carry the access
// key and session token.
//
// Checksums are computed and validated only where the S3 API requires
// them (aws.RequestChecksumCalculationWhenRequired,
// aws.ResponseChecksumValidationWhenRequired), as SDKs did before 2025:
// S3-compatible servers differ in which of the newer flexible checksums
// they support.
func newS3Client(ctx context.Context, o s3ClientOptions, debug bool) (*s3.Client, aws.Config, error) {
	var logger logging.Logger = logging.Nop{}
	var logMode aws.ClientLogMode
	if debug {
		logger = logging.NewStandardLogger(os.Stderr)
		logMode = aws.LogRetries
	}
	loaders := []func(*config.LoadOptions) error{
		config.WithLogger(logger),
		config.WithClientLogMode(logMode),
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = o.attempts
				so.MaxBackoff = o.backoff
				// No client-side retry quota: during an outage every
				// request fails, and a drained quota would stop retries
				// just when the server comes back.
				so.RateLimiter = ratelimit.None
			})
		}),
	}
	if o.region != "" {
		loaders = append(loaders, config.WithRegion(o.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loaders...)
	if err != nil {
		return nil, aws.Config{}, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		so.Logger = logger
		so.ClientLogMode = logMode
		so.DisableLogOutputChecksumValidationSkipped = !debug
		so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		if o.endpoint != "" {
			so.BaseEndpoint = aws.String(o.endpoint)
			so.UsePathStyle = true
		}
		if o.pathStyle != nil {
			so.UsePathStyle = *o.pathStyle
		}
	})
	return client, cfg, nil
}

// redactURL drops the query of a URL for messages about a URL that could
// not be parsed or that carries credentials.
func redactURL(raw string) string {
	if i := strings.Index(raw, "?"); i >= 0 {
		raw = raw[:i] + "?…"
	}
	// user:password@ in the authority
	if i := strings.Index(raw, "://"); i >= 0 {
		rest := raw[i+3:]
		end := strings.IndexAny(rest, "/?")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
			raw = raw[:i+3] + "[redacted]" + rest[at:]
		}
	}
	return raw
}

// redact removes the storage's credentials from an error message, in case
// a server or library echoes them.
func (s *Storage) redact(err error) error {
	if err == nil || len(s.secrets) == 0 {
		return err
	}
	msg := err.Error()
	changed := false
	for _, secret := range s.secrets {
		if len(secret) >= 4 && strings.Contains(msg, secret) {
			msg = strings.ReplaceAll(msg, secret, "[redacted]")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

// Error is the message with credentials removed.
func (e redactedError) Error() string { return e.msg }

// Unwrap returns the original error, for errors.Is and errors.As.
func (e redactedError) Unwrap() error { return e.err }

// openS3ExperimentURL opens s3://bucket/prefix/.../ID?query.
func openS3ExperimentURL(raw string) (*Experiment, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("experiment URL %q: %w", redactURL(raw), err)
	}
	clean := path.Clean("/" + u.Path)
	id, parent := path.Base(clean), path.Dir(clean)
	if id == "/" || id == "." {
		return nil, fmt.Errorf("experiment URL %q: expected s3://BUCKET/[PREFIX/]ID", redactURL(raw))
	}
	u.Path = parent
	st, err := Open(u.String())
	if err != nil {
		return nil, err
	}
	if !st.Exists("", id) {
		return nil, fmt.Errorf("no experiment at %s (expected an execution.json there)", redactURL(raw))
	}
	return &Experiment{storage: st, ID: id, Path: st.ExperimentPath("", id)}, nil
}
