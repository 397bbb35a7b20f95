//go:build race

package web

// raceEnabled: the race detector slows the server several times over.
const raceEnabled = true
