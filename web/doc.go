// Package web is the read-only web view of a storage that `machinable ui`
// serves: a list of experiments, an experiment's components as a table
// with overlaid record charts, and a component's config, status, logs,
// records and stored files, updated while experiments run.
//
// It reads the storage only through the query API of package storage and
// never writes to it. Pages are html/template shells filled by small
// scripts from JSON endpoints under /api/; the scripts, the styles and the
// vendored uPlot charting library are embedded, so the view works offline.
// Long record series are downsampled here (min/max per bucket, about 2,000
// points) and record summaries are cached keyed by the files' size and
// modification time, so a large experiment costs one read of each
// records file and a stat per refresh.
package web
