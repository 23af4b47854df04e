package main

import (
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
// file system gone read-only) never holds up a hook or changes its answer:
// the lines wait in a bounded queue and are written again until a write
// succeeds; past the bound, new lines are dropped and counted. A partial
// write to a regular file is taken back (the file is truncated to its size
// before it), so a line is never torn.
type findingsOut struct {
	w        io.Writer
	file     *os.File // w, when it is a regular file
	maxQueue int      // bytes queued at most

	mu      sync.Mutex
	queue   []byte        // whole lines not yet written
	lines   []int         // the length of each line in queue
	queued  uint64        // lines queued so far
	written uint64        // lines written so far (the first written of queued)
	err     error         // the last write's error; nil once one succeeds
	wake    chan struct{} // closed and replaced when lines are written or the output fails
	closing bool

	kick     chan struct{} // lines queued, or closing
	done     chan struct{} // the writer has stopped
	dropped  atomic.Int64  // lines dropped: the queue was full, or the output failed to the end
	failures atomic.Int64  // writes that failed
}

// Defaults of findingsOut.
const (
	defaultMaxQueue = 16 << 20              // bytes of findings waiting while the output fails
	retryMin        = 10 * time.Millisecond // the first wait before writing again
	retryMax        = time.Second           // the longest
)

// newFindingsOut starts writing to w, queueing at most maxQueue bytes.
func newFindingsOut(w io.Writer, maxQueue int) *findingsOut {
	if maxQueue <= 0 {
		maxQueue = defaultMaxQueue
	}
	o := &findingsOut{w: w, maxQueue: maxQueue, wake: make(chan struct{}), kick: make(chan struct{}, 1), done: make(chan struct{})}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			o.file = f
		}
	}
	go o.run()
	return o
}

// add queues lines (whole, each ended by a newline), n of them, and returns
// the number a wait for them goes up to; 0 when they were dropped (the
// queue is full).
func (o *findingsOut) add(lines []byte, n int) uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.queue)+len(lines) > o.maxQueue || o.closing {
		o.dropped.Add(int64(n))
		return 0
	}
	o.queue = append(o.queue, lines...)
	start := 0
	for i, c := range lines {
		if c == '\n' {
			o.lines = append(o.lines, i+1-start)
			start = i + 1
		}
	}
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
		select {
		case <-ch:
		case <-timer.C:
			return
		}
	}
}

// failing returns the output's error while writes fail, nil when they
// succeed.
func (o *findingsOut) failing() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// queuedLines returns the number of lines waiting to be written.
func (o *findingsOut) queuedLines() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.lines)
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
		n := len(o.lines)
		o.mu.Unlock()

		err := o.write(batch)

		o.mu.Lock()
		if err == nil {
			o.queue = append(o.queue[:0], o.queue[len(batch):]...)
			o.lines = append(o.lines[:0], o.lines[n:]...)
			o.written += uint64(n)
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

// write writes b, taking back a partial write to a regular file.
func (o *findingsOut) write(b []byte) error {
	if o.file == nil {
		_, err := o.w.Write(b)
		return err
	}
	st, err := o.file.Stat()
	if err != nil {
		return err
	}
	n, err := o.file.Write(b)
	if err != nil && n > 0 {
		o.file.Truncate(st.Size()) // best effort: the lines are written again whole
	}
	return err
}

// close writes what is queued, trying again for at most d while the output
// fails, and stops; the error says how many lines could not be written.
func (o *findingsOut) close(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		o.mu.Lock()
		left, err, queued := len(o.lines), o.err, o.queued
		o.mu.Unlock()
		if left == 0 || time.Now().After(deadline) {
			break
		}
		if err == nil {
			o.wait(queued, time.Until(deadline))
			continue
		}
		time.Sleep(min(retryMax/4, time.Until(deadline)))
	}
	o.mu.Lock()
	o.closing = true
	o.mu.Unlock()
	select {
	case o.kick <- struct{}{}:
	default:
	}
	<-o.done
	o.mu.Lock()
	defer o.mu.Unlock()
	if left := len(o.lines); left > 0 {
		o.dropped.Add(int64(left))
		o.queue, o.lines = o.queue[:0], o.lines[:0]
	}
	if n := o.dropped.Load(); n > 0 {
		msg := strconv.FormatInt(n, 10) + " findings could not be written"
		if o.err != nil {
			return errors.New(msg + ": " + o.err.Error())
		}
		return errors.New(msg + " (the queue was full)")
	}
	return o.err
}
