package project

import (
	"fmt"
	"github.com/machinable-go/machinable/internal/suggest"
	"strings"
)

// didYouMean returns ` (did you mean "x"?)` for the candidate nearest to
// name by edit distance, or "" when none is close enough to be a typo.
func didYouMean(name string, candidates []string) string {
	if n := nearest(name, candidates); n != "" {
		return fmt.Sprintf(" (did you mean %q?)", n)
	}
	return ""
}

// nearest picks the closest candidate, ignoring case, within a distance
// that grows with the length of name (the rule go.starlark.net uses for
// its "did you mean" hints), and never so far that nothing of name is
// left (a one-letter name does not suggest another one-letter name). Ties
// go to the earlier candidate.
func nearest(name string, candidates []string) string {
	best, bestDist := "", 1+len(name)/4+1
	lower := strings.ToLower(name)
	for _, c := range candidates {
		if c == name {
			continue
		}
		if d := suggest.Distance(lower, strings.ToLower(c)); d < bestDist && d < len(name) {
			best, bestDist = c, d
		}
	}
	return best
}
