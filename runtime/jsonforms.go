package runtime

import (
	"encoding/json"

	"github.com/machinable-go/machinable/internal/jsonvalue"
)

// The JSON forms below keep whole floats as floats (2.0, not 2), so that
// plans and schedules read back by a worker have the same value types.

// MarshalJSON implements json.Marshaler.
func (c ScheduledComponent) MarshalJSON() ([]byte, error) {
	type plain ScheduledComponent
	p := plain(c)
	p.Config = jsonvalue.KeepFloatsMap(c.Config)
	p.Flags = jsonvalue.KeepFloatsMap(c.Flags)
	p.Resources = jsonvalue.KeepFloatsMap(c.Resources)
	return json.Marshal(p)
}

// MarshalJSON implements json.Marshaler.
func (c ComponentSpec) MarshalJSON() ([]byte, error) {
	type plain ComponentSpec
	p := plain(c)
	p.Flags = jsonvalue.KeepFloatsMap(c.Flags)
	p.Resources = jsonvalue.KeepFloatsMap(c.Resources)
	return json.Marshal(p)
}

// MarshalJSON implements json.Marshaler.
func (v Version) MarshalJSON() ([]byte, error) {
	type plain Version
	p := plain(v)
	p.Values = jsonvalue.KeepFloatsMap(v.Values)
	return json.Marshal(p)
}
