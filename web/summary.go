package web

import (
	"math"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/storage"
)

// A summary of one records scope of a component is what the experiment
// table shows: how many rows, and the last value of each numeric key. It
// costs one read of the records file, then is kept until the file's
// stamp (size and modification time) changes: a finished component is
// read once, a running one again when it saved rows.

type scopeSummary struct {
	Rows int                `json:"rows"`
	Keys []string           `json:"keys"` // every key, in order of first appearance
	Last map[string]float64 `json:"last"` // last finite numeric value of each key
}

type summaryEntry struct {
	stamp storage.FileStamp
	sum   scopeSummary
}

type summaryCache struct {
	mu sync.Mutex
	m  map[string]summaryEntry // by component directory and scope
}

func newSummaryCache() *summaryCache { return &summaryCache{m: map[string]summaryEntry{}} }

// recordsFile is the file of a scope, relative to the component.
func recordsFile(scope string) string { return path.Join("records", scope+".jsonl") }

// get returns the summary of a scope, reading the records only when the
// file changed since the last read.
func (sc *summaryCache) get(c *storage.ComponentView, scope string) (scopeSummary, error) {
	stamp, err := c.Stamp(recordsFile(scope))
	if err != nil {
		return scopeSummary{}, err
	}
	key := c.URL() + "\x00" + scope
	sc.mu.Lock()
	e, ok := sc.m[key]
	sc.mu.Unlock()
	if ok && e.stamp == stamp {
		return e.sum, nil
	}
	sum := scopeSummary{Last: map[string]float64{}}
	names := map[string]string{} // each key's string, made once
	err = eachRow(c, scope, func(fields []field) {
		sum.Rows++
		fresh := len(sum.Keys)
		for _, f := range fields {
			k, seen := names[string(f.Key)]
			if !seen {
				k = string(f.Key)
				names[k] = k
				sum.Keys = append(sum.Keys, k)
			}
			if f.Num {
				sum.Last[k] = f.Value
			}
		}
		slices.Sort(sum.Keys[fresh:]) // a row's keys have no order
	})
	if err != nil {
		return scopeSummary{}, err
	}
	sc.mu.Lock()
	sc.m[key] = summaryEntry{stamp: stamp, sum: sum}
	sc.mu.Unlock()
	return sum, nil
}

// addKeys appends the keys of row not seen yet, sorted among themselves
// (a row's keys have no order).
func addKeys(keys []string, seen map[string]bool, row map[string]any) []string {
	n := len(keys)
	for k := range row {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	slices.Sort(keys[n:])
	return keys
}

// number is a record value as a finite float: ints and floats, not
// booleans, strings or NaN.
func number(v any) (float64, bool) {
	f, ok := jsonvalue.Float(v)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// metricKey is a record key shown as a column of the experiment table
// and offered for charts: the keys a component recorded, not the ones
// machinable adds (_iteration, _time, ...). Keys of scopes other than
// default carry the scope: "validation/accuracy".
func metricKey(scope, key string) (string, bool) {
	if strings.HasPrefix(key, "_") {
		return "", false
	}
	if scope == "default" {
		return key, true
	}
	return scope + "/" + key, true
}
