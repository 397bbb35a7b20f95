package runtime

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/machinable-go/machinable/seeding"
	"github.com/machinable-go/machinable/storage"
)

// Self is what a component sees of itself: identity, config, flags and the
// services of its store. The dsl wraps it as the Starlark `self`; Go
// components receive it directly.
type Self struct {
	ID         string         // the 12-character component ID
	Name       string         // full name, as in ScheduledComponent
	Module     string         // dotted path of the component's code
	Config     map[string]any // the component's own copy; it may change it, as in 2.x
	Flags      map[string]any // the component may add keys
	Checkpoint string         // what on_restore receives; "" for none

	Store  *storage.Component // the component's directory
	Record *Record            // the "default" record scope
	Log    *Logger            // writes to log.txt and the console
	Output io.Writer          // where print() goes

	Node       *Self   // set on sub-components, from their construction on
	Components []*Self // set on nodes: each sub-component once it is built in on_init_components

	// Random is the component's Python-compatible random stream: the
	// Starlark `random` module draws from it, and the default seeding
	// (after on_seeding) seeds it with SEED, so draws from then on equal
	// Python's random.Random(SEED). Sub-components share their node's.
	Random *seeding.Random
	// Rand is a math/rand/v2 generator over Random, for Go components.
	Rand *rand.Rand

	// Project is the project directory (where external programs run).
	Project string
	// Requeue is closed when the scheduler asks for a requeue (Slurm's
	// pre-timeout signal); components that implement RequeueHandler watch
	// it themselves.
	Requeue <-chan struct{}

	// Mixins are the mixins listed in the config's _mixins_, with their
	// code; see Mixin and CallMixin.
	Mixins []*MixinRef

	// Attrs holds state a Go component keeps between events.
	Attrs map[string]any

	// Iteration is the current iteration number, -1 outside iterations.
	Iteration int

	// SaveCheckpoint calls on_save of the component; set by the life cycle.
	SaveCheckpoint func(timestep any) (string, error)

	writers sync.Map // scope -> *Record

	trial *trialState // set on a tuning trial's node run with a Tuner

	// executeStart is when on_execute began (Unix nanoseconds, atomic: a
	// goroutine of the component may save a row meanwhile): records time
	// their first row from it, as 2.0's statistics["on_execute_start"].
	executeStart atomic.Int64
}

// MarkExecuteStart notes that the component's execution begins now.
func (s *Self) MarkExecuteStart() { s.executeStart.Store(time.Now().UnixNano()) }

// RecordWriter returns the record of a scope, creating it on first use.
func (s *Self) RecordWriter(scope string) (*Record, error) {
	if scope == "" || scope == "default" {
		return s.Record, nil
	}
	if r, ok := s.writers.Load(scope); ok {
		return r.(*Record), nil
	}
	w, err := s.Store.Records(scope)
	if err != nil {
		return nil, err
	}
	r, _ := s.writers.LoadOrStore(scope, newRecord(w, s))
	return r.(*Record), nil
}

// RecordScopes lists the scopes whose records this component has asked
// for: "default" and each RecordWriter scope, sorted.
func (s *Self) RecordScopes() []string {
	scopes := []string{"default"}
	s.writers.Range(func(k, _ any) bool {
		scopes = append(scopes, k.(string))
		return true
	})
	slices.Sort(scopes)
	return scopes
}

// Logger writes "time LEVEL message" lines to the component's log.txt and
// to the console.
type Logger struct {
	file    io.Writer
	console io.Writer
	prefix  string
}

// NewLogger returns a logger; console may be nil.
func NewLogger(file, console io.Writer, prefix string) *Logger {
	return &Logger{file: file, console: console, prefix: prefix}
}

// Log writes one line at a level (DEBUG, INFO, WARNING, ERROR).
func (l *Logger) Log(level, msg string) error {
	line := fmt.Sprintf("%s %s %s\n", time.Now().Format("2006-01-02T15:04:05.000"), level, msg)
	if l.console != nil {
		fmt.Fprintf(l.console, "%s%s: %s\n", l.prefix, level, msg)
	}
	_, err := io.WriteString(l.file, line)
	return err
}

// NewRandom returns a fresh, unseeded (entropy-seeded) stream and a
// math/rand/v2 generator over it, as every component starts with.
func NewRandom() (*seeding.Random, *rand.Rand) {
	r := seeding.New(seeding.FreshGlobalSeed())
	return r, rand.New(pythonSource{r})
}

// pythonSource adapts the Python-compatible stream to math/rand/v2, so a
// Go component seeded by machinable is reproducible too.
type pythonSource struct{ r *seeding.Random }

// Uint64 implements rand.Source with 64 bits of the Python stream.
func (p pythonSource) Uint64() uint64 { return p.r.GetRandBits64(64) }
