// Package index keeps a SQLite index of a storage, so that a search
// across many experiments (by config, flags, name, status, time) answers
// without reading every experiment's files. The storage stays the source
// of truth: the index is rebuilt from it when missing, damaged or of an
// older schema, and brought up to date before each search.
package index

import _ "modernc.org/sqlite" // pure-Go driver: no cgo, one static binary
