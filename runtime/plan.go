package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/machinable-go/machinable/internal/jsonvalue"
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

// Validate checks what can be checked without a project.
func (e *Experiment) Validate() error {
	if len(e.Components) == 0 {
		return errors.New("experiment has no components: add one with .component(name)")
	}
	for _, r := range e.Repeats {
		if r.K < 0 {
			return fmt.Errorf(".%s(%d): expected k >= 0", r.Kind, r.K)
		}
		if r.Mode != "" && r.Mode != RepeatModeIndependent {
			return fmt.Errorf(".%s(%d, mode=%q): expected mode %q, the only mode machinable has", r.Kind, r.K, r.Mode, RepeatModeIndependent)
		}
	}
	var check func(c ComponentSpec) error
	check = func(c ComponentSpec) error {
		if c.Name == "" {
			return errors.New("component without a name")
		}
		for _, s := range c.Components {
			if err := check(s); err != nil {
				return err
			}
		}
		return nil
	}
	for _, c := range e.Components {
		if err := check(c); err != nil {
			return err
		}
	}
	return ValidateDirectory(e.Directory)
}

// Clone returns a deep copy that shares nothing mutable with e; functions
// (ResourcesFunc, Computed version values) are shared, they do not change.
func (e *Experiment) Clone() *Experiment {
	out := *e
	out.Components = cloneSpecs(e.Components)
	out.Versions = cloneVersions(e.Versions)
	out.Repeats = slices.Clone(e.Repeats)
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
// int64 where they are whole, so a round trip keeps the config types.
func ParseExperiment(data []byte) (*Experiment, error) {
	var e Experiment
	if err := jsonvalue.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("experiment JSON: %w", err)
	}
	normalizeExperiment(&e)
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
	return strings.TrimRight(b.String(), "\n")
}
