package progress

import "strings"

const (
	sgrRed   = "\x1b[31m"
	sgrReset = "\x1b[0m"
)

// painter colors text when enabled (NO_COLOR gives a disabled one).
type painter bool

// red colors s, keeping a trailing newline outside the escape codes.
func (p painter) red(s string) string {
	if !p || s == "" {
		return s
	}
	body, nl := strings.CutSuffix(s, "\n")
	s = sgrRed + body + sgrReset
	if nl {
		s += "\n"
	}
	return s
}

// redLines colors the lines of s that start with prefix.
func (p painter) redLines(s, prefix string) string {
	if !p {
		return s
	}
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			lines[i] = p.red(l)
		}
	}
	return strings.Join(lines, "")
}
