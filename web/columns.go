package web

import (
	"math"
	"slices"
	"sync"

	"github.com/machinable-go/machinable/storage"
)

// columns are the numeric values of one records scope of a component,
// key by key, for charts: read once and kept (a bounded number of them)
// until the file's stamp changes.
type columns struct {
	XKey string               // "_iteration" when every row has one, else "" (the row index)
	X    []float64            // the x of each row
	Y    map[string][]float64 // per numeric key, NaN where a row lacks it
	Keys []string             // the numeric keys, sorted
	Rows int
}

func readColumns(c *storage.ComponentView, scope string) (*columns, error) {
	cols := &columns{XKey: "_iteration", Y: map[string][]float64{}}
	idx := map[string]int{} // key -> index in ys; looked up without allocating
	var ys [][]float64
	err := eachRow(c, scope, func(fields []field) {
		n := cols.Rows
		iter := false
		for _, f := range fields {
			if !f.Num {
				continue
			}
			if string(f.Key) == "_iteration" && cols.XKey != "" {
				cols.X = append(cols.X, f.Value)
				iter = true
			}
			k, seen := idx[string(f.Key)]
			if !seen {
				k = len(ys)
				idx[string(f.Key)] = k
				ys = append(ys, nil)
				cols.Keys = append(cols.Keys, string(f.Key))
			}
			for len(ys[k]) < n { // rows before the key's first
				ys[k] = append(ys[k], math.NaN())
			}
			ys[k] = append(ys[k], f.Value)
		}
		if !iter {
			cols.XKey = ""
		}
		cols.Rows++
	})
	if err != nil {
		return nil, err
	}
	for k, i := range idx {
		y := ys[i]
		for len(y) < cols.Rows {
			y = append(y, math.NaN())
		}
		cols.Y[k] = y
	}
	slices.Sort(cols.Keys)
	if cols.XKey == "" {
		cols.X = make([]float64, cols.Rows)
		for i := range cols.X {
			cols.X[i] = float64(i)
		}
	}
	return cols, nil
}

type columnEntry struct {
	stamp storage.FileStamp
	cols  *columns
	used  uint64
}

// columnCache keeps the columns of the scopes charted last, up to max.
type columnCache struct {
	mu   sync.Mutex
	max  int
	tick uint64
	m    map[string]*columnEntry
}

func newColumnCache(max int) *columnCache {
	return &columnCache{max: max, m: map[string]*columnEntry{}}
}

func (cc *columnCache) get(c *storage.ComponentView, scope string) (*columns, error) {
	if err := storage.CheckScope(scope); err != nil {
		return nil, badRequest("%v", err)
	}
	stamp, err := c.Stamp(recordsFile(scope))
	if err != nil {
		return nil, err
	}
	key := c.URL() + "\x00" + scope
	cc.mu.Lock()
	cc.tick++
	if e, ok := cc.m[key]; ok && e.stamp == stamp {
		e.used = cc.tick
		cc.mu.Unlock()
		return e.cols, nil
	}
	cc.mu.Unlock()
	cols, err := readColumns(c, scope)
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if len(cc.m) >= cc.max { // drop the least recently used
		var oldest string
		var at uint64 = math.MaxUint64
		for k, e := range cc.m {
			if e.used < at {
				oldest, at = k, e.used
			}
		}
		delete(cc.m, oldest)
	}
	cc.m[key] = &columnEntry{stamp: stamp, cols: cols, used: cc.tick}
	return cols, nil
}
