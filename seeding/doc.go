// Package seeding reproduces the randomness machinable 2.x derives from
// Python, so that Go and Python runs of the same experiment agree.
//
// It provides three things:
//
//   - Random, a bit-for-bit port of CPython 3.11's random.Random
//     (MT19937 with init_by_array seeding) including randrange, randint,
//     choice, shuffle, sample, choices, uniform, gauss and normalvariate;
//   - experiment IDs: 6-character base62 encodings of a global seed in
//     [MinGlobalSeed, MaxGlobalSeed], and helpers to derive or parse one;
//   - Streams, the per-component seed and component-ID streams machinable
//     derives from an experiment's global seed.
//
// Integer and uniform methods match CPython on every platform. Gauss calls
// the C library's log, sin and cos, exactly as CPython does; with cgo the
// platform libm is used so results match the local python3, without cgo
// (or with the build tag seeding_purego) correctly rounded pure-Go versions
// are used, which agree with glibc except in rare last-bit cases.
//
// A Random is not safe for concurrent use, like its Python counterpart
// when shared without a lock.
package seeding
