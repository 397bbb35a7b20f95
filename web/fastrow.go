package web

import (
	"errors"
	"fmt"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/storage"
)

// field is one key of a row and, when it is a finite number, its value.
type field = storage.RowField

// eachRow streams the rows of a scope as fields: storage.ScanFlatRow
// where it can, the full decoder where it cannot.
func eachRow(c *storage.ComponentView, scope string, fn func(fields []field)) error {
	var scratch []field
	var err error
	lerr := c.RecordLines(scope, func(n int, line []byte) bool {
		var ok bool
		if scratch, ok = storage.ScanFlatRow(line, scratch); ok {
			fn(scratch)
			return true
		}
		var row map[string]any
		if err = jsonvalue.Unmarshal(line, &row); err != nil || row == nil {
			if err == nil {
				err = errors.New("expected a JSON object (a row), got null")
			}
			err = fmt.Errorf("records %q line %d: %w", scope, n, err)
			return false
		}
		scratch = scratch[:0]
		for k, v := range jsonvalue.NormalizeMap(row) {
			f, num := number(v)
			scratch = append(scratch, field{Key: []byte(k), Value: f, Num: num})
		}
		fn(scratch)
		return true
	})
	if lerr != nil {
		return lerr
	}
	return err
}
