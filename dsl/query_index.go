package dsl

import (
	"context"
	"fmt"
	"os"

	"github.com/machinable-go/machinable/index"
	"go.starlark.net/starlark"
)

// Storage(url).search(*where, where=None): the components matching every
// condition ("config.lr > 0.1", "status = finished"), found through the
// storage's search index (package index). Only the translation lives
// here: parsing, the index and its freshness are package index's.
func (s *storageValue) searchBuiltin() starlark.Value {
	return starlark.NewBuiltin("search", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var texts []string
		for i, a := range args {
			str, ok := starlark.AsString(a)
			if !ok {
				return nil, fmt.Errorf("%s: argument %d: expected a condition such as \"config.lr > 0.1\", got %s", b.Name(), i+1, a.Type())
			}
			texts = append(texts, str)
		}
		for _, kv := range kwargs {
			if name, _ := starlark.AsString(kv[0]); name != "where" {
				return nil, fmt.Errorf("%s: unexpected keyword argument %s (expected where=)", b.Name(), kv[0])
			}
			switch w := kv[1].(type) {
			case starlark.String:
				texts = append(texts, string(w))
			case *starlark.List, starlark.Tuple:
				it := starlark.Iterate(w)
				var x starlark.Value
				for it.Next(&x) {
					str, ok := starlark.AsString(x)
					if !ok {
						it.Done()
						return nil, fmt.Errorf("%s: where: expected strings, got %s", b.Name(), x.Type())
					}
					texts = append(texts, str)
				}
				it.Done()
			case starlark.NoneType:
			default:
				return nil, fmt.Errorf("%s: where: expected a string or a list of strings, got %s", b.Name(), w.Type())
			}
		}
		conds, err := index.ParseAll(texts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		ix, err := index.Open(s.st, os.Stderr) // a damaged index file is set aside with a warning
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		ctx := context.Background()
		if st := stateOf(thread); st != nil && st.ctx != nil {
			ctx = st.ctx
		}
		ms, err := ix.Search(ctx, conds, index.SearchOptions{})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		views, err := ix.Views(ms)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		return componentCollection(views), nil
	})
}
