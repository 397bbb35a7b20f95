//go:build !race

package project

// raceEnabled: the race detector makes large inputs slow.
const raceEnabled = false
