package dsl

import (
	"fmt"
	"sort"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// summaryValue is what Execution.summary() returns: the text it printed,
// which also chains like 2.x's summary() (it returned the execution), so
// Execution(...).summary().submit() ports as written. It prints as the
// text; str() gives the text; `"x" in s` and string methods work on it.
type summaryValue struct {
	text starlark.String
	e    *execution
}

var (
	_ starlark.HasAttrs  = (*summaryValue)(nil)
	_ starlark.Container = (*summaryValue)(nil)
)

func (s *summaryValue) String() string        { return string(s.text) }
func (s *summaryValue) Type() string          { return "summary" }
func (s *summaryValue) Freeze()               {}
func (s *summaryValue) Truth() starlark.Bool  { return true }
func (s *summaryValue) Hash() (uint32, error) { return s.text.Hash() }

func (s *summaryValue) Has(x starlark.Value) (bool, error) {
	if _, ok := x.(starlark.String); !ok {
		return false, fmt.Errorf("'in <summary>' requires string as left operand, not %s", x.Type())
	}
	v, err := starlark.Binary(syntax.IN, x, s.text)
	if err != nil {
		return false, err
	}
	return bool(v.Truth()), nil
}

// Attr gives the execution's methods and attributes (chaining), else the
// text's string methods.
func (s *summaryValue) Attr(name string) (starlark.Value, error) {
	if v, err := s.e.Attr(name); v != nil || err != nil {
		return v, err
	}
	return s.text.Attr(name)
}

func (s *summaryValue) AttrNames() []string {
	names := append(s.e.AttrNames(), s.text.AttrNames()...)
	sort.Strings(names)
	return names
}
