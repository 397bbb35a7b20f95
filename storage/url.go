package storage

import (
	"fmt"
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
