package eventlog

import (
	"bytes"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/tracker"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// Parallel validation (Validator.Jobs > 1).
//
// The events of one WCS session touch only that session's state: its
// connection, its entities, and the entities that share their ids (a
// stream's keep-alives, a call's transfers), which WCS sends in the same
// session. So the log is sharded by session: Jobs trackers each own the
// sessions whose (nodeId, sessionId) hash to them. An event without a
// sessionId goes to the shard of its entity's (nodeId, id).
//
// The pipeline, per ReadJSONL:
//
//	reader (the caller) -> blocks of whole lines, in order
//	decoders (Jobs)     -> decode each line of a block, find its shard
//	trackers (Jobs)     -> each takes its shard's events of every block, in order
//	merger              -> reports the block's findings in input order
//
// Each event and each bad line has a position in the input (counted across
// files), and its findings come out in that order, as a sequential run
// gives them. A tracker taking the event at position p gives the entities
// it starts the sequence numbers 4p, 4p+1, …: the dangling warnings of
// End, sorted by them across the shards, come out in the order a single
// tracker gives.
//
// The bounds of Options are the shards' together, as they are one
// tracker's: each keeps ⌈MaxMarks/Jobs⌉ marks (Tracker.ShareMarks), and
// MaxEntities bounds the sum of the entities they hold (budget.go).
const (
	blockBytes = 256 << 10 // a block holds about this many bytes of lines
	blockLines = 4096      // and at most this many lines

	// A read shorter than asked means that the input had no more at hand:
	// a log being written, whose lines should be judged at once. But a
	// pipe gives at most 64 KiB a read, and gzip 32 KiB, when they have
	// plenty more: a read of at least liveRead bytes keeps filling the
	// block.
	liveRead = 16 << 10
)

// rec is one line of a block.
type rec struct {
	off, n  int32  // the line in block.buf
	line    int    // its line number in its file
	tooLong string // for a line over the limit: the message (the line is not in buf)
}

// pending is a finding of a block, with the index of its line.
type pending struct {
	rec int
	f   tracker.Finding
}

// block is a run of lines going through the pipeline. The reader fills
// buf with whole lines straight from the input; a decoder splits them into
// recs (or the reader sets recs itself, for a line too long to hold).
type block struct {
	file   string
	pos    uint64 // position of recs[0]
	first  int    // the line number of its first line
	preset bool   // recs is set by the reader: a line over the limit
	buf    []byte
	recs   []rec
	evs    []wcs.Event // evs[i] is recs[i] decoded
	shard  []int32     // the tracker of recs[i]; -1: none (blank, malformed, too long)
	pre    []pending
	out    [][]pending // per shard

	// The entity budget (budget.go).
	idx     uint64 // the block's number in the run, from 1
	creates int64  // the most entities its events may start (set by its decoder)
	decided bool   // inOrder and cum are set (under shards.mu)
	inOrder bool   // judged by one goroutine, in the log's order, not by each tracker
	cum     int64  // the creates of the run's blocks up to this one
	counts  []int  // the entities each tracker holds once it has taken the block

	decoded chan struct{} // closed once decoded
	left    atomic.Int32  // trackers still to take it
	tracked chan struct{} // closed once every tracker took it
}

// shards is the state of a Validator with Jobs > 1.
type shards struct {
	objects  *atomic.Int64 // the Validator's count of JSON objects decoded in the input
	trackers []*tracker.Tracker
	free     chan *block
	budget
}

// startParallel shards v if Jobs asks for it and its tracker is fresh.
func (v *Validator) startParallel() {
	if v.par != nil || v.Jobs <= 1 || v.Tracker.Stats().Events > 0 {
		return
	}
	opts := v.Tracker.Options()
	s := &shards{free: make(chan *block, 2*v.Jobs+2), objects: &v.objects}
	s.trackers = append(s.trackers, v.Tracker)
	for len(s.trackers) < v.Jobs {
		s.trackers = append(s.trackers, tracker.New(opts))
	}
	for _, t := range s.trackers {
		t.ShareMarks(v.Jobs)
	}
	s.budget.start(opts.MaxEntities, s.trackers)
	for range cap(s.free) {
		s.free <- &block{}
	}
	v.par = s
}

// nodeHash remembers the shard hash of the last nodeId: a log's events
// come from a few nodes, mostly one after the other.
type nodeHash struct {
	node string
	h    uint64
	set  bool
}

func (c *nodeHash) of(node string) uint64 {
	if !c.set || c.node != node {
		c.node, c.h, c.set = strings.Clone(node), wcs.NodeHash(node), true
	}
	return c.h
}

// shardOf returns the tracker an event belongs to.
func (s *shards) shardOf(ev *wcs.Event) int {
	var c nodeHash
	return s.shardOfCached(ev, &c)
}

// shardOfCached is shardOf with the hash of the nodeId from c: the
// partition of wcs.Partition (ev.ShardKey, len(s.trackers)), so that a
// shard of -j holds what a partition of the same count holds.
func (s *shards) shardOfCached(ev *wcs.Event, c *nodeHash) int {
	node, key := ev.ShardKey()
	return wcs.PartitionHash(wcs.SessionHash(c.of(node), key), len(s.trackers))
}

// shardTaker takes the events a Validator judges outside the pipeline (a
// server log, JSONLine): by the shard's tracker when it is sharded.
type shardTaker Validator

func (s *shardTaker) Take(ev *wcs.Event) []tracker.Finding { return (*Validator)(s).take(ev) }

// take judges one event outside the pipeline: by the shard's tracker when
// v is sharded.
func (v *Validator) take(ev *wcs.Event) []tracker.Finding {
	if v.par == nil {
		return v.Tracker.Take(ev)
	}
	v.pos++
	return v.par.takeShared(v.par.shardOf(ev), ev, v.pos-1)
}

// readParallel is ReadJSONL through the pipeline.
func (v *Validator) readParallel(name string, r io.Reader) error {
	s := v.par
	jobs := len(s.trackers)
	toDecode := make(chan *block, jobs)
	toTrack := make([]chan *block, jobs)
	toMerge := make(chan *block, cap(s.free))
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			var d hookbody.Decoder
			for b := range toDecode {
				s.decode(&d, b, v.MaxLine)
			}
		})
	}
	s.budget.run()
	for k := range jobs {
		toTrack[k] = make(chan *block, cap(s.free))
		wg.Go(func() {
			t := s.trackers[k]
			for b := range toTrack[k] {
				<-b.decoded
				if s.inOrder(b) {
					// Near the cap: the block is judged in the log's
					// order, by the last tracker done with the blocks
					// before it, while the others wait for it.
					tracked := b.tracked // b is reused once it is closed
					if b.left.Add(-1) == 0 {
						s.judgeInOrder(b)
						close(b.tracked)
					} else {
						<-tracked
					}
					continue
				}
				out := b.out[k][:0]
				i := -1
				t.TakeMany(func() (*wcs.Event, uint64, bool) {
					for i++; i < len(b.shard); i++ {
						if b.shard[i] == int32(k) {
							return &b.evs[i], b.pos + uint64(i), true
						}
					}
					return nil, 0, false
				}, func(fs []tracker.Finding) {
					for _, f := range fs {
						out = append(out, pending{i, f})
					}
				})
				b.out[k] = out
				b.counts[k] = t.Stats().Tracked
				if b.left.Add(-1) == 0 {
					s.taken(b)
					close(b.tracked)
				}
			}
		})
	}
	merged := make(chan struct{})
	go func() {
		defer close(merged)
		var all []pending
		for b := range toMerge {
			<-b.tracked
			all = append(all[:0], b.pre...)
			for _, o := range b.out {
				all = append(all, o...)
			}
			sources := 0
			if len(b.pre) > 0 {
				sources++
			}
			for _, o := range b.out {
				if len(o) > 0 {
					sources++
				}
			}
			if sources > 1 {
				// The findings of one line come from one source, in
				// order: a stable sort by line keeps them so.
				sort.SliceStable(all, func(i, j int) bool { return all[i].rec < all[j].rec })
			}
			for _, p := range all {
				v.report(p.f)
			}
			clear(all)
			s.free <- b
		}
	}()

	var cur *block
	blocks := uint64(0)
	send := func(lines int) {
		b := cur
		cur = nil
		b.decoded = make(chan struct{})
		b.tracked = make(chan struct{})
		b.left.Store(int32(jobs))
		if len(b.out) != jobs {
			b.out = make([][]pending, jobs)
			b.counts = make([]int, jobs)
		}
		blocks++
		b.idx, b.decided = blocks, false
		v.pos += uint64(lines)
		toDecode <- b
		for _, c := range toTrack {
			c <- b
		}
		toMerge <- b
	}
	next := func(first int) *block {
		cur = <-s.free
		cur.file, cur.pos, cur.first, cur.preset = name, v.pos, first, false
		cur.buf, cur.recs, cur.pre = cur.buf[:0], cur.recs[:0], cur.pre[:0]
		return cur
	}
	err := v.blocks(r, false, next, send)
	if cur != nil {
		s.free <- cur // a block got but not filled
	}
	close(toDecode)
	for _, c := range toTrack {
		close(c)
	}
	close(toMerge)
	wg.Wait()
	<-merged
	s.budget.recount(s.trackers)
	return err
}

// decode splits b into its lines, decodes them and finds the shard of
// each event.
func (s *shards) decode(d *hookbody.Decoder, b *block, maxLine int) {
	defer close(b.decoded)
	if !b.preset {
		b.split(maxLine)
	}
	var nodes nodeHash
	objects := int64(0) // counted once a block: one shared counter for every line would bounce between the cores
	defer func() { s.objects.Add(objects) }()
	creates := int64(0)
	b.evs = grow(b.evs, len(b.recs))
	b.shard = grow(b.shard, len(b.recs))
	for i, r := range b.recs {
		b.shard[i] = -1
		if r.tooLong != "" {
			b.pre = append(b.pre, pending{i, s.trackers[0].Reject(b.file, r.line, tracker.KindLineTooLong, r.tooLong)})
			continue
		}
		line := b.buf[r.off : r.off+r.n]
		if blank(line) {
			continue
		}
		ev := &b.evs[i]
		h := Hook{File: b.file, Line: r.line, Body: line}
		if err := h.Decode(d, ev); err != nil {
			b.pre = append(b.pre, pending{i, s.trackers[0].Reject(b.file, r.line, tracker.KindMalformed, err.Error())})
			continue
		}
		objects++
		creates += maxStarts(ev)
		b.shard[i] = int32(s.shardOfCached(ev, &nodes))
	}
	b.creates = creates
}

// blank reports whether a line holds only JSON whitespace.
func blank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// grow returns s with length n, reusing its array when it is large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// endParallel reports the entities left open in every shard, in the order
// one tracker would: by the position of the event that started them.
func (v *Validator) endParallel() {
	tracker.EndFunc(v.Report, v.par.trackers...)
}

// Stats returns what the validator's tracker has counted; with Jobs > 1,
// the sums over its shards.
//
// The malformed lines of an input that held no hook at all are not
// counted: they are one NoHookError, not findings.
func (v *Validator) Stats() tracker.Stats {
	v.setup()
	var sum tracker.Stats
	if v.par == nil {
		sum = v.Tracker.Stats()
	} else {
		for _, t := range v.par.trackers {
			sum.Add(t.Stats())
		}
	}
	sum.Findings[tracker.KindMalformed] -= v.dropped
	return sum
}

// Coverage returns the transitions taken so far; with Jobs > 1, the sums
// over its shards.
func (v *Validator) Coverage() tracker.Coverage {
	v.setup()
	if v.par == nil {
		return v.Tracker.Coverage()
	}
	var sum tracker.Coverage
	for _, t := range v.par.trackers {
		sum.Add(t.Coverage())
	}
	return sum
}

// blocks reads r straight into blocks of whole lines: each block, got from
// next with the number of its first line, is sent with the number of its
// lines. Lines are not split here (the pipeline's decoders do it, in
// parallel), only counted. A line longer than the limit is not held: it is
// read past and sent alone, as a preset rec with its message. With eager,
// the lines of every read are sent at once (the reader of -j 1, for which
// a block costs nothing); without, a read of liveRead bytes or more keeps
// filling the block (the pipeline's, for which small blocks cost).
func (v *Validator) blocks(r io.Reader, eager bool, next func(first int) *block, send func(lines int)) error {
	// The counters are brought up to date at each block sent (a progress
	// report reads them meanwhile) and at the end.
	var nBytes, nLines int64
	flush := func() {
		v.Bytes.Add(nBytes)
		v.Lines.Add(nLines)
		nBytes, nLines = 0, 0
	}
	defer flush()
	counted := send
	send = func(lines int) {
		counted(lines)
		nLines += int64(lines)
		flush()
	}
	lineNo := 1
	carry := v.carry[:0]
	defer func() { v.carry = carry[:0] }()
	for {
		b := next(lineNo)
		b.buf = append(b.buf, carry...)
		carry = carry[:0]
		eof := false
		for !eof {
			if cap(b.buf)-len(b.buf) < readBuf {
				b.buf = slices.Grow(b.buf, blockBytes)
			}
			want := cap(b.buf) - len(b.buf)
			n, err := r.Read(b.buf[len(b.buf):cap(b.buf)])
			b.buf = b.buf[:len(b.buf)+n]
			nBytes += int64(n)
			switch {
			case err == io.EOF:
				eof = true
			case err != nil:
				// The whole lines read so far are judged before the error.
				if i := bytes.LastIndexByte(b.buf, '\n'); i >= 0 {
					b.buf = b.buf[:i+1]
					lines := bytes.Count(b.buf, []byte{'\n'})
					send(lines)
				}
				return err
			}
			if eof || !eager && len(b.buf) < blockBytes && (n == want || n >= liveRead) {
				continue // the input had more at hand: fill the block
			}
			if bytes.LastIndexByte(b.buf, '\n') >= 0 {
				// A full block, or a short read of a few lines: the input
				// (a log being written, through a pipe) has no more for
				// now, and the lines it gave are judged now, not when
				// more comes.
				break
			}
			if len(b.buf) > v.MaxLine+2 {
				// A line over the limit: read past it, keeping only its size
				// and last byte, and send it alone.
				L, last := len(b.buf), b.buf[len(b.buf)-1]
				S := 0
				for S == 0 {
					n, err := r.Read(b.buf[:cap(b.buf)])
					chunk := b.buf[:n]
					nBytes += int64(n)
					if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
						if i > 0 {
							last = chunk[i-1]
						}
						L += i
						S = L + 1
						carry = append(carry, chunk[i+1:]...)
						break
					}
					L += n
					if n > 0 {
						last = chunk[n-1]
					}
					if err == io.EOF {
						S, eof = L, true
					} else if err != nil {
						return err
					}
				}
				n := L
				if last == '\r' {
					n--
				}
				b.buf = b.buf[:0]
				b.recs = append(b.recs[:0], rec{line: lineNo, tooLong: longLine(L, S, n, v.MaxLine)})
				b.preset = true
				send(1)
				lineNo++
				if eof && len(carry) == 0 {
					return nil
				}
				b = next(lineNo)
				b.buf = append(b.buf, carry...)
				carry = carry[:0]
			}
		}
		// The block holds whole lines up to its last newline (or, at the
		// end, up to its end); what follows goes on to the next one.
		lines := 0
		if eof {
			lines = bytes.Count(b.buf, []byte{'\n'})
			if len(b.buf) > 0 && b.buf[len(b.buf)-1] != '\n' {
				lines++
			}
		} else {
			i := bytes.LastIndexByte(b.buf, '\n')
			carry = append(carry, b.buf[i+1:]...)
			b.buf = b.buf[:i+1]
			lines = bytes.Count(b.buf, []byte{'\n'})
		}
		if lines == 0 {
			return nil // the block is given back by the caller
		}
		send(lines)
		lineNo += lines
		if eof {
			return nil
		}
	}
}

// split cuts b.buf into its lines, numbered from b.first: without their
// line ending, the first line of a file without its byte
// order mark, and a line over the limit as a rec with its message.
func (b *block) split(maxLine int) {
	b.recs = b.recs[:0]
	buf := b.buf
	line := b.first
	for off := 0; off < len(buf); line++ {
		end, S := len(buf), len(buf)-off
		if i := bytes.IndexByte(buf[off:], '\n'); i >= 0 {
			end, S = off+i, i+1
		}
		L := end - off
		c := end
		if c > off && buf[c-1] == '\r' {
			c--
		}
		if msg := longLine(L, S, c-off, maxLine); msg != "" {
			b.recs = append(b.recs, rec{line: line, tooLong: msg})
		} else {
			o := off
			if line == 1 && bytes.HasPrefix(buf[o:c], bom) {
				o += len(bom)
			}
			b.recs = append(b.recs, rec{off: int32(o), n: int32(c - o), line: line})
		}
		off = end + 1
	}
}
