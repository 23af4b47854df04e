package eventlog

import (
	"hash/maphash"
	"io"
	"sort"
	"sync"
	"sync/atomic"
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
const (
	blockBytes = 256 << 10 // a block holds about this many bytes of lines
	blockLines = 4096      // and at most this many lines
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
	f   Finding
}

// block is a run of lines going through the pipeline.
type block struct {
	file  string
	pos   uint64 // position of recs[0]
	buf   []byte
	recs  []rec
	evs   []Event // evs[i] is recs[i] decoded
	shard []int32 // the tracker of recs[i]; -1: none (blank, malformed, too long)
	pre   []pending
	out   [][]pending // per shard

	decoded chan struct{} // closed once decoded
	left    atomic.Int32  // trackers still to take it
	tracked chan struct{} // closed once every tracker took it
}

// shards is the state of a Validator with Jobs > 1.
type shards struct {
	trackers []*Tracker
	seed     maphash.Seed
	free     chan *block
}

// startParallel shards v if Jobs asks for it and its tracker is fresh.
func (v *Validator) startParallel() {
	if v.par != nil || v.Jobs <= 1 || v.Tracker.Stats().Events > 0 {
		return
	}
	// The marks are shared out among the shards, so that -j N keeps as
	// many as -j 1 in all: memory does not grow with N.
	opts := v.Tracker.Options()
	opts.MaxMarks = max(1, opts.MaxMarks/v.Jobs)
	v.Tracker.Init(opts)
	s := &shards{seed: maphash.MakeSeed(), free: make(chan *block, 2*v.Jobs+2)}
	s.trackers = append(s.trackers, v.Tracker)
	for len(s.trackers) < v.Jobs {
		s.trackers = append(s.trackers, NewTracker(opts))
	}
	for range cap(s.free) {
		s.free <- &block{}
	}
	v.par = s
}

// shardOf returns the tracker an event belongs to.
func (s *shards) shardOf(ev *Event) int {
	n := uint64(len(s.trackers))
	if ev.SessionID != "" {
		return int((maphash.String(s.seed, ev.NodeID)*31 ^ maphash.String(s.seed, ev.SessionID)) % n)
	}
	// No session: the entity's id (shared by a stream and its keep-alives,
	// a call and its transfers), whatever the family.
	id := ""
	if fam, ok := FamilyOf(ev.Event); ok {
		id = ev.get(keyField[fam])
	}
	return int((maphash.String(s.seed, ev.NodeID)*31 ^ maphash.String(s.seed, id)) % n)
}

// take judges one event outside the pipeline (a server log, JSONLine):
// by the shard's tracker when v is sharded.
func (v *Validator) take(ev *Event) []Finding {
	if v.par == nil {
		return v.Tracker.Take(ev)
	}
	v.pos++
	return v.par.trackers[v.par.shardOf(ev)].takeAt(ev, v.pos-1)
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
			var d Decoder
			for b := range toDecode {
				s.decode(&d, b)
			}
		})
	}
	for k := range jobs {
		toTrack[k] = make(chan *block, cap(s.free))
		wg.Go(func() {
			t := s.trackers[k]
			for b := range toTrack[k] {
				<-b.decoded
				out := b.out[k][:0]
				for i, sh := range b.shard {
					if sh == int32(k) {
						for _, f := range t.takeAt(&b.evs[i], b.pos+uint64(i)) {
							out = append(out, pending{i, f})
						}
					}
				}
				b.out[k] = out
				if b.left.Add(-1) == 0 {
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
				v.Report(p.f)
			}
			clear(all)
			s.free <- b
		}
	}()

	var cur *block
	send := func() {
		b := cur
		cur = nil
		b.evs = grow(b.evs, len(b.recs))
		b.shard = grow(b.shard, len(b.recs))
		b.decoded = make(chan struct{})
		b.tracked = make(chan struct{})
		b.left.Store(int32(jobs))
		if len(b.out) != jobs {
			b.out = make([][]pending, jobs)
		}
		v.pos += uint64(len(b.recs))
		toDecode <- b
		for _, c := range toTrack {
			c <- b
		}
		toMerge <- b
	}
	next := func() {
		cur = <-s.free
		cur.file, cur.pos = name, v.pos
		cur.buf, cur.recs, cur.pre = cur.buf[:0], cur.recs[:0], cur.pre[:0]
	}
	err := v.linesFunc(name, r, func(lineNo int, line []byte) {
		if cur == nil {
			next()
		}
		cur.recs = append(cur.recs, rec{off: int32(len(cur.buf)), n: int32(len(line)), line: lineNo})
		cur.buf = append(cur.buf, line...)
		if len(cur.buf) >= blockBytes || len(cur.recs) >= blockLines {
			send()
		}
	}, func(lineNo int, msg string) {
		if cur == nil {
			next()
		}
		cur.recs = append(cur.recs, rec{off: int32(len(cur.buf)), line: lineNo, tooLong: msg})
	})
	if cur != nil {
		send()
	}
	close(toDecode)
	for _, c := range toTrack {
		close(c)
	}
	close(toMerge)
	wg.Wait()
	<-merged
	return err
}

// decode decodes the lines of b and finds the shard of each event.
func (s *shards) decode(d *Decoder, b *block) {
	defer close(b.decoded)
	for i, r := range b.recs {
		b.shard[i] = -1
		if r.tooLong != "" {
			b.pre = append(b.pre, pending{i, s.trackers[0].Reject(b.file, r.line, LineTooLong, r.tooLong)})
			continue
		}
		line := b.buf[r.off : r.off+r.n]
		if blank(line) {
			continue
		}
		ev := &b.evs[i]
		ev.File, ev.Line = b.file, r.line
		if err := d.Decode(line, ev); err != nil {
			b.pre = append(b.pre, pending{i, s.trackers[0].Reject(b.file, r.line, Malformed, err.Error())})
			continue
		}
		b.shard[i] = int32(s.shardOf(ev))
	}
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
	type open struct {
		seq uint64
		f   Finding
	}
	var all []open
	for _, t := range v.par.trackers {
		fs, seqs := t.end()
		for i, f := range fs {
			all = append(all, open{seqs[i], f})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	for _, o := range all {
		v.Report(o.f)
	}
}

// Stats returns what the validator's tracker has counted; with Jobs > 1,
// the sums over its shards.
func (v *Validator) Stats() Stats {
	v.setup()
	if v.par == nil {
		return v.Tracker.Stats()
	}
	var sum Stats
	for _, t := range v.par.trackers {
		s := t.Stats()
		sum.Events += s.Events
		sum.Entities += s.Entities
		sum.Open += s.Open
		sum.Tracked += s.Tracked
		sum.Sessions += s.Sessions
		for k := range sum.Findings {
			sum.Findings[k] += s.Findings[k]
		}
		for f := range sum.Families {
			sum.Families[f] += s.Families[f]
		}
	}
	return sum
}

// Coverage returns the transitions taken so far; with Jobs > 1, the sums
// over its shards.
func (v *Validator) Coverage() Coverage {
	v.setup()
	if v.par == nil {
		return v.Tracker.Coverage()
	}
	var sum Coverage
	for _, t := range v.par.trackers {
		c := t.Coverage()
		for f := range c {
			if sum[f] == nil {
				sum[f] = make([]int64, len(c[f]))
			}
			for i, x := range c[f] {
				sum[f][i] += x
			}
		}
	}
	return sum
}
