package backup

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// WarnSize is the size of a code backup above which Write warns: code
// is rarely that large, data or results in the project usually are.
const WarnSize = 50 << 20

// zipCounter counts the bytes of the zip as they are written.
type zipCounter struct {
	w io.Writer
	n int64
}

func (c *zipCounter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// sizeWarning says that a backup of size bytes is large and names its
// three largest top-level folders by the bytes stored below them
// (byDir); "" when size is within WarnSize.
func sizeWarning(size int64, byDir map[string]int64) string {
	if size <= WarnSize {
		return ""
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Slice(dirs, func(i, j int) bool {
		if byDir[dirs[i]] != byDir[dirs[j]] {
			return byDir[dirs[i]] > byDir[dirs[j]]
		}
		return dirs[i] < dirs[j]
	})
	if len(dirs) > 3 {
		dirs = dirs[:3]
	}
	named := make([]string, len(dirs))
	for i, d := range dirs {
		named[i] = fmt.Sprintf("%s (%s)", d, formatSize(byDir[d]))
	}
	largest := "no folders: the files are at the top of the project"
	if len(named) > 0 {
		largest = "largest folders: " + strings.Join(named, ", ")
	}
	return fmt.Sprintf("the backup is %s (more than %s); %s. Leave out what is not code with code_backup: {exclude: [\"folder/\"]} in machinable.yaml",
		formatSize(size), formatSize(WarnSize), largest)
}
