// Package progress is the terminal display of an execution: the experiment
// ID first, then one live line (done/total, running, failed, queued, a bar,
// an ETA and the elapsed time) drawn by mpb, with component output and
// failures printed above it as they happen, and at the end the same
// summary as executor.PlainReporter.
//
// The package does not decide whether its writer is a terminal: the CLI
// does (go-isatty) and gives non-terminals executor.PlainReporter.
package progress
