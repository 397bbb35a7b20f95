package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/machinable-go/machinable/internal/s3test"
)

// TestS3CreateIsExclusive: on a real S3 protocol server, processes racing
// to create the same status.json (a resume next to the live run) end
// with exactly one winner — a conditional PUT, not a look then a write —
// and the winner's bytes are what is stored.
func TestS3CreateIsExclusive(t *testing.T) {
	srv := s3test.Start(t, "bucket")
	st, err := Open(srv.URL("bucket/excl"))
	if err != nil {
		t.Fatal(err)
	}
	for round := range 20 {
		key := fmt.Sprintf("excl/exp/c%02d/status.json", round)
		var won atomic.Int32
		var winner atomic.Value
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				data := []byte(fmt.Sprintf(`{"writer": %d}`, w))
				err := createFile(st.Fs, key, data)
				switch {
				case err == nil:
					won.Add(1)
					winner.Store(string(data))
				case !errors.Is(err, fs.ErrExist):
					t.Errorf("round %d writer %d: %v", round, w, err)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("round %d: %d writers created %s, want exactly 1", round, won.Load(), key)
		}
		if got := srv.Objects(t, "bucket")[key]; string(got) != winner.Load() {
			t.Errorf("round %d: stored %q, winner wrote %q", round, got, winner.Load())
		}
	}
	// the same bytes again (a retried request that had landed) count as created
	if err := createFile(st.Fs, "excl/exp/c00/status.json", srv.Objects(t, "bucket")["excl/exp/c00/status.json"]); err != nil {
		t.Errorf("own bytes: %v", err)
	}
}
