package storage

import (
	"fmt"
	"sync"
	"time"
)

// Rows saved in a loop are encoded off the goroutine that saves them:
// AppendLater only copies the row's fields into the queue. A goroutine
// started once laterBatch rows wait, or a timer for fewer, encodes the
// queue into the buffer, so a row still reaches the file within about
// RecordFlushEvery. Whoever needs the bytes first (a write of the buffer,
// Sync, a reader of the rows, a row given to Append) encodes what is
// queued before, under mu, so rows stay in the order they were appended.
// Past laterMax waiting rows the saving goroutine encodes them itself:
// the queue stays small when the encoder cannot keep up (one core, say).
const (
	laterBatch = 1024
	laterMax   = 16384
)

// A RowEncoder writes the rows queued with AppendLater.
type RowEncoder interface {
	// EncodeRow appends one row as a JSON object (no newline) to dst,
	// writing values with AppendJSONValue: fields and stamp are what
	// AppendLater was given.
	EncodeRow(dst []byte, fields []Field, stamp RowStamp) []byte
}

// RowStamp is numbers a RowEncoder adds to a row (a time, say), kept
// with its fields until it is encoded.
type RowStamp [4]int64

// laterQueue is the rows AppendLater queued, not encoded yet: one slab
// of rows and one of their fields, reused batch after batch.
type laterQueue struct {
	mu      sync.Mutex
	rows    []laterRow
	fields  []Field
	spare   laterSlabs  // the previous batch's slabs, reused
	running bool        // an encodeLater goroutine is on its way
	timer   *time.Timer // armed while rows wait for no goroutine
	closed  bool
}

type laterRow struct {
	enc    RowEncoder
	n      int // its fields: the next n of the slab
	stamp  RowStamp
	fields int // where they start
}

type laterSlabs struct {
	rows   []laterRow
	fields []Field
}

// AppendLater queues one row, to be encoded by enc on another goroutine
// after every row appended before. Only rows that cannot fail to encode
// may be queued: plain values (numbers, finite floats, strings, booleans,
// nil) that the caller has checked. fields are copied; the values are
// not, and must not change. An error of an earlier background write is
// reported here once.
func (w *RecordWriter) AppendLater(enc RowEncoder, fields []Field, stamp RowStamp) error {
	var earlier error // reported once this row is queued, as Append does
	if !w.opened.Load() || w.failed.Load() {
		w.mu.Lock()
		err := w.openLocked()
		if err == nil {
			earlier = w.takeErrLocked()
		}
		w.mu.Unlock()
		if err != nil {
			return err
		}
	}
	q := &w.later
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return fmt.Errorf("records %q: writer is closed", w.Scope)
	}
	q.rows = append(q.rows, laterRow{enc: enc, n: len(fields), stamp: stamp, fields: len(q.fields)})
	q.fields = append(q.fields, fields...)
	n := len(q.rows)
	start := n >= laterBatch && !q.running
	if start {
		q.running = true
	} else if n == 1 && q.timer == nil {
		q.timer = time.AfterFunc(RecordFlushEvery, w.laterTimer)
	}
	q.mu.Unlock()
	switch {
	case n >= laterMax:
		w.mu.Lock()
		w.drainLocked(false)
		if err := w.encodedLocked(); err != nil && earlier == nil {
			earlier = err
		}
		w.mu.Unlock()
	case start:
		go w.encodeLater()
	}
	return earlier
}

// encodeLater encodes queued rows until none wait.
func (w *RecordWriter) encodeLater() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.drainLocked(true) {
		w.failLocked(w.encodedLocked())
	}
}

// laterTimer encodes and writes the few rows that waited RecordFlushEvery.
func (w *RecordWriter) laterTimer() {
	w.later.mu.Lock()
	w.later.timer = nil
	w.later.mu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.failLocked(w.writeLocked())
	}
}

// drainLocked encodes every queued row into the buffer; mu is held, so
// no other drain runs and the rows keep their order. It reports whether
// there were any; with last set (encodeLater) an empty queue also ends
// the running goroutine's turn.
func (w *RecordWriter) drainLocked(last bool) bool {
	q := &w.later
	q.mu.Lock()
	batch := laterSlabs{rows: q.rows, fields: q.fields}
	if len(batch.rows) == 0 {
		if last {
			q.running = false
		}
		q.mu.Unlock()
		return false
	}
	q.rows, q.fields = q.spare.rows, q.spare.fields
	q.spare = laterSlabs{}
	q.mu.Unlock()
	buf := w.buf // in a register, not stored back row after row
	for _, r := range batch.rows {
		buf = append(r.enc.EncodeRow(buf, batch.fields[r.fields:r.fields+r.n], r.stamp), '\n')
	}
	w.buf = buf
	w.rows += len(batch.rows)
	clear(batch.rows) // let the encoders and values go
	clear(batch.fields)
	q.mu.Lock()
	q.spare = laterSlabs{rows: batch.rows[:0], fields: batch.fields[:0]}
	q.mu.Unlock()
	return true
}

// closeLater refuses rows from now on; mu is held, and Close's sync
// then encodes those queued.
func (w *RecordWriter) closeLater() {
	q := &w.later
	q.mu.Lock()
	q.closed = true
	if q.timer != nil {
		q.timer.Stop()
		q.timer = nil
	}
	q.mu.Unlock()
}
