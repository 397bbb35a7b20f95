package dsl

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/machinable-go/machinable/internal/pyformat"
	"go.starlark.net/starlark"
)

// pyJSON writes JSON as Python's json.dumps does, so that as_json's text
// is what 2.x printed for the same rows: ", " and ": " between items
// without indent, "," and newlines with it, floats as Python's repr,
// NaN and Infinity as Python writes them, non-ASCII escaped unless
// ensure_ascii=False.
type pyJSON struct {
	sb       strings.Builder
	indent   int // -1: one line
	sortKeys bool
	ascii    bool
	lenient  bool // values JSON has no form for are written as their str (pprint's default=str)
}

func (p *pyJSON) newline(level int) {
	if p.indent >= 0 {
		p.sb.WriteByte('\n')
		p.sb.WriteString(strings.Repeat(" ", p.indent*level))
	}
}

func (p *pyJSON) sep() string {
	if p.indent >= 0 {
		return ","
	}
	return ", "
}

func (p *pyJSON) encode(v starlark.Value, level int) error {
	if level > 100 {
		return fmt.Errorf("value nested too deeply")
	}
	switch x := v.(type) {
	case starlark.NoneType:
		p.sb.WriteString("null")
	case starlark.Bool:
		if x {
			p.sb.WriteString("true")
		} else {
			p.sb.WriteString("false")
		}
	case starlark.Int:
		p.sb.WriteString(x.String())
	case starlark.Float:
		p.sb.WriteString(pyFloatRepr(float64(x)))
	case starlark.String:
		p.str(string(x))
	case serializer:
		s, err := x.serialize()
		if err != nil {
			return err
		}
		return p.encode(s, level)
	case starlark.IterableMapping:
		return p.object(x, level)
	case *starlark.List, starlark.Tuple, *collection:
		var elems []starlark.Value
		if c, ok := x.(*collection); ok {
			elems = c.elems
		} else {
			elems, _ = iterableElems("", "", x)
		}
		if len(elems) == 0 {
			p.sb.WriteString("[]")
			return nil
		}
		p.sb.WriteByte('[')
		for i, e := range elems {
			if i > 0 {
				p.sb.WriteString(p.sep())
			}
			p.newline(level + 1)
			if err := p.encode(e, level+1); err != nil {
				return err
			}
		}
		p.newline(level)
		p.sb.WriteByte(']')
	default:
		if p.lenient {
			p.str(v.String())
			return nil
		}
		return fmt.Errorf("%s is not JSON serializable", v.Type())
	}
	return nil
}

func (p *pyJSON) object(m starlark.IterableMapping, level int) error {
	items := m.Items()
	type kv struct {
		k string
		v starlark.Value
	}
	pairs := make([]kv, len(items))
	for i, it := range items {
		var k string
		switch key := it[0].(type) {
		case starlark.String:
			k = string(key)
		case starlark.Int, starlark.Bool, starlark.NoneType: // Python turns these keys into strings
			var enc pyJSON
			_ = enc.encode(key, 0)
			k = enc.sb.String()
		case starlark.Float:
			k = pyFloatRepr(float64(key))
		default:
			return fmt.Errorf("keys must be str, int, float, bool or None, not %s", it[0].Type())
		}
		pairs[i] = kv{k, it[1]}
	}
	if p.sortKeys {
		sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].k < pairs[j].k })
	}
	if len(pairs) == 0 {
		p.sb.WriteString("{}")
		return nil
	}
	p.sb.WriteByte('{')
	for i, pr := range pairs {
		if i > 0 {
			p.sb.WriteString(p.sep())
		}
		p.newline(level + 1)
		p.str(pr.k)
		p.sb.WriteString(": ")
		if err := p.encode(pr.v, level+1); err != nil {
			return err
		}
	}
	p.newline(level)
	p.sb.WriteByte('}')
	return nil
}

func (p *pyJSON) str(s string) {
	p.sb.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			p.sb.WriteString(`\"`)
		case '\\':
			p.sb.WriteString(`\\`)
		case '\n':
			p.sb.WriteString(`\n`)
		case '\r':
			p.sb.WriteString(`\r`)
		case '\t':
			p.sb.WriteString(`\t`)
		case '\b':
			p.sb.WriteString(`\b`)
		case '\f':
			p.sb.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || (p.ascii && r > 0x7e && r < 0x10000):
				fmt.Fprintf(&p.sb, `\u%04x`, r)
			case p.ascii && r >= 0x10000:
				r -= 0x10000
				fmt.Fprintf(&p.sb, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			default:
				p.sb.WriteRune(r)
			}
		}
	}
	p.sb.WriteByte('"')
}

// pyFloatRepr is Python's repr of a float: the shortest digits that read
// back the same, in positional form for exponents -5 < e < 16 and in
// scientific form ("1e+16", "1.5e-07") otherwise.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return pyformat.Repr(f)
}
