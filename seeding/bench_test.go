package seeding

import "testing"

func BenchmarkRandom(b *testing.B) {
	r := New(42)
	for b.Loop() {
		r.Random()
	}
}

func BenchmarkNextComponentID(b *testing.B) {
	s := NewStreams(7957417341)
	for b.Loop() {
		s.NextComponentID()
	}
}

func BenchmarkGauss(b *testing.B) {
	r := New(42)
	for b.Loop() {
		r.Gauss(0, 1)
	}
}
