package dsl

import (
	"fmt"
	"slices"
	"strings"

	"github.com/machinable-go/machinable/internal/suggest"
	"go.starlark.net/starlark"
)

// unpackArgs is starlark.UnpackArgs for every builtin of the dsl, with a
// message for a misspelt keyword argument that names the nearest
// parameter and lists them all (execute(..., seeds=1): did you mean
// "seed"?). Starlark's own suggestion misses most names.
func unpackArgs(fnname string, args starlark.Tuple, kwargs []starlark.Tuple, pairs ...any) error {
	if len(kwargs) > 0 { // most calls pass none: no names to collect
		names := make([]string, 0, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			name, _ := pairs[i].(string)
			names = append(names, strings.TrimRight(name, "?"))
		}
		for _, kv := range kwargs {
			key, _ := starlark.AsString(kv[0])
			if !slices.Contains(names, key) {
				return unknownKeyword(fnname, key, names)
			}
		}
	}
	return starlark.UnpackArgs(fnname, args, kwargs, pairs...)
}

// unknownKeyword is the error for a keyword argument that fnname does not
// take.
func unknownKeyword(fnname, key string, names []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: unexpected keyword argument %q", fnname, key)
	if n := suggest.Nearest(key, names); n != "" {
		fmt.Fprintf(&b, " (did you mean %q?)", n)
	}
	if len(names) == 0 {
		b.WriteString("; it takes no arguments")
	} else {
		fmt.Fprintf(&b, "; it takes %s", strings.Join(names, ", "))
	}
	return fmt.Errorf("%s", b.String())
}

// unpackPositionalArgs is starlark.UnpackPositionalArgs naming the keyword
// argument given to a builtin that takes none.
func unpackPositionalArgs(fnname string, args starlark.Tuple, kwargs []starlark.Tuple, min int, vars ...any) error {
	if len(kwargs) > 0 {
		key, _ := starlark.AsString(kwargs[0][0])
		return fmt.Errorf("%s: unexpected keyword argument %q; it takes positional arguments only", fnname, key)
	}
	return starlark.UnpackPositionalArgs(fnname, args, kwargs, min, vars...)
}

// noAttrError is a missing attribute of a dsl value: Starlark's message
// with a did-you-mean that also catches swapped letters (exp.componets,
// storage.fnid), which Starlark's own suggestion misses for short names.
type noAttrError struct{ msg string }

func (e *noAttrError) Error() string { return e.msg }

// noSuchAttr is what the Attr methods of the dsl's values return for a
// name they do not have; hasattr and getattr with a default still work.
func noSuchAttr(v starlark.HasAttrs, name string) error {
	msg := fmt.Sprintf("%s has no .%s field or method", v.Type(), name)
	if n := suggest.Nearest(name, v.AttrNames()); n != "" {
		msg += fmt.Sprintf(" (did you mean .%s?)", n)
	}
	return &noAttrError{msg: msg}
}

// prefixOnce puts "prefix: " before err's message unless it starts so
// already, so a message says each prefix once ("version: version: ..."
// otherwise).
func prefixOnce(prefix string, err error) error {
	if strings.HasPrefix(err.Error(), prefix+": ") {
		return err
	}
	return fmt.Errorf("%s: %w", prefix, err)
}
