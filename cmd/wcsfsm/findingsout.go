package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// findingsOut writes serve's findings in the background, whole lines in the
// order they were queued, so that an output that fails (a full disk, a
// file system gone read-only) or stalls never holds up a hook or changes
// its answer: the lines wait in a bounded queue and are written again until
// a write succeeds; past the bound, new lines are dropped and counted.
//
// A line is never torn: what a failed write to a regular file stored past
// the last whole line is taken back (the file is truncated to it, and the
// next write goes there); a stream (a pipe, a terminal) cannot take bytes
// back, so the next write goes on from the first byte not stored.
type findingsOut struct {
	w        io.Writer
	file     *os.File // w, when it is a regular file
	maxQueue int      // bytes queued at most
	what     string   // what its lines are, for an error: "findings"

	mu      sync.Mutex
	queue   []byte        // lines not yet written (the first may have begun, on a stream)
	pending int           // whole lines in queue
	queued  uint64        // lines queued so far
	written uint64        // lines written so far
	err     error         // the last write's error; nil once one succeeds
	wake    chan struct{} // closed and replaced when lines are written or a write fails
	closing bool

	writing  atomic.Int64  // when the write in progress began (UnixNano), 0 for none
	kick     chan struct{} // lines queued, or closing
	done     chan struct{} // the writer has stopped
	dropped  atomic.Int64  // lines dropped: the queue was full, or the output failed to the end
	failures atomic.Int64  // writes that failed

	// What the journal (-state) adds to a findings output; all unset for
	// the findings.
	syncEach    bool                   // a write counts as written once the file is synced (-sync)
	syncEvery   time.Duration          // sync a written file this often at most (0: never)
	beforeWrite func() error           // called by the writer before each batch, under wmu: may change w and file (rotation); an error fails the write
	wmu         sync.Mutex             // held while writing, syncing or rotating: the file is the writer's and the syncer's
	gate        atomic.Pointer[func()] // called by the writer before each batch, before wmu: waits for what must be written first (the journal)
	dirty       bool                   // written since the last sync (under wmu)
	fileBytes   int64                  // bytes stored in the current file by this writer (under wmu; setFile resets it)
}

// Bounds of findingsOut.
const (
	defaultMaxQueue = 16 << 20              // bytes of findings waiting while the output fails or stalls
	retryMin        = 10 * time.Millisecond // the first wait before writing again
	retryMax        = time.Second           // the longest
	stalled         = time.Second           // a write in progress for longer fails, for /healthz and the answers' wait
)

// errStalled is the error of an output whose write does not return.
var errStalled = errors.New("a write of findings has not returned")

// newFindingsOut starts writing to w, queueing at most maxQueue bytes.
func newFindingsOut(w io.Writer, maxQueue int) *findingsOut {
	o := newLineOut(w, maxQueue)
	o.start()
	return o
}

// newLineOut makes a findingsOut that is not writing yet: set what the
// journal adds, then start it.
func newLineOut(w io.Writer, maxQueue int) *findingsOut {
	if maxQueue <= 0 {
		maxQueue = defaultMaxQueue
	}
	o := &findingsOut{w: w, maxQueue: maxQueue, what: "findings", wake: make(chan struct{}), kick: make(chan struct{}, 1), done: make(chan struct{})}
	o.setFile(w)
	return o
}

// setFile makes w the output, and its file when it is a regular file.
func (o *findingsOut) setFile(w io.Writer) {
	o.w, o.file, o.fileBytes = w, nil, 0
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			o.file = f
		}
	}
}

// start starts the writer, and the syncer when the output is synced now
// and then.
func (o *findingsOut) start() {
	go o.run()
	if o.syncEvery > 0 && !o.syncEach {
		go o.syncer()
	}
}

// syncer syncs the file every syncEvery while it has been written to,
// until the writer stops.
func (o *findingsOut) syncer() {
	tick := time.NewTicker(o.syncEvery)
	defer tick.Stop()
	for {
		select {
		case <-o.done:
			return
		case <-tick.C:
			// The sync runs outside wmu: the writer goes on meanwhile
			// (an fsync can take milliseconds, and every hook waits for
			// the writer). A file that rotation closes meanwhile was
			// synced by it (Close waits for the Sync in progress).
			o.wmu.Lock()
			f, dirty := o.file, o.dirty
			o.dirty = false
			o.wmu.Unlock()
			if dirty && f != nil {
				if err := f.Sync(); err != nil && !errors.Is(err, os.ErrClosed) {
					o.failures.Add(1)
				}
			}
		}
	}
}

// sync syncs the file if it was written since the last sync; under wmu.
func (o *findingsOut) sync() error {
	if !o.dirty || o.file == nil {
		return nil
	}
	if err := o.file.Sync(); err != nil {
		return err
	}
	o.dirty = false
	return nil
}

// add queues lines, whole ones each ended by a newline, and returns the
// number a wait for them goes up to; 0 when they were dropped (the queue is
// full).
func (o *findingsOut) add(lines []byte) uint64 {
	n := bytes.Count(lines, []byte{'\n'})
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.queue)+len(lines) > o.maxQueue || o.closing {
		o.dropped.Add(int64(n))
		return 0
	}
	o.queue = append(o.queue, lines...)
	o.pending += n
	o.queued += uint64(n)
	select {
	case o.kick <- struct{}{}:
	default:
	}
	return o.queued
}

// wait waits at most d for the lines up to seq to be written; it returns at
// once while the output fails.
func (o *findingsOut) wait(seq uint64, d time.Duration) {
	if seq == 0 {
		return
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		o.mu.Lock()
		if o.written >= seq || o.err != nil {
			o.mu.Unlock()
			return
		}
		ch := o.wake
		o.mu.Unlock()
		if o.stalledFor() > 0 {
			return
		}
		select {
		case <-ch:
		case <-timer.C:
			return
		}
	}
}

// stalledFor returns how long the write in progress has been going past
// the stalled bound, 0 if it has not.
func (o *findingsOut) stalledFor() time.Duration {
	start := o.writing.Load()
	if start == 0 {
		return 0
	}
	if d := time.Since(time.Unix(0, start)); d > stalled {
		return d
	}
	return 0
}

// failing returns the output's error while writes fail or a write does not
// return, nil while they succeed.
func (o *findingsOut) failing() error {
	if d := o.stalledFor(); d > 0 {
		return errors.New(errStalled.Error() + " for " + d.Round(time.Second).String())
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// writtenUpTo reports whether the lines up to seq are written.
func (o *findingsOut) writtenUpTo(seq uint64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.written >= seq
}

// lastQueued returns the number a wait for every line queued so far goes up to.
func (o *findingsOut) lastQueued() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.queued
}

// queuedLines returns the number of lines waiting to be written.
func (o *findingsOut) queuedLines() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pending
}

// run writes what is queued until close, waiting longer after each failed
// write (retryMin to retryMax).
func (o *findingsOut) run() {
	defer close(o.done)
	var batch []byte
	retry := retryMin
	for {
		o.mu.Lock()
		for len(o.queue) == 0 && !o.closing {
			o.mu.Unlock()
			<-o.kick
			o.mu.Lock()
		}
		if len(o.queue) == 0 {
			o.mu.Unlock()
			return
		}
		batch = append(batch[:0], o.queue...)
		o.mu.Unlock()

		if gate := o.gate.Load(); gate != nil {
			(*gate)()
		}
		o.writing.Store(time.Now().UnixNano())
		o.wmu.Lock()
		var stored int
		var err error
		if o.beforeWrite != nil {
			err = o.beforeWrite()
		}
		if err == nil {
			stored, err = o.write(batch)
		}
		if stored > 0 {
			o.dirty = true
			o.fileBytes += int64(stored)
		}
		if err == nil && o.syncEach {
			// Lines that are in the file count as written even when the
			// sync fails (writing them again would put them there twice);
			// the failure is counted and /healthz tells.
			err = o.sync()
		}
		o.wmu.Unlock()
		o.writing.Store(0)

		o.mu.Lock()
		if stored <= len(o.queue) { // close may have given up on the queue meanwhile
			lines := bytes.Count(batch[:stored], []byte{'\n'})
			o.queue = append(o.queue[:0], o.queue[stored:]...)
			o.pending -= lines
			o.written += uint64(lines)
		}
		if err == nil {
			retry = retryMin
		} else {
			o.failures.Add(1)
		}
		o.err = err
		close(o.wake)
		o.wake = make(chan struct{})
		closing := o.closing
		o.mu.Unlock()
		if err != nil {
			if closing {
				return // close gives up on what is left (and counts it)
			}
			time.Sleep(retry)
			retry = min(2*retry, retryMax)
		}
	}
}

// write writes b and returns how many of its bytes the output holds: all
// of them, or on an error, for a regular file the whole lines stored (the
// rest is taken back), for a stream the bytes it took.
func (o *findingsOut) write(b []byte) (int, error) {
	if o.file == nil {
		return o.w.Write(b)
	}
	st, err := o.file.Stat()
	if err != nil {
		return 0, err
	}
	n, err := o.file.Write(b)
	if err == nil {
		return n, nil
	}
	keep := bytes.LastIndexByte(b[:n], '\n') + 1
	if keep < n {
		// Best effort: the file cut back to its last whole line, and the
		// next write there (for a file opened without O_APPEND).
		o.file.Truncate(st.Size() + int64(keep))
		o.file.Seek(st.Size()+int64(keep), io.SeekStart)
	}
	return keep, err
}

// close writes what is queued, trying again for at most d while the output
// fails, and stops, without waiting past d and a second for a write that
// does not return; the error says how many lines could not be written.
func (o *findingsOut) close(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		o.mu.Lock()
		left, err, queued := o.pending, o.err, o.queued
		o.mu.Unlock()
		if left == 0 || time.Now().After(deadline) {
			break
		}
		if err == nil && o.stalledFor() == 0 {
			o.wait(queued, time.Until(deadline))
			continue
		}
		time.Sleep(min(retryMax/4, max(time.Until(deadline), 0)))
	}
	o.mu.Lock()
	o.closing = true
	o.mu.Unlock()
	select {
	case o.kick <- struct{}{}:
	default:
	}
	stuck := false
	select {
	case <-o.done:
		o.wmu.Lock()
		if err := o.sync(); err != nil && o.err == nil {
			o.mu.Lock()
			o.err = err
			o.mu.Unlock()
		}
		o.wmu.Unlock()
	case <-time.After(time.Second + max(time.Until(deadline), 0)):
		stuck = true // a write that does not return: what it holds is lost with the rest
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.pending > 0 {
		o.dropped.Add(int64(o.pending))
		o.pending = 0
		o.queue = o.queue[:0]
	}
	if n := o.dropped.Load(); n > 0 {
		msg := strconv.FormatInt(n, 10) + " " + o.what + " could not be written"
		switch {
		case stuck:
			return errors.New(msg + ": " + errStalled.Error())
		case o.err != nil:
			return errors.New(msg + ": " + o.err.Error())
		}
		return errors.New(msg + " (the queue of those waiting was full)")
	}
	return o.err
}
