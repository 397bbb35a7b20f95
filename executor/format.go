package executor

import (
	"encoding/json"
	"strings"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func normalizeMap(m map[string]any) map[string]any { return jsonvalue.NormalizeMap(m) }
