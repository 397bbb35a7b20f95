// Package s3test serves an S3 protocol server on 127.0.0.1 for tests:
// requests go over real HTTP through the AWS SDK, exactly as against S3
// or MinIO. The server can be stopped and restarted on the same address
// with its data kept, to test what a storage does when the network or the
// server goes away.
//
// By default the server is gofakes3 with its in-memory backend, in the
// test process. With MACHINABLE_S3_ENDPOINT set (see Endpoint) the tests
// run against that real server instead — MinIO started by
// scripts/minio-up.sh, for example — through a TCP relay on 127.0.0.1:0
// that Stop and Restart cut and restore, so "the server goes away" means
// the same thing for both.
package s3test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// The environment that points the tests at a real S3-compatible server.
// Only MACHINABLE_S3_ENDPOINT is needed to switch; the credentials are
// those of a throw-away account (the tests create the buckets they use and
// DELETE EVERY OBJECT in them first). scripts/minio-up.sh prints all four.
const (
	EnvEndpoint  = "MACHINABLE_S3_ENDPOINT"   // http://127.0.0.1:9000
	EnvAccessKey = "MACHINABLE_S3_ACCESS_KEY" // the server's access key
	EnvSecretKey = "MACHINABLE_S3_SECRET_KEY" // and secret key
	EnvRegion    = "MACHINABLE_S3_REGION"     // default us-east-1
)

// Credentials the tests put into the AWS environment. Against gofakes3 any
// value works and these are fixed; against a real server (Endpoint) they
// are the temporary credentials Start obtains from the server's STS
// (AssumeRole), so a session token is sent there too, or, when the server
// has no STS, the account's keys with no session token. Tests check that
// none of them leaks into storage or output; read them after Start.
var (
	AccessKey    = "AKIAMACHINABLETESTKEY"
	SecretKey    = "machinable-test-secret-0123456789abcdef"
	SessionToken = "machinable-test-session-token-fedcba9876543210"
)

// Endpoint is the real S3 server the tests run against
// (MACHINABLE_S3_ENDPOINT), or "" for the in-process gofakes3.
func Endpoint() string { return strings.TrimRight(os.Getenv(EnvEndpoint), "/") }

// Server is a restartable S3 server.
type Server struct {
	Addr string // 127.0.0.1:port, what storage URLs point at

	// gofakes3
	handler http.Handler
	backend *s3mem.Backend
	mu      sync.Mutex
	srv     *http.Server

	// a real server behind a relay
	ext   *s3.Client
	relay *relay
}

// Start serves a new, empty S3 server with the given buckets, sets the AWS
// environment (credentials, region) for the test, and stops it at cleanup.
// Against a real server (Endpoint), the buckets are created if missing and
// emptied, and held (a file lock) for the test, so test binaries of other
// packages running at the same time wait rather than share them.
func Start(t testing.TB, buckets ...string) *Server {
	t.Helper()
	if Endpoint() != "" {
		return startExternal(t, buckets)
	}
	backend := s3mem.New()
	faker := gofakes3.New(backend)
	for _, b := range buckets {
		if err := backend.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	s := &Server{handler: faker.Server(), backend: backend}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Stop)
	setEnv(t)
	return s
}

func setEnv(t testing.TB) {
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretKey)
	t.Setenv("AWS_SESSION_TOKEN", SessionToken)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_PROFILE", "")
}

// URL is the storage URL of a bucket/prefix on this server, with extra
// query options (e.g. "max_attempts=3").
func (s *Server) URL(bucketAndPrefix string, options ...string) string {
	u := "s3://" + bucketAndPrefix + "?endpoint=http://" + s.Addr + "&region=us-east-1"
	for _, o := range options {
		u += "&" + o
	}
	return u
}

func (s *Server) serve(ln net.Listener) {
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 5 * time.Second}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go srv.Serve(ln)
}

// Stop closes the server and its connections; the data stays. Against a
// real server, the relay stops listening and cuts every connection.
func (s *Server) Stop() {
	if s.relay != nil {
		s.relay.stop()
		return
	}
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		_ = srv.Close()
	}
}

// Restart serves again on the same address.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger a moment after Stop
		if ln, err = net.Listen("tcp", s.Addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("restart S3 server on %s: %v", s.Addr, err)
	}
	if s.relay != nil {
		s.relay.serve(ln)
		return
	}
	s.serve(ln)
}

// Objects lists every key of a bucket with its content.
func (s *Server) Objects(t testing.TB, bucket string) map[string][]byte {
	t.Helper()
	if s.ext != nil {
		return s.externalObjects(t, bucket)
	}
	out := map[string][]byte{}
	list, err := s.backend.ListBucket(bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list.Contents {
		obj, err := s.backend.GetObject(bucket, c.Key, nil)
		if err != nil {
			t.Fatal(err)
		}
		buf, err := io.ReadAll(obj.Contents)
		obj.Contents.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[c.Key] = buf
	}
	return out
}

// --- a real server ---

var (
	credsOnce sync.Once
	credsErr  error
)

// adminClient talks to the real server directly (not through the relay),
// with the account's keys, for setting up and inspecting buckets.
func adminClient() *s3.Client {
	region := os.Getenv(EnvRegion)
	if region == "" {
		region = "us-east-1"
	}
	return s3.New(s3.Options{
		Region:                     region,
		BaseEndpoint:               aws.String(Endpoint()),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(os.Getenv(EnvAccessKey), os.Getenv(EnvSecretKey), ""),
		Logger:                     logging.Nop{},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		DisableLogOutputChecksumValidationSkipped: true,
	})
}

// testCredentials sets AccessKey, SecretKey and SessionToken for a real
// server: temporary credentials from its STS when it has one (MinIO does),
// else the account's keys without a session token (S3-compatible servers
// refuse a session token with permanent keys).
func testCredentials() error {
	credsOnce.Do(func() {
		access, secret := os.Getenv(EnvAccessKey), os.Getenv(EnvSecretKey)
		if access == "" || secret == "" {
			credsErr = fmt.Errorf("%s is set, so %s and %s must be too", EnvEndpoint, EnvAccessKey, EnvSecretKey)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		client := sts.New(sts.Options{
			Region:       "us-east-1",
			BaseEndpoint: aws.String(Endpoint()),
			Credentials:  credentials.NewStaticCredentialsProvider(access, secret, ""),
			Logger:       logging.Nop{},
		})
		out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn:         aws.String("arn:aws:iam::000000000000:role/machinable-test"),
			RoleSessionName: aws.String("machinable-test"),
			DurationSeconds: aws.Int32(3600),
		})
		if err == nil && out.Credentials != nil && out.Credentials.SessionToken != nil {
			AccessKey = aws.ToString(out.Credentials.AccessKeyId)
			SecretKey = aws.ToString(out.Credentials.SecretAccessKey)
			SessionToken = aws.ToString(out.Credentials.SessionToken)
			return
		}
		AccessKey, SecretKey, SessionToken = access, secret, ""
	})
	return credsErr
}

func startExternal(t testing.TB, buckets []string) *Server {
	t.Helper()
	if err := testCredentials(); err != nil {
		t.Fatal(err)
	}
	client := adminClient()
	sorted := append([]string(nil), buckets...)
	sort.Strings(sorted)
	for _, b := range sorted {
		lockBucket(t, b)
		if err := resetBucket(client, b); err != nil {
			t.Fatalf("S3 server %s (%s): bucket %s: %v", Endpoint(), EnvEndpoint, b, err)
		}
	}
	upstream := strings.TrimPrefix(strings.TrimPrefix(Endpoint(), "http://"), "https://")
	if strings.HasPrefix(Endpoint(), "https://") {
		t.Fatalf("%s=%s: the tests need a plain http:// endpoint (they relay it on 127.0.0.1)", EnvEndpoint, Endpoint())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), ext: client, relay: &relay{upstream: upstream}}
	s.relay.serve(ln)
	t.Cleanup(s.relay.stop)
	setEnv(t)
	return s
}

// lockBucket holds a bucket of the real server for the rest of the test.
func lockBucket(t testing.TB, bucket string) {
	t.Helper()
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, strings.ToLower(Endpoint()+"-"+bucket))
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "machinable-s3test-"+name+".lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() }) // closing releases the lock
}

// resetBucket creates a bucket if missing and deletes every object in it.
func resetBucket(client *s3.Client, bucket string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	var owned *types.BucketAlreadyOwnedByYou
	var exists *types.BucketAlreadyExists
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		return err
	}
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		if len(page.Contents) == 0 {
			continue
		}
		ids := make([]types.ObjectIdentifier, len(page.Contents))
		for i, c := range page.Contents {
			ids[i] = types.ObjectIdentifier{Key: c.Key}
		}
		out, err := client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return err
		}
		if len(out.Errors) > 0 {
			return fmt.Errorf("delete %s: %s", aws.ToString(out.Errors[0].Key), aws.ToString(out.Errors[0].Message))
		}
	}
	return nil
}

func (s *Server) externalObjects(t testing.TB, bucket string) map[string][]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := map[string][]byte{}
	pages := s3.NewListObjectsV2Paginator(s.ext, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Contents {
			obj, err := s.ext.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: c.Key})
			if err != nil {
				t.Fatal(err)
			}
			buf, err := io.ReadAll(obj.Body)
			obj.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			out[aws.ToString(c.Key)] = buf
		}
	}
	return out
}

// relay forwards TCP connections to the real server; stop closes the
// listener and cuts every connection, as if the server went away.
type relay struct {
	upstream string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

func (r *relay) serve(ln net.Listener) {
	r.mu.Lock()
	r.ln = ln
	if r.conns == nil {
		r.conns = map[net.Conn]bool{}
	}
	r.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go r.forward(c)
		}
	}()
}

func (r *relay) track(c net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln == nil { // stopped
		c.Close()
		return false
	}
	r.conns[c] = true
	return true
}

func (r *relay) forward(c net.Conn) {
	if !r.track(c) {
		return
	}
	up, err := net.DialTimeout("tcp", r.upstream, 5*time.Second)
	if err != nil || !r.track(up) {
		c.Close()
		if up != nil {
			up.Close()
		}
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	<-done
	c.Close()
	up.Close()
	r.mu.Lock()
	delete(r.conns, c)
	delete(r.conns, up)
	r.mu.Unlock()
}

func (r *relay) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln != nil {
		r.ln.Close()
		r.ln = nil
	}
	for c := range r.conns {
		c.Close()
		delete(r.conns, c)
	}
}
