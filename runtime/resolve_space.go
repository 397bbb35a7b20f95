package runtime

import (
	"fmt"

	"github.com/machinable-go/machinable/runtime/project"
)

// patchSpace is the list Version.Expand returns, without building it: a
// cross product of three lists of 100 is a million patch lists, so
// alternatives are made one at a time, by index, in Expand's order.
type patchSpace struct {
	leaf  []project.Patch // a single alternative (kind leaf)
	items []*patchSpace
	merge bool     // items are crossed (the last varies fastest), else concatenated
	sizes []uint64 // of items
	size  uint64   // saturated at countLimit
}

// space compiles a version as Expand would expand it: the same errors
// (a YAML version that is no mapping) are found here, before any
// alternative is made.
func (v Version) space() (*patchSpace, error) {
	switch v.Kind {
	case VersionDefault:
		return &patchSpace{size: 1}, nil
	case VersionPatch:
		return &patchSpace{leaf: []project.Patch{{Values: v.Values}}, size: 1}, nil
	case VersionNamed:
		return &patchSpace{leaf: []project.Patch{{Version: v.Name}}, size: 1}, nil
	case VersionYAML:
		values, err := project.ParseYAMLPatch(v.YAML)
		if err != nil {
			return nil, &yamlVersionError{yaml: v.YAML, err: err}
		}
		return &patchSpace{leaf: []project.Patch{{Values: values}}, size: 1}, nil
	case VersionMerge, VersionIterate:
		s := &patchSpace{merge: v.Kind == VersionMerge}
		if s.merge {
			s.size = 1
		}
		for _, item := range v.Items {
			sub, err := item.space()
			if err != nil {
				return nil, err
			}
			s.items = append(s.items, sub)
			s.sizes = append(s.sizes, sub.size)
			if s.merge {
				s.size = satMul(s.size, sub.size)
			} else {
				s.size = satAdd(s.size, sub.size)
			}
		}
		return s, nil
	}
	return nil, fmt.Errorf("unknown version kind %q", v.Kind)
}

// at appends alternative i (< size) to out: what Expand()[i] holds. The
// patches are shared with the version, as Expand shares them.
func (s *patchSpace) at(i uint64, out []project.Patch) []project.Patch {
	if s.items == nil {
		return append(out, s.leaf...)
	}
	if !s.merge {
		for j, n := range s.sizes {
			if i < n {
				return s.items[j].at(i, out)
			}
			i -= n
		}
		return out // not reached for i < size
	}
	// crossPatches puts the first item outermost: split i from the last.
	idx := make([]uint64, len(s.items))
	for j := len(s.items) - 1; j >= 0; j-- {
		idx[j] = i % s.sizes[j]
		i /= s.sizes[j]
	}
	for j, item := range s.items {
		out = item.at(idx[j], out)
	}
	return out
}
