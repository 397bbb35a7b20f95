// Package storage maps storage URLs to afero file systems and owns the
// layout of SPEC §6: one directory per experiment, one per component, JSON
// files written once, records appended as JSON lines, and a status file
// with a heartbeat. Nothing here knows about Starlark or engines.
package storage
