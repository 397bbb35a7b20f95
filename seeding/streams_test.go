package seeding

import "testing"

// TestStreamsReference pins the documented example for experiment 8gWVkz.
func TestStreamsReference(t *testing.T) {
	s := NewStreams(7957417341)
	if got := s.NextSeed(); got != 2055422843 {
		t.Fatalf("first NextSeed() = %d, want 2055422843", got)
	}
	want := []struct {
		seed int64
		id   string
	}{
		{263761070, "e9DJBHuoiCvn"},
		{611082855, "XfOWPgKJCcuh"},
		{102001072, "9NTO7Rgg7Ag1"},
	}
	for i, w := range want {
		seed, id := s.NextSeed(), s.NextComponentID()
		if seed != w.seed || id != w.id {
			t.Errorf("draw %d: got (%d, %q), want (%d, %q)", i, seed, id, w.seed, w.id)
		}
	}
}

// TestStreamsIndependent checks that drawing IDs does not shift seeds.
func TestStreamsIndependent(t *testing.T) {
	a, b := NewStreams(916132832), NewStreams(916132832)
	for range 5 {
		a.NextComponentID()
	}
	for i := range 5 {
		if x, y := a.NextSeed(), b.NextSeed(); x != y {
			t.Fatalf("seed %d: %d != %d after drawing IDs", i, x, y)
		}
	}
}
