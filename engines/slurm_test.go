package engines

import "testing"

// TestSlurmWaits: the "wait" option decides; unset, the engine waits
// only when someone watches the console.
func TestSlurmWaits(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		wait       *bool
		unattended bool
		want       bool
	}{
		{nil, false, true}, {nil, true, false},
		{&yes, true, true}, {&no, false, false},
	} {
		if got := (slurmOptions{wait: tc.wait}).waits(&Job{Unattended: tc.unattended}); got != tc.want {
			t.Errorf("wait %v, unattended %v: got %v", tc.wait != nil && *tc.wait, tc.unattended, got)
		}
	}
}
