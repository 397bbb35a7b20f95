package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/machinable-go/machinable/internal/jsonvalue"
	"github.com/machinable-go/machinable/tune"
)

// ComponentSpec is one component of a plan: a name from machinable.yaml, a
// version, and for a node its sub-components.
type ComponentSpec struct {
	// Name is a component of machinable.yaml (full name or alias) or of a
	// Go component registered under that name.
	Name string `json:"name"`
	// Version patches the component's defaults; the zero value keeps them.
	Version Version `json:"version,omitzero"`
	// Checkpoint is handed to on_restore and set as the flag CHECKPOINT.
	Checkpoint string `json:"checkpoint,omitempty"`
	// Flags are the component's own flags; those the resolver sets (SEED,
	// COMPONENT_ID, ...) override them.
	Flags map[string]any `json:"flags,omitempty"`
	// Resources are what the component asks of an engine (e.g. Slurm's
	// cpus or memory).
	Resources map[string]any `json:"resources,omitempty"`
	// Command, when set, makes the component an external program: the
	// argument list (or one shell string) stored as the config's _exec_.
	Command any `json:"command,omitempty"`
	// ResourcesFunc, when set, computes the resources from the resolved
	// config of each variant (a Starlark function in scripts); its result
	// is merged over Resources. It is not serialized: the schedule keeps
	// the computed resources.
	ResourcesFunc func(config map[string]any) (map[string]any, error) `json:"-"`
	// Components are the sub-components of a node, handed to its
	// on_create.
	Components []ComponentSpec `json:"components,omitempty"`
}

// Repeat is one .repeat() or .split() call. As in machinable 2.x it covers
// the whole experiment, also components added after the call; its flags
// carry the suffix of its level (its position among all repeat and split
// calls: none for the first, _1 for the second, ...).
type Repeat struct {
	Kind string `json:"kind"`           // "repeat" or "split"
	Name string `json:"name"`           // flag prefix, REPEAT or SPLIT by default
	K    int    `json:"k"`              // number of trials or splits, >= 0 (0 drops the level's flags, as 2.x)
	Mode string `json:"mode,omitempty"` // "independent" (the only mode 2.x has); "" means it
	// Covers is only found in plans stored before repeats covered the
	// whole experiment (schedule format 1): how many components were
	// added before the call. New plans leave it 0; it is kept so such
	// plans read back unchanged.
	Covers int `json:"covers,omitempty"`
}

// RepeatModeIndependent is the mode of every repeat and split: each trial
// gets its own seed.
const RepeatModeIndependent = "independent"

// Experiment is a plan: nothing runs until it is executed. Every method
// returns the experiment so calls chain, as in the script.
type Experiment struct {
	Components []ComponentSpec `json:"components"`          // in the order added
	Versions   []Version       `json:"versions,omitempty"`  // applied after each component's own
	Repeats    []Repeat        `json:"repeats,omitempty"`   // in call order
	Directory  string          `json:"directory,omitempty"` // see SetDirectory
	Tune       *Tune           `json:"tune,omitempty"`      // see SetTune; nil: not tuned
}

// NewExperiment returns an empty plan.
func NewExperiment() *Experiment { return &Experiment{} }

// Component adds a component.
func (e *Experiment) Component(spec ComponentSpec) *Experiment {
	e.Components = append(e.Components, spec)
	return e
}

// Node adds a node component with sub-components.
func (e *Experiment) Node(node ComponentSpec, subs ...ComponentSpec) *Experiment {
	node.Components = append(node.Components, subs...)
	return e.Component(node)
}

// Version adds a patch applied to every component of the experiment.
func (e *Experiment) Version(v Version) *Experiment {
	if !v.IsDefault() {
		e.Versions = append(e.Versions, v)
	}
	return e
}

// Repeat adds k independent trials of the whole experiment, components
// added later included.
func (e *Experiment) Repeat(k int, name string) *Experiment {
	return e.addRepeat("repeat", "REPEAT", k, name)
}

// Split adds k splits (cross-validation style) of the whole experiment.
func (e *Experiment) Split(k int, name string) *Experiment {
	return e.addRepeat("split", "SPLIT", k, name)
}

func (e *Experiment) addRepeat(kind, def string, k int, name string) *Experiment {
	if name == "" {
		name = def
	}
	e.Repeats = append(e.Repeats, Repeat{Kind: kind, Name: name, K: k, Mode: RepeatModeIndependent})
	return e
}

// SetDirectory sets the storage sub-directory; strftime placeholders such
// as %Y-%m-%d are expanded when the experiment is executed.
func (e *Experiment) SetDirectory(dir string) error {
	if err := ValidateDirectory(dir); err != nil {
		return err
	}
	e.Directory = dir
	return nil
}

// ValidateDirectory refuses directories that would leave the storage.
func ValidateDirectory(dir string) error {
	switch {
	case dir == "":
		return nil
	case strings.HasPrefix(dir, "/") || strings.HasPrefix(dir, "~") || strings.Contains(dir, `\`):
		return fmt.Errorf("directory %q: expected a relative path inside the storage", dir)
	case path.Clean(dir) == ".." || strings.HasPrefix(path.Clean(dir), "../"):
		return fmt.Errorf("directory %q: escapes the storage", dir)
	}
	return nil
}

// MaxScheduledComponents is the most components one execution may
// schedule, counting every repeat, split and version alternative. Plans
// that would schedule more are refused before anything is resolved: a
// sweep of that size is a mistake (repeat(2**40), a cross product of long
// lists), not an experiment. Schedules are streamed (Resolver.Stream), so
// the limit bounds time, not memory: a component costs 10-30 µs to
// resolve.
const MaxScheduledComponents = 1_000_000

// Validate checks what can be checked without a project, including the
// number of components the plan schedules (MaxScheduledComponents).
func (e *Experiment) Validate() error {
	if len(e.Components) == 0 {
		return errors.New("experiment has no components: add one with .component(name)")
	}
	if err := e.check(); err != nil {
		return err
	}
	if n := e.ScheduledCount(); n > MaxScheduledComponents {
		return fmt.Errorf("experiment schedules %s components (%s): expected at most %d; use fewer repeats, splits or version alternatives", countText(n), e.countDetail(), MaxScheduledComponents)
	}
	return nil
}

// check validates the fields of a plan, which may still be empty (a plan
// read back from JSON can get its components later).
func (e *Experiment) check() error {
	for _, r := range e.Repeats {
		if err := r.check(); err != nil {
			return err
		}
	}
	var check func(c ComponentSpec, where string) error
	check = func(c ComponentSpec, where string) error {
		if c.Name == "" {
			return errors.New("component without a name: expected the name of a component of machinable.yaml or a registered Go component")
		}
		if err := c.Version.check(); err != nil {
			return fmt.Errorf("%scomponent %q: version: %w", where, c.Name, err)
		}
		for _, s := range c.Components {
			if err := check(s, fmt.Sprintf("node %q: ", c.Name)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, c := range e.Components {
		if err := check(c, ""); err != nil {
			return err
		}
	}
	for i, v := range e.Versions {
		if err := v.check(); err != nil {
			return fmt.Errorf("experiment version %d: %w", i+1, err)
		}
	}
	if e.Tune != nil {
		if err := e.Tune.check(); err != nil {
			return err
		}
	}
	if err := e.checkSpaces(); err != nil {
		return err
	}
	return ValidateDirectory(e.Directory)
}

// check validates one repeat or split level.
func (r Repeat) check() error {
	if r.Kind != "repeat" && r.Kind != "split" {
		return fmt.Errorf("repeat kind %q: expected \"repeat\" or \"split\"", r.Kind)
	}
	if r.K < 0 {
		return fmt.Errorf(".%s(%d): expected k >= 0", r.Kind, r.K)
	}
	if r.K > MaxScheduledComponents {
		return fmt.Errorf(".%s(%d): expected k <= %d, the most components an experiment schedules", r.Kind, r.K, MaxScheduledComponents)
	}
	if r.Name == "" {
		return fmt.Errorf(".%s(%d, name=\"\"): expected a flag prefix such as %q", r.Kind, r.K, strings.ToUpper(r.Kind))
	}
	if r.Mode != "" && r.Mode != RepeatModeIndependent {
		return fmt.Errorf(".%s(%d, mode=%q): expected mode %q, the only mode machinable has", r.Kind, r.K, r.Mode, RepeatModeIndependent)
	}
	if r.Covers < 0 {
		return fmt.Errorf(".%s(%d): covers %d: expected a number of components >= 0", r.Kind, r.K, r.Covers)
	}
	return nil
}

// check validates a version term and its items.
func (v Version) check() error {
	switch v.Kind {
	case VersionDefault, VersionPatch, VersionYAML:
	case VersionNamed:
		if v.Name == "" {
			return errors.New(`named version without a name: expected "~name" or "_mixin_"`)
		}
	case VersionMerge, VersionIterate:
		for _, item := range v.Items {
			if err := item.check(); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unknown version kind %q: expected one of patch, named, yaml, merge, iterate (or none for the defaults)", v.Kind)
	}
	return nil
}

// ScheduledCount is how many components the plan schedules: for every
// repeat combination, every alternative of every component (its version
// crossed with the experiment's versions and, for a node, with the
// alternatives of its sub-components). It is computed from the plan
// alone, saturating above MaxScheduledComponents, so a huge plan costs
// nothing to count.
func (e *Experiment) ScheduledCount() uint64 {
	return satMul(e.combinations(), e.variants())
}

// combinations counts repeat combinations as repeatCombinations builds
// them: each level multiplies, a level of k = 0 empties the list, and an
// empty list runs once.
func (e *Experiment) combinations() uint64 {
	var n uint64
	for _, r := range e.Repeats {
		k := uint64(max(r.K, 0))
		if n == 0 {
			n = k
		} else {
			n = satMul(n, k)
		}
	}
	return max(n, 1)
}

// variants counts the alternatives of all components of one combination.
func (e *Experiment) variants() uint64 {
	var exp uint64 = 1
	for _, v := range e.Versions {
		exp = satMul(exp, v.alternatives())
	}
	var spec func(c ComponentSpec) uint64
	spec = func(c ComponentSpec) uint64 {
		n := satMul(exp, c.Version.alternatives())
		for _, s := range c.Components {
			n = satMul(n, spec(s))
		}
		return n
	}
	var total uint64
	for _, c := range e.Components {
		total = satAdd(total, satMul(spec(c), e.trialsPerVariant(c)))
	}
	return total
}

// alternatives counts what Expand returns: a list adds, a tuple
// multiplies.
func (v Version) alternatives() uint64 {
	switch v.Kind {
	case VersionMerge:
		var n uint64 = 1
		for _, item := range v.Items {
			n = satMul(n, item.alternatives())
		}
		return n
	case VersionIterate:
		var n uint64
		for _, item := range v.Items {
			n = satAdd(n, item.alternatives())
		}
		return n
	}
	return 1
}

// countLimit is where counts saturate: anything above the limit is
// refused, so larger values need not be exact.
const countLimit = uint64(MaxScheduledComponents) + 1

func satMul(a, b uint64) uint64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a >= countLimit || b >= countLimit || a > countLimit/b {
		return countLimit
	}
	return min(a*b, countLimit)
}

func satAdd(a, b uint64) uint64 { return min(a+b, countLimit) }

// countText words a saturated count.
func countText(n uint64) string {
	if n >= countLimit {
		return fmt.Sprintf("more than %d", MaxScheduledComponents)
	}
	return fmt.Sprint(n)
}

// countDetail says where a count comes from, for the refusal.
func (e *Experiment) countDetail() string {
	return fmt.Sprintf("%s repeat combination(s) x %s component alternative(s)", countText(e.combinations()), countText(e.variants()))
}

// Clone returns a deep copy that shares nothing mutable with e; functions
// (ResourcesFunc, Computed version values) are shared, they do not change.
func (e *Experiment) Clone() *Experiment {
	out := *e
	out.Components = cloneSpecs(e.Components)
	out.Versions = cloneVersions(e.Versions)
	out.Repeats = slices.Clone(e.Repeats)
	out.Tune = e.Tune.clone()
	return &out
}

func cloneSpecs(specs []ComponentSpec) []ComponentSpec {
	if specs == nil {
		return nil
	}
	out := make([]ComponentSpec, len(specs))
	for i, c := range specs {
		c.Version = cloneVersion(c.Version)
		c.Flags = copyConfig(c.Flags)
		c.Resources = copyConfig(c.Resources)
		c.Command = jsonvalue.DeepCopy(c.Command)
		c.Components = cloneSpecs(c.Components)
		out[i] = c
	}
	return out
}

func cloneVersions(vs []Version) []Version {
	if vs == nil {
		return nil
	}
	out := make([]Version, len(vs))
	for i, v := range vs {
		out[i] = cloneVersion(v)
	}
	return out
}

func cloneVersion(v Version) Version {
	v.Values = copyConfig(v.Values)
	v.Items = cloneVersions(v.Items)
	return v
}

// copyConfig deep-copies a map of config values, keeping nil as nil.
func copyConfig(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return jsonvalue.DeepCopy(m).(map[string]any)
}

// JSON serializes the plan; ParseExperiment rebuilds it.
func (e *Experiment) JSON() ([]byte, error) { return json.MarshalIndent(e, "", "  ") }

// ParseExperiment rebuilds a plan from its JSON form. Numbers come back as
// int64 where they are whole, so a round trip keeps the config types. The
// plan is checked as the methods that build one check their arguments
// (repeat kinds, k, flag prefixes, component names, version kinds, the
// directory, the size of the schedule); it may have no components yet.
func ParseExperiment(data []byte) (*Experiment, error) {
	var e Experiment
	if err := jsonvalue.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("experiment JSON: %w", err)
	}
	normalizeExperiment(&e)
	if err := decodeSpaces(&e); err != nil {
		return nil, fmt.Errorf("experiment JSON: %w", err)
	}
	if err := e.check(); err != nil {
		return nil, fmt.Errorf("experiment JSON: %w", err)
	}
	if n := e.ScheduledCount(); len(e.Components) > 0 && n > MaxScheduledComponents {
		return nil, fmt.Errorf("experiment JSON: the plan schedules %s components (%s): expected at most %d", countText(n), e.countDetail(), MaxScheduledComponents)
	}
	return &e, nil
}

func normalizeExperiment(e *Experiment) {
	var comp func(c *ComponentSpec)
	comp = func(c *ComponentSpec) {
		normalizeVersion(&c.Version)
		c.Flags = jsonvalue.NormalizeMap(c.Flags)
		c.Resources = jsonvalue.NormalizeMap(c.Resources)
		if c.Command != nil {
			c.Command = jsonvalue.Normalize(c.Command)
		}
		for i := range c.Components {
			comp(&c.Components[i])
		}
	}
	for i := range e.Components {
		comp(&e.Components[i])
	}
	for i := range e.Versions {
		normalizeVersion(&e.Versions[i])
	}
}

// decodeSpaces turns the stored form of search spaces back into them.
func decodeSpaces(e *Experiment) error {
	var version func(v *Version) error
	version = func(v *Version) error {
		if _, err := tune.DecodeAll(v.Values); err != nil {
			return err
		}
		for i := range v.Items {
			if err := version(&v.Items[i]); err != nil {
				return err
			}
		}
		return nil
	}
	var comp func(c *ComponentSpec) error
	comp = func(c *ComponentSpec) error {
		if err := version(&c.Version); err != nil {
			return fmt.Errorf("component %q: %w", c.Name, err)
		}
		for i := range c.Components {
			if err := comp(&c.Components[i]); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range e.Components {
		if err := comp(&e.Components[i]); err != nil {
			return err
		}
	}
	for i := range e.Versions {
		if err := version(&e.Versions[i]); err != nil {
			return err
		}
	}
	return nil
}

func normalizeVersion(v *Version) {
	if v.Values != nil {
		v.Values = jsonvalue.NormalizeMap(v.Values)
	}
	for i := range v.Items {
		normalizeVersion(&v.Items[i])
	}
}

// String is the readable summary shown by print(experiment).
func (e *Experiment) String() string {
	var b strings.Builder
	b.WriteString("Experiment")
	if e.Directory != "" {
		fmt.Fprintf(&b, " (directory %q)", e.Directory)
	}
	b.WriteString("\n")
	var comp func(c ComponentSpec, indent string)
	comp = func(c ComponentSpec, indent string) {
		fmt.Fprintf(&b, "%s- %s", indent, c.Name)
		if !c.Version.IsDefault() {
			fmt.Fprintf(&b, " version=%s", c.Version)
		}
		if c.Checkpoint != "" {
			fmt.Fprintf(&b, " checkpoint=%q", c.Checkpoint)
		}
		if len(c.Flags) > 0 {
			fmt.Fprintf(&b, " flags=%v", c.Flags)
		}
		if len(c.Resources) > 0 {
			fmt.Fprintf(&b, " resources=%v", c.Resources)
		}
		b.WriteString("\n")
		for _, s := range c.Components {
			comp(s, indent+"    ")
		}
	}
	for _, c := range e.Components {
		comp(c, "  ")
	}
	for _, v := range e.Versions {
		fmt.Fprintf(&b, "  version %s\n", v)
	}
	for _, r := range e.Repeats {
		fmt.Fprintf(&b, "  %s %d (%s)\n", r.Kind, r.K, r.Name)
	}
	if e.Tune != nil {
		fmt.Fprintf(&b, "  %s\n", e.Tune)
	}
	return strings.TrimRight(b.String(), "\n")
}
