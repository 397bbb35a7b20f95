// Package s3test serves a real S3 protocol server (gofakes3 with its
// in-memory backend) on 127.0.0.1 for tests: requests go over real HTTP
// through the AWS SDK, exactly as against S3 or MinIO. The server can be
// stopped and restarted on the same address with its data kept, to test
// what a storage does when the network or the server goes away.
package s3test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Credentials the tests put into the AWS environment; any value works with
// gofakes3, and tests check that none of them leaks into storage or output.
const (
	AccessKey    = "AKIAMACHINABLETESTKEY"
	SecretKey    = "machinable-test-secret-0123456789abcdef"
	SessionToken = "machinable-test-session-token-fedcba9876543210"
)

// Server is a restartable S3 server.
type Server struct {
	Addr    string // 127.0.0.1:port
	handler http.Handler
	backend *s3mem.Backend

	mu  sync.Mutex
	srv *http.Server
}

// Start serves a new, empty S3 server with the given buckets, sets the AWS
// environment (credentials, region) for the test, and stops it at cleanup.
func Start(t testing.TB, buckets ...string) *Server {
	t.Helper()
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
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretKey)
	t.Setenv("AWS_SESSION_TOKEN", SessionToken)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	return s
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

// Stop closes the server and its connections; the data stays.
func (s *Server) Stop() {
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
	s.serve(ln)
}

// Objects lists every key of a bucket with its content.
func (s *Server) Objects(t testing.TB, bucket string) map[string][]byte {
	t.Helper()
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
		var buf []byte
		buf = make([]byte, 0, obj.Size)
		tmp := make([]byte, 32*1024)
		for {
			n, err := obj.Contents.Read(tmp)
			buf = append(buf, tmp[:n]...)
			if err != nil {
				break
			}
		}
		obj.Contents.Close()
		out[c.Key] = buf
	}
	return out
}
