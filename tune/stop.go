package tune

import (
	"fmt"
	"sort"
	"strings"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// Conditions are stop={...}: a trial ends when one of its record rows
// meets one of them. For the tuned metric "meets" follows the mode (at
// most the value for "min", at least for "max"); for any other key it is
// "at least", as Ray Tune's dict stopper (e.g. {"_iteration": 100}).
type Conditions struct {
	Limits map[string]float64
	Metric string
	Mode   Mode
}

// Met says which condition a row meets, "" for none. Keys missing from
// the row or not numbers do not count.
func (c Conditions) Met(row map[string]any) string {
	keys := make([]string, 0, len(c.Limits))
	for k := range c.Limits {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, ok := jsonvalue.Float(row[k])
		if !ok {
			continue
		}
		limit := c.Limits[k]
		if (k == c.Metric && c.Mode == Min && v <= limit) || ((k != c.Metric || c.Mode != Min) && v >= limit) {
			return fmt.Sprintf("%s=%v reached %v", k, v, limit)
		}
	}
	return ""
}

func (c Conditions) String() string {
	parts := make([]string, 0, len(c.Limits))
	for k, v := range c.Limits {
		parts = append(parts, fmt.Sprintf("%s: %v", k, v))
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ", ") + "}"
}
