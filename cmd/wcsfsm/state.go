package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wcsfsm/wcsfsm/tracker"
)

// serveState is serve's -state DIR: the journal of the requests taken
// (journal.go) and the checkpoints of the tracker, and what a start does
// with them: restore the last checkpoint, judge the journal's lines after
// it again, and go on numbering from there.
//
// A checkpoint is DIR/checkpoint: a line "WCSFSM checkpoint 1", a line of
// JSON ({"requests": N, "time": ...}: the state is that after request N),
// and the tracker's snapshot (tracker.Snapshot, with its own checksum). It
// is written to DIR/checkpoint.tmp, synced and renamed over the old one,
// so that there is always one whole checkpoint. It is taken every
// -checkpoint-every requests or -checkpoint-interval, and on SIGTERM; it
// is committed only once the findings of the requests it covers are
// written (else a crash would lose them: the journal after the checkpoint
// is all a start judges again).
//
// The findings of the requests judged again were written before the stop,
// some or all of them. When the findings go to a file, a start reads its
// last lines and writes again only those it does not hold (a line cut off
// by the stop is cut from the file): none lost, none twice. To a stream
// (standard output) they are all written again.
type serveState struct {
	dir      string
	every    int
	interval time.Duration
	journal  *journal
	lock     *os.File

	lastN int           // under the hookServer's mu: the request the last checkpoint was taken after
	kick  chan struct{} // -checkpoint-every requests were taken
	stop  chan struct{}
	done  chan struct{}

	// For the metrics and the log.
	checkpoints     atomic.Int64
	checkpointErrs  atomic.Int64
	checkpointTime  atomic.Int64 // UnixNano of the last checkpoint written (or restored)
	checkpointBytes atomic.Int64
	failing         atomic.Pointer[string] // why the last checkpoint failed; nil once one succeeds
}

// Defaults of the checkpoints' waits.
const checkpointWait = 10 * time.Second // how long a checkpoint waits for the findings it covers to be written

const checkpointMagic = "WCSFSM checkpoint 1\n"

// checkpointHeader is the JSON line of a checkpoint.
type checkpointHeader struct {
	Requests int    `json:"requests"` // the state is that after this request
	Time     string `json:"time"`     // when it was taken (RFC 3339)
}

// errState is what a state directory that cannot be used wraps.
var errState = errors.New("state directory")

// openState opens (creating it) the state directory of cfg.State for h,
// holds it (a second serve on it is refused), restores the checkpoint,
// judges the journal after it again, and starts the journal and the
// checkpoints. It returns what it did, for the log.
func (h *hookServer) openState(findings io.Writer) (string, error) {
	dir := h.cfg.State
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("%w: %v", errState, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return "", fmt.Errorf("%w %s: %v", errState, dir, err)
	}
	st := &serveState{dir: dir, every: h.cfg.CheckpointEvery, interval: h.cfg.CheckpointInterval, lock: lock,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if st.every <= 0 {
		st.every = defaultCheckpointEvery
	}
	if st.interval <= 0 {
		st.interval = defaultCheckpointInterval
	}
	fail := func(err error) (string, error) {
		lock.Close()
		return "", err
	}
	var said []string
	restored, hdr, err := readCheckpoint(dir, h.tracker)
	if err != nil {
		return fail(err)
	}
	if restored {
		h.n = hdr.Requests
		st.lastN = hdr.Requests
		if t, err := time.Parse(time.RFC3339Nano, hdr.Time); err == nil {
			st.checkpointTime.Store(t.UnixNano())
		}
		said = append(said, "restored the checkpoint after request "+strconv.Itoa(hdr.Requests)+" of "+hdr.Time)
		if o := h.tracker.Options(); o.Tail != h.cfg.Tail || o.Partial != (h.cfg.Partial || h.cfg.Tail) || o.MaxEntities != h.cfg.MaxEntities && h.cfg.MaxEntities != 0 {
			said = append(said, fmt.Sprintf("it goes on with the options it was taken with (partial %v, tail %v, max-entities %d), not the flags'",
				o.Partial, o.Tail, o.MaxEntities))
		}
	}
	// The findings already written, so that judging the journal again
	// writes only the others.
	if f, ok := findings.(*os.File); ok {
		line, count, err := lastFindings(f)
		if err != nil {
			return fail(fmt.Errorf("%w: the findings file: %v", errState, err))
		}
		h.skipLine, h.skipCount = line, count
	}
	files, err := journalFiles(dir)
	if err != nil {
		return fail(fmt.Errorf("%w: %v", errState, err))
	}
	start := time.Now()
	var replayed, gaps int
	before := h.out.lastQueued()
	next, err := readJournal(files, uint64(h.n)+1, func(first, last uint64) {
		gaps++
		said = append(said, fmt.Sprintf("the journal lacks requests %d to %d (they could not be written); what follows is judged without them", first, last))
	}, func(n uint64, line []byte) {
		h.replay(int(n), line)
		replayed++
	})
	if err != nil {
		return fail(fmt.Errorf("%w: the journal: %v", errState, err))
	}
	h.n = int(next) - 1
	if h.skipLine > h.n && (restored || len(files) > 0) {
		// The findings file holds findings of requests that neither the
		// journal nor the checkpoint holds (their lines were not written:
		// the journal failed, the findings went on, then the stop): number
		// on after them, never giving a number twice. (A directory with no
		// state begins a new run, numbered from 1, whatever the file holds.)
		said = append(said, fmt.Sprintf("the findings file holds findings up to request %d, which the journal lacks from request %d on; going on after it", h.skipLine, h.n+1))
		h.n = h.skipLine
		next = uint64(h.n) + 1
	}
	h.skipLine, h.skipCount = 0, 0
	if len(files) > 0 || restored {
		said = append(said, fmt.Sprintf("judged the %s after it again in %v (%s written again); going on from request %d",
			plural(int64(replayed), "journaled request"), time.Since(start).Round(time.Millisecond),
			plural(int64(h.out.lastQueued()-before), "finding"), h.n+1))
	}
	j, err := openJournal(dir, next, h.cfg.JournalSize, h.cfg.JournalQueue, h.cfg.Sync)
	if err != nil {
		return fail(fmt.Errorf("%w: %v", errState, err))
	}
	st.journal = j
	// A finding is written once its request's journal line is: else a
	// crash could leave the finding of a request the journal lacks (never
	// answered, never judged again), a finding of nothing. The journal's
	// lines queued when a batch of findings is taken include those of
	// every finding in it (take queues the line first).
	gate := func() {
		upTo := j.out.lastQueued()
		for !j.out.writtenUpTo(upTo) && j.out.failing() == nil {
			j.out.wait(upTo, time.Second) // a journal that fails lets the findings go on
		}
	}
	h.out.gate.Store(&gate)
	// The files of earlier runs are complete: compress them.
	for _, f := range files {
		if !f.gz && f.first != next {
			j.compressing.Add(1)
			go func() {
				defer j.compressing.Done()
				compressJournal(f.path)
			}()
		}
	}
	h.state = st
	go st.run(h)
	msg := ""
	for i, s := range said {
		if i > 0 {
			msg += "; "
		}
		msg += s
	}
	if msg == "" {
		msg = "a new journal"
	}
	return dir + ": " + msg, nil
}

// run takes the checkpoints until stop.
func (st *serveState) run(h *hookServer) {
	defer close(st.done)
	tick := time.NewTicker(st.interval)
	defer tick.Stop()
	for {
		select {
		case <-st.stop:
			return
		case <-tick.C:
		case <-st.kick:
		}
		err := h.checkpoint(checkpointWait)
		// The requests taken meanwhile kicked again while the checkpoint
		// was under way, for the requests it covers: one more only if one
		// is still due.
		select {
		case <-st.kick:
		default:
		}
		h.mu.Lock()
		st.kickIfDue(h.n)
		h.mu.Unlock()
		if err != nil {
			// Tried again at the next tick, not at every request.
			select {
			case <-st.stop:
				return
			case <-tick.C:
			}
		}
	}
}

// kickIfDue asks for a checkpoint (under the hookServer's mu, n the last
// request taken) when one is due: -checkpoint-every requests since the
// last, or the journal takes lines again after some were dropped (a
// checkpoint now covers them).
func (st *serveState) kickIfDue(n int) {
	if j := st.journal; n-st.lastN >= st.every || j.broken && j.out.queuedLines() == 0 && j.out.failing() == nil {
		select {
		case st.kick <- struct{}{}:
		default:
		}
	}
}

// checkpoint writes a checkpoint of the state after the last request
// taken, once the findings it covers are written (waiting d at most).
func (h *hookServer) checkpoint(d time.Duration) error {
	st := h.state
	h.mu.Lock()
	n := h.n
	j := st.journal
	if n == st.lastN && !j.broken {
		h.mu.Unlock()
		return nil
	}
	if j.broken && j.out.queuedLines() == 0 && j.out.failing() == nil {
		// The disk takes lines again, and this checkpoint covers those
		// dropped: the journal goes on in a new file from the next request.
		j.resume.Store(uint64(n) + 1)
		j.broken = false
	}
	var buf bytes.Buffer
	buf.WriteString(checkpointMagic)
	hdr, _ := json.Marshal(checkpointHeader{Requests: n, Time: time.Now().UTC().Format(time.RFC3339Nano)})
	buf.Write(hdr)
	buf.WriteByte('\n')
	err := h.tracker.Snapshot(&buf)
	fseq, jseq := h.out.lastQueued(), j.out.lastQueued()
	h.mu.Unlock()
	if err == nil {
		// The journal's lines it covers first (unless the journal fails:
		// then the checkpoint is what covers them), then the findings.
		start := time.Now()
		j.out.wait(jseq, d)
		if !j.out.writtenUpTo(jseq) && j.out.failing() == nil {
			err = errors.New("the journal lines it covers are not written yet")
		}
		h.out.wait(fseq, d-time.Since(start))
		if err == nil && !h.out.writtenUpTo(fseq) {
			err = errors.New("the findings it covers are not written yet")
		}
	}
	if err == nil {
		err = writeFileAtomic(filepath.Join(st.dir, "checkpoint"), buf.Bytes())
	}
	if err != nil {
		st.checkpointErrs.Add(1)
		msg := err.Error()
		st.failing.Store(&msg)
		return err
	}
	h.mu.Lock()
	st.lastN = n
	h.mu.Unlock()
	st.checkpoints.Add(1)
	st.checkpointTime.Store(time.Now().UnixNano())
	st.checkpointBytes.Store(int64(buf.Len()))
	st.failing.Store(nil)
	return nil
}

// writeFileAtomic writes b to name through name.tmp, synced, renamed.
func writeFileAtomic(name string, b []byte) error {
	tmp := name + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(name))
}

// readCheckpoint restores t from DIR/checkpoint, if there is one.
func readCheckpoint(dir string, t *tracker.Tracker) (bool, checkpointHeader, error) {
	var hdr checkpointHeader
	name := filepath.Join(dir, "checkpoint")
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return false, hdr, nil
	}
	if err != nil {
		return false, hdr, fmt.Errorf("%w: %v", errState, err)
	}
	defer f.Close()
	bad := func(why string) (bool, checkpointHeader, error) {
		return false, hdr, fmt.Errorf("%w: %s: %s (move it away and serve judges the whole journal again)", errState, name, why)
	}
	br := bufio.NewReader(f)
	magic, err := br.ReadString('\n')
	if err != nil || magic != checkpointMagic {
		return bad("not a checkpoint of wcsfsm serve")
	}
	line, err := br.ReadBytes('\n')
	if err != nil || json.Unmarshal(line, &hdr) != nil || hdr.Requests < 0 {
		return bad("its header cannot be read")
	}
	if err := t.Restore(br); err != nil {
		return bad(err.Error())
	}
	return true, hdr, nil
}

// lastFindings reads the end of a findings file: the request number of
// its last finding and how many of the last lines have it. A last line
// without its newline (cut off by a stop) is cut from the file. A file
// that is not regular, or holds none, gives 0.
func lastFindings(f *os.File) (line, count int, err error) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return 0, 0, err
	}
	size := st.Size()
	const most = 4 << 20 // the findings of one request are far fewer
	from := max(size-most, 0)
	b := make([]byte, size-from)
	if _, err := f.ReadAt(b, from); err != nil && err != io.EOF {
		if !errors.Is(err, syscall.EBADF) {
			return 0, 0, err
		}
		// Open for writing only (a standard output redirected with >>):
		// read the same file through a descriptor of its own.
		r, rerr := reopenRead(f, st)
		if rerr != nil {
			return 0, 0, fmt.Errorf("%v (and it cannot be opened for reading: %v)", err, rerr)
		}
		_, err = r.ReadAt(b, from)
		r.Close()
		if err != nil && err != io.EOF {
			return 0, 0, err
		}
	}
	if end := bytes.LastIndexByte(b, '\n') + 1; end < len(b) {
		if err := f.Truncate(from + int64(end)); err != nil {
			return 0, 0, err
		}
		b = b[:end]
	}
	lines := bytes.Split(bytes.TrimSuffix(b, []byte{'\n'}), []byte{'\n'})
	for i := len(lines) - 1; i >= 0; i-- {
		var fl struct {
			Line *int `json:"line"`
		}
		if json.Unmarshal(lines[i], &fl) != nil || fl.Line == nil {
			break // a line that is not a finding (or the first, cut at most): stop there
		}
		if count > 0 && *fl.Line != line {
			break
		}
		line = *fl.Line
		count++
	}
	return line, count, nil
}

// reopenRead opens for reading the file f has open (whose Stat is st):
// through /proc/self/fd where there is one, else by its name.
func reopenRead(f *os.File, st os.FileInfo) (*os.File, error) {
	var last error
	for _, name := range []string{"/proc/self/fd/" + strconv.Itoa(int(f.Fd())), f.Name()} {
		r, err := os.Open(name)
		if err != nil {
			last = err
			continue
		}
		if rst, err := r.Stat(); err == nil && os.SameFile(rst, st) {
			return r, nil
		}
		r.Close()
		last = errors.New(name + " is another file")
	}
	return nil, last
}

// stateMetrics are the figures of -state that /metrics serves.
type stateMetrics struct {
	JournalBytes       int64   // bytes of the journal files in the directory
	JournalFiles       int64   // how many
	JournalWriteErrors int64   // writes (and syncs) of the journal that failed
	JournalDropped     int64   // lines dropped: the queue was full while writes failed
	JournalQueued      int64   // lines waiting to be written
	Checkpoints        int64   // checkpoints written since the start
	CheckpointErrors   int64   // checkpoints that failed
	CheckpointAge      float64 // seconds since the last checkpoint written or restored (-1: none yet)
	CheckpointBytes    int64   // size of the last checkpoint written
}

// metrics reads the figures of the state directory.
func (st *serveState) metrics() stateMetrics {
	m := stateMetrics{
		JournalWriteErrors: st.journal.out.failures.Load(),
		JournalDropped:     st.journal.out.dropped.Load(),
		JournalQueued:      int64(st.journal.out.queuedLines()),
		Checkpoints:        st.checkpoints.Load(),
		CheckpointErrors:   st.checkpointErrs.Load(),
		CheckpointAge:      -1,
		CheckpointBytes:    st.checkpointBytes.Load(),
	}
	if t := st.checkpointTime.Load(); t != 0 {
		m.CheckpointAge = time.Since(time.Unix(0, t)).Seconds()
	}
	if ents, err := os.ReadDir(st.dir); err == nil {
		for _, e := range ents {
			if _, _, ok := parseJournalName(e.Name()); !ok {
				continue
			}
			if info, err := e.Info(); err == nil {
				m.JournalBytes += info.Size()
				m.JournalFiles++
			}
		}
	}
	return m
}
