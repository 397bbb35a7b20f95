package storage

import (
	"fmt"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/afero"
)

// Storage is an opened storage URL: a file system and the root inside it.
type Storage struct {
	URL  string   // as given by the user, for messages and execution.json
	Fs   afero.Fs // where everything is written
	Root string   // root directory inside Fs
	// Memory is true for mem:// storages, which are not backed up and do
	// not survive the process.
	Memory bool
	// Object is true for object stores (s3://): no appends, no atomic
	// rename, no exclusive create. Appended files are written as numbered
	// parts every Flush.
	Object bool
	Flush  time.Duration // object stores: the URL's flush= (default 2s); 0 otherwise

	bucket, base, query string   // s3: s3://bucket, and the URL's query
	secrets             []string // credentials to keep out of messages
}

var (
	memMu  sync.Mutex
	memFs  = map[string]afero.Fs{}
	s3Open sync.Map // URL -> *Storage
)

// Open resolves a storage URL: "" and mem://[name] (in-memory, shared
// within the process so a script can query what it just ran), local paths
// (~/x, ./x, /abs, file://, osfs://).
func Open(url string) (*Storage, error) {
	switch {
	case url == "" || url == "mem://" || strings.HasPrefix(url, "mem://"):
		name := strings.TrimPrefix(url, "mem://")
		memMu.Lock()
		defer memMu.Unlock()
		fs, ok := memFs[name]
		if !ok {
			fs = afero.NewMemMapFs()
			memFs[name] = fs
		}
		if url == "" {
			url = "mem://"
		}
		return &Storage{URL: url, Fs: fs, Root: "/", Memory: true}, nil
	case strings.HasPrefix(url, "s3://"):
		// One client per URL and process: opening loads the AWS
		// configuration and checks the bucket, which an execution would
		// otherwise repeat for every step that opens its storage.
		if st, ok := s3Open.Load(url); ok {
			return st.(*Storage), nil
		}
		if err := checkS3Credentials(url); err != nil {
			return nil, err
		}
		st, err := openS3(url)
		if err != nil {
			return nil, err
		}
		actual, _ := s3Open.LoadOrStore(url, st)
		return actual.(*Storage), nil
	case strings.HasPrefix(url, "file://"), strings.HasPrefix(url, "osfs://"):
		return openLocal(url, url[strings.Index(url, "://")+3:])
	case strings.Contains(url, "://"):
		scheme := url[:strings.Index(url, "://")]
		return nil, fmt.Errorf("storage %q: unsupported scheme %q (expected mem://, s3://, file://, osfs:// or a local path)", url, scheme)
	}
	return openLocal(url, url)
}

func openLocal(url, p string) (*Storage, error) {
	if p == "" {
		return nil, fmt.Errorf("storage %q: empty path", url)
	}
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("storage %q: %w", url, err)
		}
		p = filepath.Join(home, p[1:])
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, fmt.Errorf("storage %q: %w", url, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("storage %q: %s is a file, expected a directory", url, abs)
	}
	return &Storage{URL: url, Fs: afero.NewOsFs(), Root: abs}, nil
}

// Path joins elements below the storage root.
func (s *Storage) Path(elem ...string) string {
	return filepath.Join(append([]string{s.Root}, elem...)...)
}

// Describe names a path inside the storage for messages.
func (s *Storage) Describe(p string) string {
	if s.Object {
		return s.base + "/" + strings.TrimPrefix(p, "/")
	}
	if s.Memory {
		return strings.TrimSuffix(s.URL, "/") + "/" + strings.TrimPrefix(p, "/")
	}
	return p
}

// checkS3Credentials refuses credentials anywhere in an s3:// URL — the
// URL is written to execution.json and shown in messages: in the
// authority (s3://KEY:SECRET@bucket), as a query option (?secret_key=),
// or inside an option's value, such as the endpoint's own authority
// (?endpoint=http://user:pass@host) or query. Messages name the URL
// with its query and user information redacted.
func checkS3Credentials(raw string) error {
	refuse := func() error {
		return fmt.Errorf("storage %q: credentials do not belong in the storage URL (it is written to execution.json); use AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or a shared AWS profile", redactURL(raw))
	}
	u, err := neturl.Parse(raw)
	if err != nil {
		return fmt.Errorf("storage %q: %v", redactURL(raw), redactURL(err.Error()))
	}
	if u.User != nil {
		return refuse()
	}
	var inValue func(v string, depth int) bool
	inValue = func(v string, depth int) bool {
		if depth > 3 || !strings.Contains(v, "://") {
			return false
		}
		iu, err := neturl.Parse(v)
		if err != nil {
			return strings.Contains(v, "@") // unparseable: refuse what may hide user information
		}
		if iu.User != nil {
			return true
		}
		for k, vs := range iu.Query() {
			if secretKey(k) {
				return true
			}
			for _, x := range vs {
				if inValue(x, depth+1) {
					return true
				}
			}
		}
		return false
	}
	for k, vs := range u.Query() {
		if secretKey(k) {
			return refuse()
		}
		for _, v := range vs {
			if inValue(v, 0) {
				return refuse()
			}
		}
	}
	return nil
}

func secretKey(k string) bool {
	lk := strings.ToLower(k)
	for _, s := range secretParams {
		if strings.Contains(lk, s) {
			return true
		}
	}
	return false
}
