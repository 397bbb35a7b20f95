package backup

import (
	"strconv"
	"strings"
)

// formatSize renders a byte count for skip reasons, e.g. "12.3 MB", "10 MB",
// "150 B", so that a reader sees at a glance why a file was left out.
func formatSize(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	v := float64(n)
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatInt(n, 10) + " B"
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return s + " " + units[i]
}
