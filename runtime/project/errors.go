package project

import (
	"errors"
	"fmt"
)

// Sentinel errors for conditions that callers test with errors.Is.
var (
	// ErrUnknownComponent is wrapped by errors for names that machinable.yaml
	// does not declare.
	ErrUnknownComponent = errors.New("unknown component")
	// ErrUnknownVersion is wrapped by errors for a ~version that the
	// component (and its parents) does not declare.
	ErrUnknownVersion = errors.New("unknown version")
	// ErrUnknownMixin is wrapped by errors for mixin names that
	// machinable.yaml does not declare in a mixins: section.
	ErrUnknownMixin = errors.New("unknown mixin")
)

// wrapError carries a complete user-facing message and the sentinel it
// stands for, so the message need not repeat the sentinel's text.
type wrapError struct {
	msg string
	err error
}

// Error is the complete message.
func (e *wrapError) Error() string { return e.msg }

// Unwrap returns the sentinel, for errors.Is.
func (e *wrapError) Unwrap() error { return e.err }

// errorAt formats an error that points into a file. Line 0 means the
// position is unknown (values from JSON files or Go patches).
func errorAt(file string, line int, format string, args ...any) error {
	if line > 0 {
		return fmt.Errorf("%s:%d: "+format, append([]any{file, line}, args...)...)
	}
	return fmt.Errorf("%s: "+format, append([]any{file}, args...)...)
}

// errorAtWrap is errorAt for an error that also wraps a sentinel.
func errorAtWrap(sentinel error, file string, line int, format string, args ...any) error {
	return &wrapError{msg: errorAt(file, line, format, args...).Error(), err: sentinel}
}
