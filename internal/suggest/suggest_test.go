package suggest

import "testing"

func TestNearest(t *testing.T) {
	known := []string{"native", "dry", "slurm"}
	for in, want := range map[string]string{"natve": "native", "nativ": "native", "dyr": "dry", "x": "", "kubernetes": ""} {
		if got := Nearest(in, known); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", in, got, want)
		}
	}
	if d := Distance("kitten", "sitting"); d != 3 {
		t.Errorf("Distance = %d", d)
	}
}
