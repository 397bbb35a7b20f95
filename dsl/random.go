package dsl

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/machinable-go/machinable/seeding"
	"go.starlark.net/starlark"
)

// randomModule is the `random` module: CPython's random.Random algorithms
// (from package seeding), so a component ported from Python draws the same
// numbers for the same seed. Each component instance gets its own, seeded
// with its SEED by the default seeding.
type randomModule struct {
	r *seeding.Random
}

var _ starlark.HasAttrs = (*randomModule)(nil)

// newRandomModule returns a module over r, or over a freshly seeded
// stream when r is nil (Python's unseeded behaviour).
func newRandomModule(r *seeding.Random) *randomModule {
	if r == nil {
		r = seeding.New(seeding.FreshGlobalSeed())
	}
	return &randomModule{r: r}
}

func (m *randomModule) String() string        { return "<module random>" }
func (m *randomModule) Type() string          { return "module" }
func (m *randomModule) Freeze()               {}
func (m *randomModule) Truth() starlark.Bool  { return true }
func (m *randomModule) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: module") }

type randomFunc func(m *randomModule, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

var randomFuncs = map[string]randomFunc{
	"seed":          randSeed,
	"random":        randRandom,
	"uniform":       randUniform,
	"randint":       randInt,
	"randrange":     randRange,
	"choice":        randChoice,
	"choices":       randChoices,
	"shuffle":       randShuffle,
	"sample":        randSample,
	"gauss":         randGauss,
	"normalvariate": randGauss,
	"getrandbits":   randGetrandbits,
}

func (m *randomModule) AttrNames() []string {
	names := make([]string, 0, len(randomFuncs))
	for n := range randomFuncs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (m *randomModule) Attr(name string) (starlark.Value, error) {
	fn, ok := randomFuncs[name]
	if !ok {
		return nil, noSuchAttr(m, name)
	}
	return starlark.NewBuiltin("random."+name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return fn(m, b, args, kwargs)
	}), nil
}

func bigOf(v starlark.Int) *big.Int { return v.BigInt() }

// MaxRandomDraw is the most elements one call of choices or sample draws,
// and the most bits getrandbits draws. Python has no such limit and
// fails only when memory runs out; here a call that would need gigabytes
// (choices(k=2**40)) is refused at once, naming the limit.
const MaxRandomDraw = 10_000_000

// checkDraw refuses a draw of more than MaxRandomDraw elements or bits.
func checkDraw(fn, arg string, n int, unit string) error {
	if n > MaxRandomDraw {
		return fmt.Errorf("%s: %s=%d: expected at most %d %s per call", fn, arg, n, MaxRandomDraw, unit)
	}
	return nil
}

func randSeed(m *randomModule, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var a starlark.Value = starlark.None
	if err := unpackArgs(b.Name(), args, kwargs, "a?", &a); err != nil {
		return nil, err
	}
	// As Python: ints by value, str and bytes through SHA-512, floats by
	// their hash, bools as 0 and 1.
	switch x := a.(type) {
	case starlark.NoneType:
		m.r.Seed(seeding.FreshGlobalSeed())
	case starlark.Int:
		m.r.SeedBig(bigOf(x))
	case starlark.Bool:
		m.r.Seed(map[bool]int64{false: 0, true: 1}[bool(x)])
	case starlark.String:
		m.r.SeedString(string(x))
	case starlark.Bytes:
		m.r.SeedBytes([]byte(x))
	case starlark.Float:
		if err := m.r.SeedFloat(float64(x)); err != nil {
			return nil, fmt.Errorf("%s: %v", b.Name(), err)
		}
	default:
		return nil, fmt.Errorf("%s: expected None, an int, a float, a string or bytes, got %s", b.Name(), a.Type())
	}
	return starlark.None, nil
}

func randRandom(m *randomModule, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	return starlark.Float(m.r.Random()), nil
}

// number unpacks an int or a float argument as a float, as Python's
// random functions accept both.
type number float64

func (n *number) Unpack(v starlark.Value) error {
	f, ok := starlark.AsFloat(v)
	if !ok {
		return fmt.Errorf("got %s, want a number", v.Type())
	}
	*n = number(f)
	return nil
}

func randUniform(m *randomModule, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var lo, hi number
	if err := unpackArgs(b.Name(), args, kwargs, "a", &lo, "b", &hi); err != nil {
		return nil, err
	}
	return starlark.Float(m.r.Uniform(float64(lo), float64(hi))), nil
}

func randInt(m *randomModule, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var lo, hi starlark.Int
	if err := unpackArgs(b.Name(), args, kwargs, "a", &lo, "b", &hi); err != nil {
		return nil, err
	}
	v, err := m.r.RandIntBig(bigOf(lo), bigOf(hi))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.MakeBigInt(v), nil
}

func randRange(m *randomModule, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var start starlark.Int
	var stop starlark.Value = starlark.None
	step := starlark.MakeInt(1)
	if err := unpackArgs(b.Name(), args, kwargs, "start", &start, "stop?", &stop, "step?", &step); err != nil {
		return nil, err
	}
	lo, hi := big.NewInt(0), bigOf(start)
	if stop != starlark.None {
		s, ok := stop.(starlark.Int)
		if !ok {
			return nil, fmt.Errorf("%s: stop: expected an int, got %s", b.Name(), stop.Type())
		}
		lo, hi = bigOf(start), bigOf(s)
	}
	v, err := m.r.RandRangeBig(lo, hi, bigOf(step))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.MakeBigInt(v), nil
}

func sequence(fn string, v starlark.Value) (starlark.Indexable, error) {
	seq, ok := v.(starlark.Indexable)
	if !ok {
		return nil, fmt.Errorf("%s: expected a sequence (list, tuple, string), got %s", fn, v.Type())
	}
	return seq, nil
}

func randChoice(m *randomModule, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := unpackArgs(b.Name(), args, kwargs, "seq", &v); err != nil {
		return nil, err
	}
	seq, err := sequence(b.Name(), v)
	if err != nil {
		return nil, err
	}
	i, err := m.r.Choice(seq.Len())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return seq.Index(i), nil
}

func floats(fn, what string, v starlark.Value) ([]float64, error) {
	if v == starlark.None {
		return nil, nil
	}
	seq, err := sequence(fn, v)
	if err != nil {
		return nil, err
	}
	if err := checkLazyLen(seq); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", fn, what, err)
	}
	out := make([]float64, seq.Len())
	for i := range out {
		f, ok := starlark.AsFloat(seq.Index(i))
		if !ok {
			return nil, fmt.Errorf("%s: %s[%d]: expected a number, got %s", fn, what, i, seq.Index(i).Type())
		}
		out[i] = f
	}
	return out, nil
}

func randChoices(m *randomModule, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var pop starlark.Value
	var weights, cum starlark.Value = starlark.None, starlark.None
	k := 1
	if err := unpackArgs(b.Name(), args, kwargs, "population", &pop, "weights?", &weights, "cum_weights?", &cum, "k?", &k); err != nil {
		return nil, err
	}
	seq, err := sequence(b.Name(), pop)
	if err != nil {
		return nil, err
	}
	if err := checkDraw(b.Name(), "k", k, "elements"); err != nil {
		return nil, err
	}
	w, err := floats(b.Name(), "weights", weights)
	if err != nil {
		return nil, err
	}
	cw, err := floats(b.Name(), "cum_weights", cum)
	if err != nil {
		return nil, err
	}
	idx, err := m.r.Choices(seq.Len(), w, cw, k)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	out := make([]starlark.Value, len(idx))
	for i, j := range idx {
		out[i] = seq.Index(j)
	}
	return starlark.NewList(out), nil
}

func randShuffle(m *randomModule, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var list *starlark.List
	if err := unpackArgs(b.Name(), args, kwargs, "x", &list); err != nil {
		return nil, err
	}
	elems := make([]starlark.Value, list.Len())
	for i := range elems {
		elems[i] = list.Index(i)
	}
	m.r.Shuffle(len(elems), func(i, j int) { elems[i], elems[j] = elems[j], elems[i] })
	for i, e := range elems {
		if err := list.SetIndex(i, e); err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
	}
	return starlark.None, nil
}

func randSample(m *randomModule, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var pop starlark.Value
	var k int
	if err := unpackArgs(b.Name(), args, kwargs, "population", &pop, "k", &k); err != nil {
		return nil, err
	}
	seq, err := sequence(b.Name(), pop)
	if err != nil {
		return nil, err
	}
	if k <= seq.Len() { // a larger k gets Python's own error
		if err := checkDraw(b.Name(), "k", k, "elements"); err != nil {
			return nil, err
		}
	}
	idx, err := m.r.Sample(seq.Len(), k)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	out := make([]starlark.Value, len(idx))
	for i, j := range idx {
		out[i] = seq.Index(j)
	}
	return starlark.NewList(out), nil
}

func randGauss(m *randomModule, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	mu, sigma := number(0), number(1)
	if err := unpackArgs(b.Name(), args, kwargs, "mu?", &mu, "sigma?", &sigma); err != nil {
		return nil, err
	}
	if b.Name() == "random.normalvariate" {
		return starlark.Float(m.r.NormalVariate(float64(mu), float64(sigma))), nil
	}
	return starlark.Float(m.r.Gauss(float64(mu), float64(sigma))), nil
}

func randGetrandbits(m *randomModule, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var k int
	if err := unpackArgs(b.Name(), args, kwargs, "k", &k); err != nil {
		return nil, err
	}
	if k < 0 {
		return nil, fmt.Errorf("%s: number of bits must be non-negative", b.Name())
	}
	if err := checkDraw(b.Name(), "k", k, "bits"); err != nil {
		return nil, err
	}
	return starlark.MakeBigInt(m.r.GetRandBits(k)), nil
}
