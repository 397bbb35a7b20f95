package seeding

// componentIDAlphabet is machinable's alphabet for component IDs; unlike
// base62Alphabet it puts upper case first.
const (
	componentIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	componentIDLength   = 12
	maxComponentSeed    = 1<<31 - 1
)

// Streams are the two per-experiment random streams machinable derives
// from a global seed: one for component seeds and one for component IDs.
// They are separate generators so drawing IDs never shifts the seeds.
type Streams struct {
	seeds *Random
	ids   *Random
}

// NewStreams returns both streams, each seeded with Random(globalSeed).
func NewStreams(globalSeed int64) *Streams {
	return &Streams{seeds: New(globalSeed), ids: New(globalSeed)}
}

// NextSeed returns the next component seed: randint(0, 2**31-1) on the
// seed stream.
func (s *Streams) NextSeed() int64 {
	v, err := s.seeds.RandInt(0, maxComponentSeed)
	if err != nil {
		panic(err) // unreachable: the range is a non-empty constant
	}
	return v
}

// NextComponentID returns the next 12-character component ID: one choice
// over componentIDAlphabet per character on the ID stream.
func (s *Streams) NextComponentID() string {
	var buf [componentIDLength]byte
	for i := range buf {
		buf[i] = componentIDAlphabet[s.ids.RandBelow(uint64(len(componentIDAlphabet)))]
	}
	return string(buf[:])
}
