// Package suggest finds the nearest known name to a misspelt one, for
// "did you mean" hints in error messages.
package suggest

// Nearest returns the candidate closest to name by edit distance, or ""
// when none is close enough to be a plausible typo.
func Nearest(name string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := Distance(name, c)
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := len(name)/3 + 1
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

// Distance is the Levenshtein distance between a and b.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
